"""Traffic gates sign every query with the FC client's refreshing credentials: a rollout that outlives its
STS token keeps reading Log Service and CloudMonitor (the fake STS issues 1-hour tokens and the emulator's
services refuse expired ones); keys copied once at the start stop working mid-rollout (the control)."""

from __future__ import annotations

import math
import pickle
import re
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fcinfra.fake import MockFc, mock_fc
from fcinfra.fc import FcClient, sts
from fcinfra.rollout import Rollout, Steps
from fcinfra.rollout.traffic.auth import SourceCredential
from fcinfra.rollout.traffic.load import send_traffic
from fcinfra.rollout.traffic.specs import GateCredentials, credentials_from_client, gate_from_spec
from fcinfra.testing.helpers import code_zip
from fcinfra.testing.observability import serve_wsgi

AK, SK = "LTAIbasekey0001", "base-secret-value-0001"
ACCOUNT, REGION = "1234567890", "cn-hangzhou"
ROLE = f"acs:ram::{ACCOUNT}:role/deployer"
START = 1_800_000_000.0


class _Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Clock]:
    """One clock for FC, STS, the observability services, the rollout and the credentials package's refresh rule
    (its ``refreshable`` module reads ``time.mktime(time.localtime())``), so hours pass without waiting."""
    from alibabacloud_credentials.provider import refreshable

    c = _Clock()
    monkeypatch.setattr(refreshable, "time", types.SimpleNamespace(mktime=lambda _t: c.now, localtime=lambda: None))
    sts.forget_accounts()
    yield c
    sts.forget_accounts()


def _release(tmp_path: Path, fake: MockFc, clock: _Clock) -> FcClient:
    env = {"HOME": str(tmp_path), "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true", "ALIBABA_CLOUD_REGION": REGION,
           "ALIBABA_CLOUD_ACCOUNT_ID": ACCOUNT, "ALIBABA_CLOUD_ACCESS_KEY_ID": AK,
           "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SK, "ALICLOUD_ASSUME_ROLE_ARN": ROLE}
    client = FcClient.from_env(env=env, clock=clock, sleep=clock.sleep)
    fake.register_handler("svc", "fn", lambda event, ctx: b"ok")
    client.create_service("svc", log_config={"project": "proj", "logstore": "fc-logs", "enableRequestMetrics": True})
    client.create_function("svc", "fn", "python3.10", "index.handler", code=code_zip("x = 1\n"))
    client.publish_version("svc")
    client.update_function("svc", "fn", description="v2")
    client.publish_version("svc")
    client.create_alias("svc", "prod", "1")
    return client


def _users(client: FcClient, clock: _Clock) -> Any:
    def sleep(seconds: float) -> None:
        end = clock.now + seconds
        count = math.floor(seconds / 2)  # one request every 2 s
        if count:
            send_traffic(client, "svc", "prod", "fn", rate=0.5, count=count, seed=int(clock.now), clock=clock,
                         sleep=clock.sleep)
        clock.now = max(clock.now, end)
    return sleep


def _run(tmp_path: Path, clock: _Clock, copied: bool) -> Any:
    with mock_fc(access_keys={AK: SK}, clock=clock) as fake:
        hub = fake.observability
        hub.clock.base = clock
        client = _release(tmp_path, fake, clock)

        def app(environ: dict, start_response: Any) -> Any:
            route = hub.route(environ)
            assert route is not None
            return hub.app_for(route)(environ, start_response)

        with serve_wsgi(app) as address:
            fake._mock.add_passthru(re.compile(r"http://(proj\.cn-hangzhou\.log\.aliyuncs\.com|127\.0\.0\.1)"))
            credentials = credentials_from_client(client)
            if copied:  # the control: the keys of this moment, as gates took them before
                now = client.credentials.get()
                credentials = GateCredentials(REGION, now.access_key_id, now.access_key_secret, now.security_token)
            gates = [gate_from_spec({"type": "sls", "project": "proj", "logstore": "fc-logs", "function": "fn",
                                     "http_proxy": f"http://{address}"}, credentials),
                     gate_from_spec({"type": "cms", "function": "fn", "endpoint": address, "reference": 600},
                                    credentials)]
            for gate in gates:
                gate.wall_clock = clock
            _users(client, clock)(600)  # CloudMonitor's reference: ten minutes of version 1 alone
            # four steps of 25 minutes: 100 minutes, the token lives 60 (refreshed 15 minutes before it ends)
            result = Rollout(client, "svc", "prod", "2", Steps([25, 50, 75, 100], interval=1500), health=gates,
                             check_every=300, sleep=_users(client, clock), clock=clock).run()
            return result, client, fake


@pytest.mark.slow
def test_gates_keep_reading_after_the_token_they_started_with_expired(tmp_path: Path, clock: _Clock) -> None:
    result, client, fake = _run(tmp_path, clock, copied=False)
    assert result.status == "promoted", result.reason
    assert clock.now - START > 3600
    assert len({c.security_token for c in client.credentials.seen}) >= 2 and len(fake.sts.issued) >= 2
    late = [v for v in result.verdicts if v.gate in ("sls:fn", "cms:fn")]
    assert {v.gate for v in late} == {"sls:fn", "cms:fn"} and all(v.status == "pass" for v in late)
    secrets = [SK] + [i.access_key_secret for i in fake.sts.issued.values()]
    assert all(secret not in repr(result) + str(result) for secret in secrets)


@pytest.mark.slow
def test_keys_copied_once_expire_mid_rollout(tmp_path: Path, clock: _Clock) -> None:
    """The control: the emulator's Log Service and CloudMonitor refuse an expired token, so the test above
    does prove that the gates refresh theirs."""
    result, _, _ = _run(tmp_path, clock, copied=True)
    assert result.status == "rolled_back"
    assert "GateSourceError" in result.reason and "Expired" in result.reason


def test_source_credential_asks_the_source_every_time_and_never_pickles() -> None:
    handed = iter([("AK1", "S1", "T1"), ("AK2", "S2", None)])

    class Source:
        def get(self) -> Any:
            ak, sk, token = next(handed)
            return types.SimpleNamespace(access_key_id=ak, access_key_secret=sk, security_token=token)

    credential = SourceCredential(Source())
    first, second = credential.get_credential(), credential.get_credential()
    assert (first.access_key_id, first.security_token, first.type) == ("AK1", "T1", "sts")
    assert (second.access_key_id, second.security_token, second.type) == ("AK2", None, "access_key")
    with pytest.raises(TypeError):
        pickle.dumps(credential)
    assert "S1" not in repr(GateCredentials(REGION, source=Source())) and "S1" not in repr(credential)
