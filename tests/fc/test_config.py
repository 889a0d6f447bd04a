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


def test_readme_table_names_every_source_of_every_setting() -> None:
    """README's one configuration table lists each Pulumi key and environment variable config.py reads."""
    from pathlib import Path

    from fcinfra.config import _SOURCES

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    table = readme.split("## Configuration and credentials")[1].split("**Which credentials win**")[0]
    for name, (config_keys, env_vars) in _SOURCES.items():
        for key in (*config_keys, *env_vars):
            shown = key.split(".")[0] if key.startswith("alicloud:assumeRole") else key
            assert f"`{shown}`" in table, f"{name}: {key} is not in README's table"


def test_origins_say_where_each_value_came_from() -> None:
    config = {"alicloud:profile": "ops", "alicloud:assumeRole": '{"roleArn": "acs:ram::1:role/r"}'}
    s = resolve_settings(region="cn-hongkong", env={**ENV, "ALICLOUD_PROFILE": "env-profile"},
                         pulumi_config=config.get)
    assert s.origin("region") == "argument"
    assert s.origin("profile") == "pulumi:alicloud:profile" and s.profile == "ops"
    assert s.origin("role_arn") == "pulumi:alicloud:assumeRole.roleArn" and s.role_arn == "acs:ram::1:role/r"
    assert s.origin("access_key_id") == "env:ALIBABA_CLOUD_ACCESS_KEY_ID"
    assert s.origin("security_token") is None
