"""The recorder scrubs credentials and account ids before anything is kept or written; replay works."""

from __future__ import annotations

import json
from pathlib import Path

import responses

from fcinfra.fake.recording import Recorder, Scrubber, load_fixture, replay
from fcinfra.fc import FcClient

ACCOUNT, AK, SECRET, TOKEN = "1987654321012345", "LTAI5tRealKeyId0000", "real-secret-value", "CAISreal-sts-token-000000"
REAL = f"https://{ACCOUNT}.cn-hangzhou.fc.aliyuncs.com/2016-08-15"
ROLE = f"acs:ram::{ACCOUNT}:role/fc-role"


def record(tmp_path: Path) -> tuple[Path, str]:
    recorder = Recorder.for_credentials(AK, SECRET, TOKEN, ACCOUNT)
    client = FcClient(ACCOUNT, "cn-hangzhou", AK, SECRET, security_token=TOKEN, session=recorder.session)
    with responses.RequestsMock() as rsps:
        rsps.post(f"{REAL}/services", json={"serviceName": "demo", "role": ROLE}, headers={"ETag": "e1"})
        rsps.get(f"{REAL}/services/demo", json={"serviceName": "demo", "role": ROLE, "note": f"by {AK}"},
                 headers={"ETag": "e1", "X-Fc-Request-Id": "r1"})
        rsps.post(f"{REAL}/services/demo/functions/fn/invocations", body=b"\xff\x00binary")
        client.create_service("demo", role=ROLE)
        client.get_service("demo")
        client.invoke("demo", "fn", b"\x00raw")
    path = recorder.save(tmp_path / "recorded.json", source=f"recorded by account {ACCOUNT}")
    return path, path.read_text()


def test_nothing_secret_is_written(tmp_path: Path) -> None:
    _, text = record(tmp_path)
    for value in (ACCOUNT, AK, SECRET, TOKEN):
        assert value not in text
    data = json.loads(text)
    first = data["interactions"][0]["request"]
    assert first["headers"]["Authorization"] == "FC SCRUBBED_ACCESS_KEY_ID:SCRUBBED_SIGNATURE"
    assert first["headers"]["x-fc-security-token"] == "SCRUBBED_SECURITY_TOKEN"
    assert first["host"] == "1234567890.cn-hangzhou.fc.aliyuncs.com"
    assert first["json"]["role"] == "acs:ram::1234567890:role/fc-role"
    assert data["interactions"][1]["response"]["json"]["note"] == "by SCRUBBED_ACCESS_KEY_ID"
    assert data["interactions"][2]["response"]["base64"]  # binary bodies survive


def test_unknown_credentials_are_scrubbed_by_pattern() -> None:
    scrubber = Scrubber()  # told nothing
    text = scrubber.text(
        "Authorization: FC LTAIabcdefgh12345678:c2lnbmF0dXJl+/= host 5566778899.cn-beijing.fc.aliyuncs.com "
        "token CAISabcdefghijklmnopqrstu arn acs:fc:cn-beijing:5566778899:services/x "
        "url ?x-fc-signature=abc&x-fc-access-key-id=LTAIzz&x-fc-security-token=tok"
    )
    for leaked in ("LTAIabcdefgh12345678", "c2lnbmF0dXJl", "5566778899", "CAISabcdefghijklmnopqrstu", "=abc", "=tok"):
        assert leaked not in text, leaked


def test_recorded_fixture_replays(tmp_path: Path) -> None:
    path, _ = record(tmp_path)
    client = FcClient("1234567890", "cn-hangzhou", "AK", "SK")
    with responses.RequestsMock() as rsps:
        replay(load_fixture(path)["interactions"], rsps, "https://1234567890.cn-hangzhou.fc.aliyuncs.com")
        assert client.create_service("demo").etag == "e1"
        service = client.get_service("demo")
        assert service.role == "acs:ram::1234567890:role/fc-role"
        assert client.invoke("demo", "fn", b"").payload == b"\xff\x00binary"


def test_recording_module_stays_inside_the_fake_layer() -> None:
    import ast

    import fcinfra.fake.recording as module

    tree = ast.parse(Path(module.__file__).read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not {name for name in imported if name.startswith(("fcinfra.fc.client", "fcinfra.errors"))}
