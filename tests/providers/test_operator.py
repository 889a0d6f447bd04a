"""Hooks, notifications and release history of a Pulumi rollout (AliasShiftProvider + providers/_operator.py):
a failing post-traffic hook rolls back after 100 % before the update reports; notifications reach a loopback
receiver (retried, signed) without their URL or secret ever reaching the provider's pickle or the resource's
inputs and outputs; every rollout's end is in the service's history, which a later CLI run honours."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import dill
import pytest
from click.testing import CliRunner
from pulumi.dynamic.dynamic import serialize_provider

from fcinfra import history
from fcinfra.errors import InvalidArgumentError
from fcinfra.notify import Notifier
from fcinfra.providers._operator import build_hooks, build_notifier, check_notifications
from fcinfra.providers.alias_shift import AliasShiftProvider
from fcinfra.testing.helpers import code_zip, handler_source

STEPS = {"type": "steps", "weights": [20, 50, 100], "interval": 30}
HEALTH = [{"type": "invoke", "function": "fn", "samples": 10, "max_error_rate": 0.05}]
TOKEN = "tok-77aa-never-in-state"
SECRET = "whsec-9c1d-never-in-state"


def provider(client: Any) -> AliasShiftProvider:
    p = AliasShiftProvider()
    p.use_client(lambda: client)
    p.use_clock(lambda _s: None)  # virtual time: a rollout (and its bake) runs instantly
    return p


def shift(**over: Any) -> dict[str, Any]:
    return {"service": "svc", "alias": "prod", "version_id": "1", "strategy": STEPS, **over}


@pytest.fixture
def two_versions(deployed: Any, fc_fake: Any) -> Any:
    """svc: versions 1 and 2 of fn (both healthy), alias prod -> 1, and a hook function ``smoke``."""
    deployed.publish_version("svc")
    deployed.update_function("svc", "fn", code=code_zip(handler_source("v2")))
    deployed.publish_version("svc")
    deployed.create_alias("svc", "prod", "1")
    deployed.create_function("svc", "smoke", "python3.10", "index.handler", code=code_zip(handler_source("ok")))
    fc_fake.register_handler("svc", "fn", lambda event, ctx: "v1", version="1")
    fc_fake.register_handler("svc", "fn", lambda event, ctx: "v2", version="2")
    return deployed


def hook_answering(fc_fake: Any, answer: str, seen: list[dict[str, Any]]) -> None:
    def smoke(event: bytes, ctx: Any) -> str:
        seen.append(json.loads(event))
        return json.dumps({"status": answer, "reason": "smoke test said so"})

    fc_fake.register_handler("svc", "smoke", smoke)


# ------------------------------------------------------------------------------------------------- hooks


def test_a_failing_post_traffic_hook_rolls_back_after_100_before_the_update_reports(
        two_versions: Any, fc_fake: Any) -> None:
    seen: list[dict[str, Any]] = []
    hook_answering(fc_fake, "failed", seen)
    slept: list[float] = []
    p = provider(two_versions)
    p.use_clock(slept.append)
    outs = p.create(shift()).outs
    assert outs is not None
    news = shift(version_id="2", health=HEALTH, fingerprint="fp2",
                 hooks={"post_traffic": "smoke", "post_traffic_bake": 45})
    assert p.check(outs, news).failures == []
    done = p.update("svc:prod", outs, news).outs
    assert done is not None
    assert done["status"] == "rolled_back" and done["history"] == [20, 50, 100, 0]  # 100 % was reached first
    assert "smoke test said so" in done["reason"] and "after 100%" in done["reason"]
    assert done["rejected_fingerprints"] == ["fp2"]
    assert seen == [{"hook": "post_traffic", "service": "svc", "alias": "prod", "from_version": "1",
                     "to_version": "2"}]
    assert 45.0 in slept  # the bake at 100 % before the hook
    alias = two_versions.get_alias("svc", "prod")
    assert (alias.version_id, alias.additional_version_weight) == ("1", {})


def test_a_passing_post_traffic_hook_promotes(two_versions: Any, fc_fake: Any) -> None:
    seen: list[dict[str, Any]] = []
    hook_answering(fc_fake, "succeeded", seen)
    p = provider(two_versions)
    outs = p.create(shift()).outs
    assert outs is not None
    done = p.update("svc:prod", outs, shift(version_id="2", hooks={"post_traffic": "svc/smoke"})).outs
    assert done is not None and done["status"] == "promoted" and done["history"] == [20, 50, 100]
    assert len(seen) == 1 and done["hooks"] == {"post_traffic": "svc/smoke"}


def test_the_rollout_publishes_its_verdicts_for_status_watch_and_clears_them(two_versions: Any) -> None:
    from fcinfra import gate_board

    boards: list[Any] = []
    p = provider(two_versions)
    outs = p.create(shift()).outs
    assert outs is not None
    real_tag = two_versions.tag_service

    def spy(service: str, tags: Any) -> None:
        real_tag(service, tags)
        boards.append(gate_board.read(two_versions, service).get("prod"))

    two_versions.tag_service = spy
    done = p.update("svc:prod", outs, shift(version_id="2", health=HEALTH)).outs
    assert done is not None and done["status"] == "promoted"
    published = [b for b in boards if b is not None]
    assert published and published[0].weight == 20 and published[0].verdicts[0][0] == "invoke:fn"
    assert published[0].verdicts[0][1] in ("pass", "inconclusive")  # its first look at 20 %
    assert gate_board.read(two_versions, "svc") == {}  # gone once the rollout ended


def test_a_failing_pre_traffic_hook_moves_nothing(two_versions: Any, fc_fake: Any) -> None:
    seen: list[dict[str, Any]] = []
    hook_answering(fc_fake, "failed", seen)
    p = provider(two_versions)
    outs = p.create(shift()).outs
    assert outs is not None
    writes = two_versions.calls["UpdateAlias"]
    done = p.update("svc:prod", outs, shift(version_id="2", fingerprint="fp2", hooks={"pre_traffic": "smoke"})).outs
    assert done is not None and done["status"] == "rolled_back" and done["history"] == []
    assert two_versions.calls["UpdateAlias"] == writes
    assert seen[0]["hook"] == "pre_traffic"


@pytest.mark.parametrize(("hooks", "message"), [
    ({"post_traffic_bake": 10}, "needs hooks.post_traffic"),
    ({"post_traffic": ""}, "must name an FC function"),
    ({"post_traffic": "fn", "post_traffic_bake": -1}, "seconds >= 0"),
    ({"after": "fn"}, "unknown hooks key"),
])
def test_bad_hooks_are_refused_at_preview(hooks: dict[str, Any], message: str) -> None:
    failures = AliasShiftProvider().check({}, shift(hooks=hooks)).failures
    assert [f.property for f in failures] == ["hooks"] and message in failures[0].reason


def test_hooks_without_a_strategy_are_refused() -> None:
    failures = AliasShiftProvider().check({}, {"service": "svc", "alias": "prod", "version_id": "1",
                                               "hooks": {"post_traffic": "fn"}}).failures
    assert [f.property for f in failures] == ["hooks"]


# ------------------------------------------------------------------------------------ state compatibility


def test_a_state_from_before_hooks_and_notifications_has_no_diff() -> None:
    """An AliasShift created before these properties existed (e394ea5) previews as no change."""
    olds = {**shift(version_id="2"), "health": None, "time_budget": None, "force": None, "fingerprint": "fp",
            "canary_version": None, "canary_weight": 0.0, "canary_percent": 0, "status": "promoted", "history": [],
            "target_version": "2", "reason": "", "rejected_version": None, "rejected_fingerprints": []}
    news = shift(version_id="2", fingerprint="fp")
    assert AliasShiftProvider().diff("svc:prod", olds, news).changes is False
    assert AliasShiftProvider().diff("svc:prod", olds, {**news, "hooks": {"post_traffic": "fn"}}).changes is True


def test_unset_hooks_and_notifications_are_not_stored(two_versions: Any) -> None:
    outs = provider(two_versions).create(shift()).outs
    assert outs is not None and "hooks" not in outs and "notifications" not in outs


# ------------------------------------------------------------------------------------------ notifications


@pytest.mark.parametrize("spec", [
    {"type": "webhook", "url": f"https://example.test/{TOKEN}"},
    {"type": "slack", "url_env": "SLACK", "secret": SECRET},
    {"type": "dingtalk", "url_env": f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}"},
    {"type": "webhook", "url_env": "HOOK", "secret_env": SECRET},
])
def test_a_url_or_secret_in_the_properties_is_refused_without_echoing_it(spec: dict[str, Any]) -> None:
    failures = AliasShiftProvider().check({}, shift(notifications=[spec])).failures
    assert [f.property for f in failures] == ["notifications"]
    assert TOKEN not in failures[0].reason and SECRET not in failures[0].reason


def test_unknown_notification_types_and_keys_are_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="one of webhook, dingtalk, slack"):
        check_notifications([{"type": "email", "url_env": "X"}])
    with pytest.raises(InvalidArgumentError, match="unknown notification key"):
        check_notifications([{"type": "webhook", "url_env": "X", "retries": 3}])
    with pytest.raises(InvalidArgumentError, match="not signed"):
        check_notifications([{"type": "slack", "url_env": "X", "secret_env": "Y"}])
    assert build_hooks(None).post is None


def test_an_unset_variable_is_a_warning_not_a_channel() -> None:
    warnings: list[str] = []
    notifier = build_notifier([{"type": "webhook", "url_env": "NOT_SET_HERE", "secret_env": "NOR_THIS"}],
                              environ={}, warn=warnings.append)
    assert notifier is None and warnings == ["webhook notification skipped: environment variable NOT_SET_HERE "
                                             "is not set"]


@pytest.fixture
def receiver() -> Iterator[Callable[[list[int]], tuple[str, list[tuple[dict[str, str], bytes]]]]]:
    """A loopback receiver answering the given statuses in turn (then 200); returns (url, what it got with 200)."""
    servers: list[ThreadingHTTPServer] = []

    def start(statuses: list[int]) -> tuple[str, list[tuple[dict[str, str], bytes]]]:
        got: list[tuple[dict[str, str], bytes]] = []
        pending = list(statuses)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = pending.pop(0) if pending else 200
                if status == 200:
                    got.append((dict(self.headers), body))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{server.server_address[1]}/hooks/{TOKEN}", got

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def quick(monkeypatch: pytest.MonkeyPatch, **defaults: float) -> None:
    """Notifiers built inside the provider retry faster (their defaults; the provider builds its own)."""
    kwdefaults = Notifier.__init__.__kwdefaults__
    assert kwdefaults is not None
    for key, value in defaults.items():
        monkeypatch.setitem(kwdefaults, key, value)


@pytest.fixture
def emulated(fc_emulator_client: Any) -> Any:
    """svc on the emulator: versions 1 and 2 of fn, alias prod -> 1."""
    client = fc_emulator_client
    client.create_service("svc")
    client.create_function("svc", "fn", "python3.10", "index.handler", code=code_zip(handler_source("v1")))
    client.publish_version("svc")
    client.update_function("svc", "fn", code=code_zip(handler_source("v2")))
    client.publish_version("svc")
    client.create_alias("svc", "prod", "1")
    return client


def test_notifications_reach_a_receiver_that_answers_500_twice_and_no_secret_reaches_state(
        emulated: Any, receiver: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    url, got = receiver([500, 500])
    monkeypatch.setenv("SHOP_HOOK_URL", url)
    monkeypatch.setenv("SHOP_HOOK_SECRET", SECRET)
    quick(monkeypatch, backoff=0.01)
    p = provider(emulated)
    outs = p.create(shift()).outs
    assert outs is not None
    news = shift(version_id="2", fingerprint="fp2",
                 notifications=[{"type": "webhook", "url_env": "SHOP_HOOK_URL", "secret_env": "SHOP_HOOK_SECRET"}])
    assert p.check(outs, news).failures == []
    done = p.update("svc:prod", outs, news).outs
    assert done is not None and done["status"] == "promoted"  # the 500s changed nothing
    kinds = [json.loads(body)["kind"] for _, body in got]
    assert kinds == ["start", "weight", "weight", "promoted"]
    for headers, body in got:
        ts = headers["X-Fcinfra-Timestamp"]
        want = "sha256=" + hmac.new(SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["X-Fcinfra-Signature"], want)
    # Neither the pickled provider nor the inputs and outputs Pulumi stores carry the URL's token or the secret.
    raw = base64.b64decode(serialize_provider(p))
    assert type(dill.loads(raw)) is AliasShiftProvider
    stored = json.dumps([news, done]) + raw.decode("latin-1")
    for secret in (TOKEN, SECRET, url):
        assert secret not in stored
    assert done["notifications"] == news["notifications"]  # only the variables' names
    tags = json.dumps(emulated.service_tags("svc"))
    assert TOKEN not in tags and SECRET not in tags


def test_a_dead_receiver_never_changes_the_outcome(emulated: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEAD_HOOK", f"http://127.0.0.1:9/{TOKEN}")  # discard port: nothing listens
    quick(monkeypatch, backoff=0.01, attempts=2)
    warnings: list[str] = []
    monkeypatch.setattr("fcinfra.providers.alias_shift._warn", warnings.append)
    p = provider(emulated)
    outs = p.create(shift()).outs
    assert outs is not None
    done = p.update("svc:prod", outs, shift(version_id="2", notifications=[{"type": "slack",
                                                                             "url_env": "DEAD_HOOK"}])).outs
    assert done is not None and done["status"] == "promoted"
    assert warnings and all("slack at 127.0.0.1:9" in w and TOKEN not in w for w in warnings)


# ---------------------------------------------------------------------------------------------- history


def test_a_pulumi_rollback_is_in_history_and_a_later_cli_run_refuses_it_unless_forced(
        fc_emulator: Any, emulated: Any) -> None:
    from fcinfra.cli.main import cli
    from fcinfra.testing.plugin import TEST_ACCESS_KEY_ID, TEST_ACCESS_KEY_SECRET

    emulated.create_function("svc", "smoke", "python3.10", "index.handler",
                             code=code_zip('import json\ndef handler(event, context):\n'
                                           '    return json.dumps({"status": "failed", "reason": "smoke"})\n'))
    p = provider(emulated)
    outs = p.create(shift()).outs
    assert outs is not None
    done = p.update("svc:prod", outs, shift(version_id="2", fingerprint="fp2",
                                            hooks={"post_traffic": "smoke"})).outs
    assert done is not None and done["status"] == "rolled_back"
    entries = history.read(emulated, "svc", "prod")
    assert [(e.from_version, e.to_version, e.outcome, e.by) for e in entries] == [
        ("1", "2", "rolled_back", TEST_ACCESS_KEY_ID)]

    env = {"FC_ENDPOINT": fc_emulator.endpoint, "ALIBABA_CLOUD_ACCOUNT_ID": fc_emulator.account_id,
           "ALIBABA_CLOUD_REGION": fc_emulator.region, "ALIBABA_CLOUD_ACCESS_KEY_ID": TEST_ACCESS_KEY_ID,
           "ALIBABA_CLOUD_ACCESS_KEY_SECRET": TEST_ACCESS_KEY_SECRET}
    runner = CliRunner()
    shown = runner.invoke(cli, ["history", "svc", "prod", "-o", "json"], env=env, catch_exceptions=False)
    assert [e["outcome"] for e in json.loads(shown.stdout)] == ["rolled_back"]
    refused = runner.invoke(cli, ["rollout", "svc", "prod", "2", "--steps", "100", "-o", "json"], env=env,
                            catch_exceptions=False)
    assert refused.exit_code == 2 and "was rolled back" in refused.output
    assert emulated.get_alias("svc", "prod").version_id == "1"
    forced = runner.invoke(cli, ["rollout", "svc", "prod", "2", "--steps", "100", "--force", "-o", "json"],
                           env=env, catch_exceptions=False)
    assert forced.exit_code == 0, forced.output
    assert [e.outcome for e in history.read(emulated, "svc", "prod")] == ["rolled_back", "promoted"]


def test_fc3_hooks_are_functions_not_service_slash_function() -> None:
    from fcinfra.providers.function_alias_shift import FunctionAliasShiftProvider

    assert FunctionAliasShiftProvider().check({}, shift(hooks={"post_traffic": "fn"})).failures == []
    failures = FunctionAliasShiftProvider().check({}, shift(hooks={"post_traffic": "svc/fn"})).failures
    assert [f.property for f in failures] == ["hooks"] and "FC 3.0 has no services" in failures[0].reason
    assert FunctionAliasShiftProvider().check({}, shift(notifications=[{"type": "slack", "url_env": "X"}])).failures \
        == []
