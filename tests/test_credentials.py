"""fcinfra.credentials: explicit settings on top of Alibaba's default chain, as users keep credentials.

Every test builds its environment as a mapping (``HOME`` in a temporary folder, ECS metadata off), because
the chain is read from ``Settings.env`` at call time; nothing here reaches beyond 127.0.0.1.
"""

from __future__ import annotations

import base64
import json
import logging
import pickle
import sys
import threading
import time
import types
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from fcinfra.config import resolve_settings
from fcinfra.credentials import credentials_for
from fcinfra.errors import AccessDeniedError, ConfigurationError
from fcinfra.fake import mock_fc
from fcinfra.fake.server import Emulator
from fcinfra.fc import FcClient, sts
from fcinfra.rollout import Rollout, Steps

AK, SK = "LTAIbasekey0001", "base-secret-value-0001"
ACCOUNT, REGION = "1234567890", "cn-hangzhou"
ROLE = f"acs:ram::{ACCOUNT}:role/deployer"


@pytest.fixture(autouse=True)
def _fresh_accounts() -> Iterator[None]:
    sts.forget_accounts()
    yield
    sts.forget_accounts()


def base_env(home: Path, **more: str) -> dict[str, str]:
    return {"HOME": str(home), "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true", "ALIBABA_CLOUD_REGION": REGION,
            "ALIBABA_CLOUD_ACCOUNT_ID": ACCOUNT, **more}


def write_profiles(home: Path, current: str, *profiles: dict[str, Any]) -> None:
    folder = home / ".aliyun"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps({"current": current, "profiles": list(profiles)}))




@pytest.fixture
def fake() -> Iterator[Any]:
    with mock_fc(access_keys={AK: SK, "LTAIotherkey0002": "other-secret-0002"}) as f:
        yield f


def works(client: FcClient) -> None:
    assert client.list_services() == []


# ----------------------------------------------------------------------------------- profile file modes


def test_ak_profile_is_the_current_one(tmp_path: Path, fake: Any) -> None:
    write_profiles(tmp_path, "dev", {"name": "dev", "mode": "AK", "access_key_id": AK, "access_key_secret": SK})
    client = FcClient.from_env(env=base_env(tmp_path))
    works(client)
    assert client.credentials.get().access_key_id == AK
    assert "config.json" in client.credentials.description or client.credentials.identity[0] == "chain"


def test_profile_variable_and_flag_pick_the_profile(tmp_path: Path, fake: Any) -> None:
    write_profiles(tmp_path, "broken",
                   {"name": "broken", "mode": "AK", "access_key_id": "LTAInobody", "access_key_secret": "x"},
                   {"name": "ops", "mode": "AK", "access_key_id": AK, "access_key_secret": SK})
    works(FcClient.from_env(env=base_env(tmp_path, ALIBABA_CLOUD_PROFILE="ops")))
    # an explicit profile wins over keys in the environment
    env = base_env(tmp_path, ALIBABA_CLOUD_ACCESS_KEY_ID="LTAInobody", ALIBABA_CLOUD_ACCESS_KEY_SECRET="x")
    client = FcClient.from_env(env=env, profile="ops")
    works(client)
    # ... while ALIBABA_CLOUD_PROFILE alone does not (the package's order: environment keys first)
    client = FcClient.from_env(env={**env, "ALIBABA_CLOUD_PROFILE": "ops"})
    assert client.credentials.get().access_key_id == "LTAInobody"


def test_an_explicit_profile_that_does_not_exist_is_an_error_not_a_fallback(tmp_path: Path, fake: Any) -> None:
    write_profiles(tmp_path, "dev", {"name": "dev", "mode": "AK", "access_key_id": AK, "access_key_secret": SK})
    with pytest.raises(ConfigurationError, match=r"no credentials found.*'nope'"):
        FcClient.from_env(env=base_env(tmp_path, ALIBABA_CLOUD_ACCESS_KEY_ID=AK,
                                       ALIBABA_CLOUD_ACCESS_KEY_SECRET=SK), profile="nope")


def test_sts_token_profile_sends_its_token(tmp_path: Path, fake: Any) -> None:
    write_profiles(tmp_path, "t", {"name": "t", "mode": "StsToken", "access_key_id": AK, "access_key_secret": SK,
                                   "sts_token": "CAIStokenvalue"})
    client = FcClient.from_env(env=base_env(tmp_path))
    works(client)
    assert client.credentials.get().security_token == "CAIStokenvalue"


def test_ram_role_arn_profile_assumes_the_role_at_the_fake_sts(tmp_path: Path, fake: Any) -> None:
    write_profiles(tmp_path, "role", {"name": "role", "mode": "RamRoleArn", "access_key_id": AK,
                                      "access_key_secret": SK, "ram_role_arn": ROLE, "ram_session_name": "ci",
                                      "sts_region": REGION})
    client = FcClient.from_env(env=base_env(tmp_path))
    works(client)
    creds = client.credentials.get()
    issued = fake.sts.lookup(creds.access_key_id)
    assert issued is not None and issued.role_arn == ROLE and issued.session_name == "ci"
    assert creds.security_token == issued.security_token
    assert fake.sts.calls["AssumeRole"] == 1


def test_chainable_ram_role_arn_profile_assumes_with_its_source_profile(tmp_path: Path, fake: Any) -> None:
    write_profiles(tmp_path, "chain",
                   {"name": "src", "mode": "AK", "access_key_id": AK, "access_key_secret": SK},
                   {"name": "chain", "mode": "ChainableRamRoleArn", "source_profile": "src", "ram_role_arn": ROLE,
                    "ram_session_name": "chained", "sts_region": REGION})
    client = FcClient.from_env(env=base_env(tmp_path))
    works(client)
    assert fake.sts.lookup(client.credentials.get().access_key_id).session_name == "chained"


def test_ram_role_of_another_account_is_refused_by_the_fake_sts(tmp_path: Path, fake: Any) -> None:
    write_profiles(tmp_path, "role", {"name": "role", "mode": "RamRoleArn", "access_key_id": AK,
                                      "access_key_secret": SK, "ram_role_arn": "acs:ram::999:role/x",
                                      "sts_region": REGION})
    with pytest.raises(ConfigurationError, match=r"EntityNotExist\.Role") as err:
        FcClient.from_env(env=base_env(tmp_path))
    assert SK not in str(err.value)


def test_a_body_holding_keys_is_not_quoted_in_errors_or_logs(tmp_path: Path, capfd: pytest.CaptureFixture[str],
                                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    _UriHandler.answers = [{"Code": "Success", "AccessKeyId": AK, "AccessKeySecret": SK}]  # no token, no expiry
    _UriHandler.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _UriHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        uri = f"http://127.0.0.1:{server.server_address[1]}/creds"
        with pytest.raises(ConfigurationError) as err:
            FcClient.from_env(env=base_env(tmp_path, ALIBABA_CLOUD_CREDENTIALS_URI=uri, FC_ENDPOINT="http://127.0.0.1:9"))
        assert SK not in str(err.value) and "ALIBABA_CLOUD_CREDENTIALS_URI" in str(err.value)
        assert "error retrieving credentials" in caplog.text  # the package did log the failure ...
        assert SK not in caplog.text and SK not in capfd.readouterr().err  # ... without the body
    finally:
        server.shutdown()
        server.server_close()


def oidc_token_file(folder: Path, expires_in: float = 3600) -> Path:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    claims = {"iss": "https://oidc.example", "sub": "system:serviceaccount:ci:deployer", "aud": ["sts.aliyuncs.com"],
              "exp": int(time.time() + expires_in)}
    path = folder / "oidc-token"
    path.write_text(f"{part({'alg': 'RS256'})}.{part(claims)}.c2lnbmF0dXJl")
    return path


OIDC_PROVIDER = f"acs:ram::{ACCOUNT}:oidc-provider/ack-rrsa"


def test_oidc_profile_assumes_the_role_with_its_token(tmp_path: Path, fake: Any) -> None:
    token = oidc_token_file(tmp_path)
    write_profiles(tmp_path, "rrsa", {"name": "rrsa", "mode": "OIDC", "ram_role_arn": ROLE,
                                      "oidc_provider_arn": OIDC_PROVIDER, "oidc_token_file": str(token),
                                      "role_session_name": "rrsa-session"})
    client = FcClient.from_env(env=base_env(tmp_path))
    works(client)
    assert fake.sts.lookup(client.credentials.get().access_key_id).session_name == "rrsa-session"
    assert fake.sts.calls["AssumeRoleWithOIDC"] == 1


def test_rrsa_environment_variables_come_before_profiles(tmp_path: Path, fake: Any) -> None:
    write_profiles(tmp_path, "dev", {"name": "dev", "mode": "AK", "access_key_id": AK, "access_key_secret": SK})
    env = base_env(tmp_path, ALIBABA_CLOUD_ROLE_ARN=ROLE, ALIBABA_CLOUD_OIDC_PROVIDER_ARN=OIDC_PROVIDER,
                   ALIBABA_CLOUD_OIDC_TOKEN_FILE=str(oidc_token_file(tmp_path)))
    client = FcClient.from_env(env=env)
    works(client)
    assert client.credentials.get().access_key_id.startswith("STS.")


def test_an_expired_oidc_token_is_refused_by_the_fake_sts(tmp_path: Path, fake: Any) -> None:
    env = base_env(tmp_path, ALIBABA_CLOUD_ROLE_ARN=ROLE, ALIBABA_CLOUD_OIDC_PROVIDER_ARN=OIDC_PROVIDER,
                   ALIBABA_CLOUD_OIDC_TOKEN_FILE=str(oidc_token_file(tmp_path, expires_in=-60)),
                   ALIBABA_CLOUD_CLI_PROFILE_DISABLED="true")
    with pytest.raises(ConfigurationError, match="OIDC"):
        FcClient.from_env(env=env)


def test_credentials_ini_profile(tmp_path: Path, fake: Any) -> None:
    ini = tmp_path / "creds.ini"
    ini.write_text(f"[default]\ntype = access_key\naccess_key_id = {AK}\naccess_key_secret = {SK}\n")
    works(FcClient.from_env(env=base_env(tmp_path, ALIBABA_CLOUD_CREDENTIALS_FILE=str(ini))))


def test_external_profile_runs_its_command(tmp_path: Path, fake: Any) -> None:
    script = tmp_path / "creds.py"
    answer = json.dumps({"mode": "AK", "access_key_id": AK, "access_key_secret": SK})
    script.write_text(f"print({answer!r})\n")
    write_profiles(tmp_path, "ext", {"name": "ext", "mode": "External",
                                     "process_command": f"{sys.executable} {script}"})
    works(FcClient.from_env(env=base_env(tmp_path)))


def test_nothing_anywhere_names_every_source_tried(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as err:
        FcClient.from_env(env=base_env(tmp_path))
    text = str(err.value)
    assert "config.json" in text and "credentials.ini" in text and "ALIBABA_CLOUD_ACCESS_KEY_ID" in text


# ------------------------------------------------------------------------- role on top, account id


def test_role_arn_setting_assumes_the_role_on_the_emulator_over_loopback(tmp_path: Path) -> None:
    with Emulator(port=0, access_keys={AK: SK}, save_interval=None) as emu:
        env = base_env(tmp_path, ALIBABA_CLOUD_ACCESS_KEY_ID=AK, ALIBABA_CLOUD_ACCESS_KEY_SECRET=SK,
                       ALICLOUD_ASSUME_ROLE_ARN=f"acs:ram::{emu.account_id}:role/deployer",
                       FC_STS_ENDPOINT=emu.endpoint, FC_ENDPOINT=emu.endpoint)
        client = FcClient.from_env(env=env)
        works(client)
        key = client.credentials.get().access_key_id
        assert key.startswith("STS.") and emu.fake.sts.lookup(key) is not None


def test_account_id_is_found_once_with_get_caller_identity(tmp_path: Path, fake: Any) -> None:
    env = {k: v for k, v in base_env(tmp_path, ALIBABA_CLOUD_ACCESS_KEY_ID=AK,
                                     ALIBABA_CLOUD_ACCESS_KEY_SECRET=SK).items() if k != "ALIBABA_CLOUD_ACCOUNT_ID"}
    first = FcClient.from_env(env=env)
    second = FcClient.from_env(env=env)
    assert first.account_id == second.account_id == ACCOUNT
    assert first.endpoint == f"https://{ACCOUNT}.{REGION}.fc.aliyuncs.com"
    assert fake.sts.calls["GetCallerIdentity"] == 1
    works(first)


def test_account_id_through_an_assumed_role(tmp_path: Path, fake: Any) -> None:
    env = {k: v for k, v in base_env(tmp_path, ALIBABA_CLOUD_ACCESS_KEY_ID=AK, ALIBABA_CLOUD_ACCESS_KEY_SECRET=SK,
                                     ALICLOUD_ASSUME_ROLE_ARN=ROLE).items() if k != "ALIBABA_CLOUD_ACCOUNT_ID"}
    client = FcClient.from_env(env=env)
    assert client.account_id == ACCOUNT
    assert fake.sts.calls == {"AssumeRole": 1, "GetCallerIdentity": 1}


def test_pulumi_config_keys_and_assume_role_object(tmp_path: Path, fake: Any) -> None:
    config = {"alicloud:accessKey": AK, "alicloud:secretKey": SK,
              "alicloud:assumeRole": json.dumps({"roleArn": ROLE, "sessionName": "pulumi-up"})}
    settings = resolve_settings(env=base_env(tmp_path, ALIBABA_CLOUD_ACCESS_KEY_ID="LTAInobody",
                                             ALIBABA_CLOUD_ACCESS_KEY_SECRET="x"), pulumi_config=config.get)
    assert (settings.role_arn, settings.role_session_name) == (ROLE, "pulumi-up")
    assert settings.origin("access_key_id") == "pulumi:alicloud:accessKey"
    client = FcClient.from_settings(settings)
    works(client)
    assert fake.sts.lookup(client.credentials.get().access_key_id).session_name == "pulumi-up"


def test_half_a_key_pair_is_named_not_skipped(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="access key secret"):
        credentials_for(resolve_settings(env=base_env(tmp_path, ALIBABA_CLOUD_ACCESS_KEY_ID=AK), use_pulumi=False))


# --------------------------------------------------------------------------------- credentials URI


class _UriHandler(BaseHTTPRequestHandler):
    answers: list[dict[str, str]] = []
    hits: list[str] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        answer = dict(self.answers[min(len(self.hits), len(self.answers)) - 1])
        status = int(answer.pop("status", 200))
        body = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_credentials_uri_served_on_loopback(tmp_path: Path) -> None:
    expires = datetime.fromtimestamp(2_000_000_000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    _UriHandler.answers = [{"Code": "Success", "AccessKeyId": AK, "AccessKeySecret": SK,
                            "SecurityToken": "CAISfromuri", "Expiration": expires}]
    _UriHandler.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _UriHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with Emulator(port=0, access_keys={AK: SK}, save_interval=None) as emu:
            uri = f"http://127.0.0.1:{server.server_address[1]}/creds?role=x"
            client = FcClient.from_env(env=base_env(tmp_path, ALIBABA_CLOUD_CREDENTIALS_URI=uri,
                                                    FC_ENDPOINT=emu.endpoint))
            works(client)
            works(client)
        assert client.credentials.get().security_token == "CAISfromuri"
        assert _UriHandler.hits and _UriHandler.hits[0] == "/creds?role=x"
        assert len(_UriHandler.hits) == 1  # cached until 15 minutes before Expiration
    finally:
        server.shutdown()
        server.server_close()


def test_a_credentials_fetch_that_fails_for_now_is_retried_like_a_refused_connection(tmp_path: Path) -> None:
    """A 5xx from the credentials URI: nothing reached FC, so even a publish may be retried."""
    expires = datetime.fromtimestamp(2_000_000_000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    _UriHandler.answers = [{"status": "503", "Code": "Busy"},
                           {"Code": "Success", "AccessKeyId": AK, "AccessKeySecret": SK, "SecurityToken": "CAISx",
                            "Expiration": expires}]
    _UriHandler.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _UriHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with Emulator(port=0, access_keys={AK: SK}, save_interval=None) as emu:
            uri = f"http://127.0.0.1:{server.server_address[1]}/creds"
            settings = resolve_settings(env=base_env(tmp_path, ALIBABA_CLOUD_CREDENTIALS_URI=uri,
                                                     FC_ENDPOINT=emu.endpoint), use_pulumi=False)
            client = FcClient(emu.account_id, None, endpoint=emu.endpoint, credentials=credentials_for(settings),
                              sleep=lambda s: None)
            client.create_service("svc")
            client.publish_version("svc")  # not idempotent, yet safe to retry: the first try sent nothing
        assert len(_UriHandler.hits) == 2
    finally:
        server.shutdown()
        server.server_close()


def test_unavailable_credentials_are_a_connection_error_without_the_signed_url() -> None:
    from fcinfra.credentials import CredentialSource
    from fcinfra.errors import CredentialsUnavailableError

    class Down:
        def get_credentials(self) -> Any:
            raise OSError("HTTPSConnectionPool(host='sts.aliyuncs.com'): Max retries exceeded with url: "
                          "/?AccessKeyId=LTAIx&SecurityToken=CAISsecret&Signature=abc (Caused by timeout)")

    with pytest.raises(CredentialsUnavailableError) as err:
        CredentialSource(Down(), "a role", ("x",)).get()
    assert "CAISsecret" not in str(err.value) and "sts.aliyuncs.com" in str(err.value)


# ---------------------------------------------------------------------- a rollout outlives its token


class _Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    """One clock for the fake FC and STS, the rollout, the client's Date header and the package's refresh rule.

    alibabacloud-credentials decides staleness with ``time.mktime(time.localtime())`` in its ``refreshable``
    module; that module's ``time`` is pointed at this clock, so hours pass without waiting.
    """
    from alibabacloud_credentials.provider import refreshable

    c = _Clock()
    monkeypatch.setattr(refreshable, "time", types.SimpleNamespace(mktime=lambda _t: c.now, localtime=lambda: None))
    return c


def _release(client: FcClient, fake: Any) -> None:
    fake.register_handler("svc", "fn", lambda event, ctx: b"ok")
    client.create_service("svc")
    client.create_function("svc", "fn", "python3.10", "index.handler", code=b"PK\x05\x06" + b"\0" * 18)
    client.publish_version("svc")
    client.update_function("svc", "fn", description="v2")
    client.publish_version("svc")
    client.create_alias("svc", "prod", "1")


def test_rollout_longer_than_its_sts_token_refreshes_and_promotes(tmp_path: Path, clock: _Clock,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with mock_fc(access_keys={AK: SK}, clock=clock) as fake:
        env = base_env(tmp_path, ALIBABA_CLOUD_ACCESS_KEY_ID=AK, ALIBABA_CLOUD_ACCESS_KEY_SECRET=SK,
                       ALICLOUD_ASSUME_ROLE_ARN=ROLE)
        client = FcClient.from_env(env=env, clock=clock, sleep=clock.sleep)
        _release(client, fake)
        # four steps of 25 minutes: 100 minutes, the token lives 60 (refreshed 15 minutes before it ends)
        rollout = Rollout(client, "svc", "prod", "2", Steps([25, 50, 75, 100], interval=1500),
                          sleep=clock.sleep, clock=clock)
        result = rollout.run()
    assert result.status == "promoted"
    assert clock.now - 1_800_000_000.0 > 3600
    tokens = [c.security_token for c in client.credentials.seen]
    assert len(set(tokens)) >= 2 and len(fake.sts.issued) >= 2
    secrets = [SK] + [i.access_key_secret for i in fake.sts.issued.values()] + \
              [i.security_token for i in fake.sts.issued.values()]
    texts = [caplog.text, repr(result), str(result), repr(client), repr(client.credentials)]
    for secret in secrets:
        assert all(secret not in text for text in texts)


def test_a_token_captured_once_expires_mid_rollout(tmp_path: Path, clock: _Clock) -> None:
    """The control: the fake refuses an expired token, so the test above does prove refreshing."""
    with mock_fc(access_keys={AK: SK}, clock=clock) as fake:
        env = base_env(tmp_path, ALIBABA_CLOUD_ACCESS_KEY_ID=AK, ALIBABA_CLOUD_ACCESS_KEY_SECRET=SK,
                       ALICLOUD_ASSUME_ROLE_ARN=ROLE)
        once = FcClient.from_env(env=env, clock=clock).credentials.get()
        frozen = FcClient(ACCOUNT, REGION, once.access_key_id, once.access_key_secret, once.security_token,
                          clock=clock, sleep=clock.sleep)
        works(frozen)
        clock.sleep(3601)
        with pytest.raises(AccessDeniedError, match=r"InvalidSecurityToken\.Expired") as err:
            frozen.list_services()
        assert once.access_key_secret not in str(err.value) and once.security_token not in str(err.value)
        del fake


def test_credential_source_and_client_never_pickle(tmp_path: Path, fake: Any) -> None:
    client = FcClient.from_env(env=base_env(tmp_path, ALIBABA_CLOUD_ACCESS_KEY_ID=AK,
                                            ALIBABA_CLOUD_ACCESS_KEY_SECRET=SK))
    for thing in (client, client.credentials):
        with pytest.raises(TypeError):
            pickle.dumps(thing)
