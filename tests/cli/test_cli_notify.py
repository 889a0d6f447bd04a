"""Issue 12 item 5 against the emulator: notifications from a CLI rollout to loopback receivers, retried, signed,
never changing the outcome, and no URL token or secret in any output, history tag or the notifier's repr."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import pickle
import urllib.parse
from collections.abc import Callable

import pytest
from click.testing import CliRunner, Result

from fcinfra.cli.main import cli
from fcinfra.fc import FcClient

from .conftest import TOKEN, Receiver

WEBHOOK_SECRET = "whsec-Zq81-never-printed"
DING_SECRET = "SEC-ding-7a1c-never-printed"


def rollout(env: dict[str, str], shop, *extra: str, secrets: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, ["rollout", shop.service, "prod", "2", "--steps", "50,100", "--interval", "0",
                                    "-o", "json", *extra], env={**env, **(secrets or {})}, catch_exceptions=False)


def assert_no_secret(result: Result, client: FcClient, service: str, *secrets: str) -> None:
    tags = json.dumps(client.service_tags(service))
    for secret in (TOKEN, *secrets):
        assert secret not in result.stdout and secret not in result.stderr
        assert secret not in tags


def test_webhook_retried_after_two_500s_signed_and_the_rollout_promotes(env: dict[str, str], shop, client: FcClient,
                                                                       receiver: Callable[..., Receiver]) -> None:
    rec = receiver([500, 500])
    result = rollout(env, shop, "--webhook", rec.url, secrets={"FCINFRA_WEBHOOK_SECRET": WEBHOOK_SECRET})

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.splitlines()[-1])["status"] == "promoted"
    delivered = rec.got()
    kinds = [json.loads(body)["kind"] for _, _, body in delivered]
    assert kinds == ["start", "weight", "promoted"]  # the first one after two 500s, then the rest
    assert len(rec.requests) == len(delivered) + 2
    for _, headers, body in delivered:
        doc = json.loads(body)
        assert doc["schema"] == "fcinfra.rollout.event/1"
        assert {"service", "alias", "to_version", "weight", "message", "at", "sent_at"} <= set(doc)
        expected = hmac.new(WEBHOOK_SECRET.encode(), headers["X-Fcinfra-Timestamp"].encode() + b"." + body,
                            hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["X-Fcinfra-Signature"], f"sha256={expected}")
    assert_no_secret(result, client, shop.service, WEBHOOK_SECRET)


def test_a_webhook_that_always_fails_never_changes_the_outcome(env: dict[str, str], shop, client: FcClient,
                                                              receiver: Callable[..., Receiver]) -> None:
    rec = receiver([503] * 100)
    result = rollout(env, shop, "--webhook", rec.url)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.splitlines()[-1])["status"] == "promoted"
    assert "notification to webhook at 127.0.0.1" in result.stderr and "failed after 4 attempts" in result.stderr
    assert_no_secret(result, client, shop.service)


def test_dingtalk_robot_signed_with_its_secret(env: dict[str, str], shop, client: FcClient,
                                               receiver: Callable[..., Receiver]) -> None:
    rec = receiver(answer=b'{"errcode": 0, "errmsg": "ok"}')
    result = rollout(env, shop, "--dingtalk", rec.url, secrets={"FCINFRA_DINGTALK_SECRET": DING_SECRET})
    assert result.exit_code == 0, result.output
    assert len(rec.got()) == 3
    for path, _, body in rec.got():
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
        ts = query["timestamp"][0]
        expected = base64.b64encode(hmac.new(DING_SECRET.encode(), f"{ts}\n{DING_SECRET}".encode(),
                                             hashlib.sha256).digest()).decode()
        assert query["sign"][0] == expected
        assert json.loads(body)["msgtype"] == "text"
    assert "promoted" in json.loads(rec.got()[-1][2])["text"]["content"]
    assert_no_secret(result, client, shop.service, DING_SECRET)


def test_dingtalk_refusal_in_a_200_answer_is_a_failure_not_an_outcome(env: dict[str, str], shop, client: FcClient,
                                                                      receiver: Callable[..., Receiver]) -> None:
    rec = receiver(answer=b'{"errcode": 310000, "errmsg": "sign not match"}')
    result = rollout(env, shop, "--dingtalk", rec.url, secrets={"FCINFRA_DINGTALK_SECRET": DING_SECRET})
    assert result.exit_code == 0
    assert "notification to dingtalk at 127.0.0.1" in result.stderr and "refused" in result.stderr
    assert_no_secret(result, client, shop.service, DING_SECRET)


def test_slack_incoming_webhook(env: dict[str, str], shop, client: FcClient,
                                receiver: Callable[..., Receiver]) -> None:
    rec = receiver()
    result = rollout(env, shop, "--slack", rec.url)
    assert result.exit_code == 0, result.output
    texts = [json.loads(body)["text"] for _, _, body in rec.got()]
    assert len(texts) == 3 and texts[-1].startswith(f"[fcinfra] {shop.service}/prod -> version 2: promoted")
    assert_no_secret(result, client, shop.service)


def test_the_notifier_never_shows_or_pickles_its_secrets() -> None:
    from fcinfra.notify import Channel, Notifier

    notifier = Notifier([Channel("webhook", f"https://hooks.example.com/{TOKEN}", WEBHOOK_SECRET),
                         Channel("dingtalk", f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}",
                                 DING_SECRET)])
    shown = repr(notifier) + repr(notifier.channels)
    assert TOKEN not in shown and WEBHOOK_SECRET not in shown and DING_SECRET not in shown
    assert "hooks.example.com" in shown
    with pytest.raises(TypeError):
        pickle.dumps(notifier)
