"""The lease kept in an alias description: parsed back exactly, never eating the user's text, within FC's limit."""

from __future__ import annotations

import pytest

from fcinfra.rollout.lease import DESCRIPTION_LIMIT, Lease, new_holder, render, split

LEASE = Lease("3fa9c2d1", "4", 50, 1_795_000_000, "ci@runner-7")


@pytest.mark.parametrize("own", ["", "production traffic", "x" * 256, "has [brackets] in it"])
def test_render_then_split_gives_back_the_lease_and_the_users_text(own: str) -> None:
    text = render(own, LEASE)
    assert len(text) <= DESCRIPTION_LIMIT
    back, lease = split(text)
    assert lease == LEASE
    assert own.startswith(back) and (back == own or len(own) + len(LEASE.text()) + 1 > DESCRIPTION_LIMIT)


def test_a_description_without_a_lease_is_the_users_alone() -> None:
    assert split("prod [fcinfra-rollout nothex to=4]") == ("prod [fcinfra-rollout nothex to=4]", None)
    assert split(None) == ("", None)
    assert render("prod", None) == "prod"


def test_live_until_its_expiry_only() -> None:
    assert LEASE.live(1_794_999_999.5) and not LEASE.live(1_795_000_000)
    assert LEASE.renewed(100, 1_795_000_100.2) == Lease("3fa9c2d1", "4", 100, 1_795_000_101, "ci@runner-7")
    assert LEASE.describe() == "rollout 3fa9c2d1 of version 4 by ci@runner-7 (lease until 2026-11-18T11:06:40Z)"


def test_holders_are_distinct_and_short() -> None:
    (a, holder), (b, _) = new_holder(), new_holder()
    assert a != b and len(a) == 8 and 0 < len(holder) <= 40


def test_stable_lease_ids_name_one_owner() -> None:
    from fcinfra.rollout.lease import is_lease_id, stable_lease_id
    first = stable_lease_id("pulumi", "fc2", "shop", "prod")
    assert is_lease_id(first) and first == stable_lease_id("pulumi", "fc2", "shop", "prod")
    assert first != stable_lease_id("pulumi", "fc2", "shop", "staging")
    assert not is_lease_id("ABCDEF12") and not is_lease_id("abc")
