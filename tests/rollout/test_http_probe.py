"""HttpProbe through an anonymous HTTP trigger bound to the alias, attributed by the resolved version."""

from __future__ import annotations

from typing import Any

from fcinfra.rollout import HttpProbe, Rollout, Steps

World = Any


def with_trigger(world: World) -> None:
    """An HTTP function: the handler behind the trigger is a WSGI app (FC 2.0), per version as the world says."""

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        behaviour = world.behaviour.get(environ["fc.context"].service.version_id)
        if behaviour is not None:
            return behaviour(environ, start_response)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"healthy"]

    world.fake.register_handler("svc", "fn", app)
    world.client.create_trigger("svc", "fn", "web", "http", {"authType": "anonymous", "methods": ["GET"]},
                                qualifier="prod")


def run(world: World, **kw: Any) -> Any:
    probe = HttpProbe("fn", "/health", samples=10, max_error_rate=0.0, sign=False, **kw)
    return Rollout(world.client, "svc", "prod", "2", strategy=Steps([20, 60], interval=10), health=[probe],
                   pre_traffic=[probe], sleep=world.clock.sleep, clock=world.clock).run()


def test_http_probe_promotes_healthy_version(world: World) -> None:
    with_trigger(world)
    result = run(world)
    assert result.status == "promoted"
    assert world.ops("HttpTriggerInvoke") > 0
    assert result.verdicts[0].details["canary"]["count"] >= 10
    assert result.verdicts[0].details["canary"]["errors"] == 0


def test_http_probe_rolls_back_on_5xx_of_new_version_only(world: World) -> None:
    with_trigger(world)

    def broken(environ: dict[str, Any], start_response: Any) -> Any:
        raise RuntimeError("502 from the new code")

    world.set_version_behaviour("2", broken)
    result = run(world)
    assert result.status == "rolled_back" and result.history == [20, 0]
    assert result.verdicts[0].details["main"]["errors"] == 0  # old version's answers were not blamed
    assert world.split() == ("1", {})
