"""promote / rollback / status: one read and at most one conditional write each."""

from __future__ import annotations

from typing import Any

import pytest

from fcinfra.errors import AliasChangedError, InvalidArgumentError, RolloutError
from fcinfra.rollout import Steps, promote, rollback, status

World = Any


def test_promote_finishes_a_split_in_one_write(world: World) -> None:
    world.client.update_alias("svc", "prod", additional_version_weight={"2": 0.25})
    world.wire.clear()
    result = promote(world.client, "svc", "prod")
    assert result.status == "promoted" and result.to_version == "2" and result.from_version == "1"
    assert world.split() == ("2", {})
    assert world.ops("UpdateAlias") == 1 and world.ops("GetAlias") == 2  # 1 + our own check


def test_promote_explicit_version_and_idempotence(world: World) -> None:
    assert promote(world.client, "svc", "prod", to_version="3").history == [100]
    world.wire.clear()
    again = promote(world.client, "svc", "prod", to_version="3")
    assert again.history == [] and world.ops("UpdateAlias") == 0
    assert world.split() == ("3", {})


def test_promote_with_nothing_to_promote_is_an_error(world: World) -> None:
    with pytest.raises(RolloutError, match="nothing to promote"):
        promote(world.client, "svc", "prod")
    with pytest.raises(InvalidArgumentError):
        promote(world.client, "svc", "prod", to_version="x")


def test_rollback_restores_main_alone(world: World) -> None:
    world.client.update_alias("svc", "prod", additional_version_weight={"2": 0.5})
    result = rollback(world.client, "svc", "prod")
    assert result.status == "rolled_back" and result.history == [0]
    assert world.split() == ("1", {})
    world.wire.clear()
    again = rollback(world.client, "svc", "prod")  # a stable alias: nothing to do, like --to-version to it
    assert (again.status, again.history, world.ops("UpdateAlias")) == ("rolled_back", [], 0)
    assert again.reason == "nothing to do: svc/prod already sends all traffic to version 1"


def test_rollback_to_an_older_version_undoes_a_promotion(world: World) -> None:
    promote(world.client, "svc", "prod", to_version="2")
    rollback(world.client, "svc", "prod", to_version="1")
    assert world.split() == ("1", {})


def test_promote_racing_another_writer_raises_alias_changed(world: World) -> None:
    world.client.update_alias("svc", "prod", additional_version_weight={"2": 0.5})
    real_get = world.client.get_alias

    def racy(service: str, name: str) -> Any:
        alias = real_get(service, name)
        world.client.update_alias(service, name, additional_version_weight={"2": 0.9})
        return alias

    world.client.get_alias = racy
    with pytest.raises(AliasChangedError):
        promote(world.client, "svc", "prod")
    world.client.get_alias = real_get
    assert world.split() == ("1", {"2": 0.9})


def test_status_stable_and_in_progress(world: World) -> None:
    st = status(world.client, "svc", "prod")
    assert (st.state, st.main_version, st.canary_version, st.canary_weight) == ("stable", "1", None, 0)
    world.client.update_alias("svc", "prod", additional_version_weight={"2": 0.25})
    st = status(world.client, "svc", "prod", strategy=Steps([10, 25, 50, 100], interval=30))
    assert (st.state, st.canary_version, st.canary_weight, st.raw_weight) == ("rollout_in_progress", "2", 25, 0.25)
    assert st.next_weights == [50, 100]
    assert st.remaining_seconds == 60
    assert "fcinfra promote" in st.description and "resumes at 25%" in st.description
    assert st.to_dict()["canary_weight"] == 25


def test_nothing_to_do_errors_name_no_parameter(world: World) -> None:
    """The texts reach CLI users and library users alike: they say what to name, not which argument."""
    with pytest.raises(RolloutError) as promoted:
        promote(world.client, "svc", "prod")
    assert str(promoted.value).endswith("sends all traffic to version 1 and has no canary; name the version to promote")
    assert "to_version" not in str(promoted.value)


def test_promote_moves_a_rollout_one_step_and_full_goes_to_100(world: World) -> None:
    from fcinfra.rollout.lease import Lease, render, split

    lease = Lease("0badc0de", "2", 50, 0, "ci@x")  # expired: the rollout waits at its manual pause
    world.client.update_alias("svc", "prod", additional_version_weight={"2": 0.25},
                              description=render("prod traffic", lease))
    step = promote(world.client, "svc", "prod")
    assert (step.status, step.history) == ("in_progress", [50])
    assert world.split() == ("1", {"2": 0.5})
    assert split(world.alias().description) == ("prod traffic", lease)  # the rollout's lease stays with it

    full = promote(world.client, "svc", "prod", full=True)
    assert (full.status, full.history) == ("promoted", [100])
    assert world.split() == ("2", {}) and world.alias().description == "prod traffic"


def test_promote_of_an_older_version_and_rollback_to_a_newer_one_are_refused(world: World) -> None:
    from fcinfra.errors import ReleaseCheckError

    promote(world.client, "svc", "prod", to_version="2")
    world.wire.clear()
    with pytest.raises(ReleaseCheckError, match="version 1 is older than version 2, the main version"):
        promote(world.client, "svc", "prod", to_version="1")
    with pytest.raises(ReleaseCheckError, match="version 3 is newer than version 2, the main version"):
        rollback(world.client, "svc", "prod", to_version="3")
    assert world.ops("UpdateAlias") == 0 and world.split() == ("2", {})


def test_status_names_a_live_rollout_moving_the_alias(world: World) -> None:
    from fcinfra.rollout.lease import Lease, render

    world.client.update_alias("svc", "prod", additional_version_weight={"2": 0.1},
                              description=render("", Lease("0badc0de", "2", 25, 2_000_000_000, "ci@x")))
    live = status(world.client, "svc", "prod", wall_now=1_999_999_000)
    ended = status(world.client, "svc", "prod", wall_now=2_000_000_001)
    assert live.description.endswith("; rollout 0badc0de of version 2 by ci@x (lease until 2033-05-18T03:33:20Z) "
                                     "is moving it now")
    assert "is moving it now" not in ended.description
