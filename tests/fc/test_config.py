"""Settings resolution: explicit arguments > Pulumi config > environment; pulumi is never imported eagerly."""

from __future__ import annotations

import subprocess
import sys

import pytest

from fcinfra.config import resolve_settings
from fcinfra.errors import ConfigurationError

ENV = {
    "ALIBABA_CLOUD_ACCESS_KEY_ID": "env-ak",
    "ALICLOUD_SECRET_KEY": "env-sk",
    "ALIBABA_CLOUD_REGION": "cn-beijing",
    "ALIBABA_CLOUD_ACCOUNT_ID": "111",
    "FC_ENDPOINT": "http://127.0.0.1:9",
}


def test_environment_with_alicloud_fallbacks() -> None:
    s = resolve_settings(env=ENV, use_pulumi=False)
    assert (s.access_key_id, s.access_key_secret, s.region, s.account_id, s.endpoint) == (
        "env-ak", "env-sk", "cn-beijing", "111", "http://127.0.0.1:9")
    assert s.security_token is None


def test_alibaba_name_wins_over_alicloud_name() -> None:
    s = resolve_settings(env={"ALIBABA_CLOUD_REGION": "a", "ALICLOUD_REGION": "b"}, use_pulumi=False)
    assert s.region == "a"


def test_pulumi_config_beats_environment_and_explicit_beats_both() -> None:
    config = {"alicloud:region": "cn-shanghai", "fcinfra:accountId": "222", "alicloud:accountId": "333"}
    s = resolve_settings(env=ENV, pulumi_config=config.get)
    assert (s.region, s.account_id, s.access_key_id) == ("cn-shanghai", "222", "env-ak")
    s = resolve_settings(region="cn-hongkong", env=ENV, pulumi_config=config.get)
    assert s.region == "cn-hongkong"


def test_pulumi_is_not_imported_by_the_client_or_settings() -> None:
    code = (
        "import sys, os\n"
        "os.environ.pop('PULUMI_CONFIG', None); os.environ.pop('PULUMI_PROJECT', None)\n"
        "import fcinfra.config, fcinfra.fc\n"
        "fcinfra.config.resolve_settings(env={})\n"
        "assert 'pulumi' not in sys.modules, 'pulumi was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_pulumi_config_is_read_when_a_pulumi_runtime_is_active() -> None:
    code = (
        "import json, os, sys\n"
        "os.environ['PULUMI_CONFIG'] = json.dumps({'alicloud:region': 'cn-zhangjiakou'})\n"
        "from fcinfra.config import resolve_settings\n"
        "assert resolve_settings(env={'ALIBABA_CLOUD_REGION': 'cn-beijing'}).region == 'cn-zhangjiakou'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_credentials_outside_pulumi_name_only_arguments_and_environment() -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve_settings(region="cn-hangzhou", account_id="1", env={}, use_pulumi=False).require_credentials()
    assert "Pulumi" not in str(info.value) and "alicloud:accessKey" not in str(info.value)
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET" in str(info.value)


def test_missing_credentials_inside_pulumi_also_name_the_config_keys() -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve_settings(env={}, pulumi_config={}.get).require_credentials()
    assert "Pulumi config (alicloud:accessKey / alicloud:secretKey)" in str(info.value)
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID" in str(info.value)
