"""The abort mark (rollout/abort.py) and how decide() ends a rollout it names: aborted, not rolled back."""

from __future__ import annotations

from fcinfra.rollout import Steps
from fcinfra.rollout.abort import AbortMark, render, split
from fcinfra.rollout.engine import AliasView, Finish, Policy, Progress, Signals, decide

PLAN = Steps([10, 50], interval=30).plan()


def test_the_mark_round_trips_after_the_users_text_and_fits_fcs_limit() -> None:
    mark = AbortMark("0123abcd", "LTAI-key")
    text = render("production traffic", mark)
    assert text == "production traffic [fcinfra-abort 0123abcd by=LTAI-key]"
    assert split(text) == ("production traffic", mark)
    assert split("production traffic") == ("production traffic", None)
    long = render("x" * 300, mark)
    assert len(long) <= 256 and split(long)[1] == mark


def test_decide_reports_aborted_only_when_the_alias_names_this_rollouts_abort() -> None:
    progress = Progress("1", "2", 0, 0.0, AliasView("1", "2", 10))
    policy = Policy(has_health=True)
    plain = decide(PLAN, AliasView("1"), progress, None, 5, policy, Signals())
    aborted = decide(PLAN, AliasView("1"), progress, None, 5, policy,
                     Signals(aborted="aborted by LTAI-key (`fcinfra abort`)"))
    assert plain == Finish("rolled_back", "rolled back by someone else: version 1 alone")
    assert aborted == Finish("aborted", "aborted by LTAI-key (`fcinfra abort`): version 1 alone")
