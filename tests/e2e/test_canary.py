"""2.2 / 2.3: ``examples/canary`` with the real engine: promotion, rollback, time budget, preview."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Pulumi

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

SERVICE = "fcinfra-canary"


def canary(make_pulumi, interval: int = 1) -> Pulumi:
    p = make_pulumi("examples/canary")
    p.config("stepInterval", str(interval))
    return p


def test_healthy_promoted_bad_rolled_back_and_never_canaried_again(make_pulumi) -> None:
    p = canary(make_pulumi)
    fc = p.emulator.client()
    p.up()
    assert fc.get_alias(SERVICE, "prod").version_id == "1"

    p.config("codeDir", "../functions/v2")
    p.up()
    outputs = p.outputs()
    assert outputs["status"] == "promoted" and outputs["live_version"] == "2"
    alias = fc.get_alias(SERVICE, "prod")
    assert alias.version_id == "2" and not alias.additional_version_weight

    p.config("codeDir", "../functions/v3")
    failed = p.up(check=False)
    assert failed.returncode != 0
    assert "version 3 was rolled back" in failed.stdout + failed.stderr
    alias = fc.get_alias(SERVICE, "prod")
    assert alias.version_id == "2" and not alias.additional_version_weight
    touched = alias.last_modified_time

    again = p.up(check=False)
    assert again.returncode != 0
    assert "version 3 was rolled back" in again.stdout + again.stderr
    assert sorted((v.version_id for v in fc.list_versions(SERVICE)), key=int) == ["1", "2", "3"]
    assert fc.get_alias(SERVICE, "prod").last_modified_time == touched  # no traffic moved this time


def test_time_budget_shorter_than_rollout_finishes_over_two_ups(make_pulumi) -> None:
    p = canary(make_pulumi, interval=2)
    fc = p.emulator.client()
    p.up()
    p.config("codeDir", "../functions/v2")
    p.config("timeBudget", "5")  # 10 % and 25 % fit with their bakes; 50 % would not
    first = p.up()
    assert "reached its time budget" in first.stdout + first.stderr
    assert p.outputs()["status"] == "in_progress"
    alias = fc.get_alias(SERVICE, "prod")
    assert alias.version_id == "1" and alias.additional_version_weight  # part-way: v2 has a canary weight
    p.config("timeBudget", "900")
    p.up()
    assert p.outputs()["status"] == "promoted"
    assert fc.get_alias(SERVICE, "prod").version_id == "2"


def test_preview_shows_schedule_and_survives_an_earlier_rollback(make_pulumi) -> None:
    p = canary(make_pulumi)
    p.up()
    p.config("codeDir", "../functions/v3")
    preview = p.run("preview")
    text = preview.stdout + preview.stderr
    assert "10% -> 25% -> 50% -> 100%" in text
    assert "invoke quote" in text and "max error rate 5%" in text
    assert "total" in text
    assert p.up(check=False).returncode != 0  # v3 is rolled back
    again = p.run("preview")  # a preview after a rollback does not fail
    assert again.returncode == 0
