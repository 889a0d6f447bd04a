"""Release history in service tags: packing within FC's limits, roll-off, and the two questions it answers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fcinfra.fake.server import Emulator
from fcinfra.fc import FcClient
from fcinfra.fc.tagging import MAX_TAGS, MAX_VALUE_LENGTH, check_tags
from fcinfra.history import (
    HISTORY_TAGS,
    Entry,
    decode,
    encode,
    read,
    record,
    refusal,
    try_record,
    undo_target,
)


def e(alias: str, frm: str, to: str, outcome: str, at: int = 1_700_000_000, reason: str = "") -> Entry:
    return Entry(at, alias, frm, to, outcome, "LTAI-key", reason)


def test_a_long_reason_is_cut_to_fcs_value_limit_and_urls_are_dropped() -> None:
    entry = e("prod", "1", "2", "rolled_back", reason="error rate 40% > 5% at https://hooks.example.com/T0/secret "
                                                       + "x" * 300)
    value = encode(entry)
    assert len(value) <= MAX_VALUE_LENGTH
    assert "https://" not in value and "secret" not in value
    check_tags({"fcinfra-release-1": value})  # FC's own rules accept it
    back = decode(7, value)
    assert back is not None
    assert (back.alias, back.from_version, back.to_version, back.outcome, back.by, back.seq) == \
        ("prod", "1", "2", "rolled_back", "LTAI-key", 7)
    assert back.reason.startswith("error rate 40% > 5% at <url>") and back.reason.endswith("...")


def test_values_not_in_the_format_are_ignored() -> None:
    assert decode(1, "hello") is None
    assert decode(1, "9;1;prod;1;2;promoted;k;r") is None


def test_refusal_is_the_latest_word_on_that_version() -> None:
    history = [e("prod", "1", "2", "rolled_back"), e("staging", "1", "3", "rolled_back")]
    assert refusal(history, "prod", "2") == history[0]
    assert refusal(history, "prod", "3") is None  # another alias's rollback
    assert refusal([*history, e("prod", "1", "2", "promoted")], "prod", "2") is None  # later promoted (--force)
    assert refusal([e("prod", "1", "2", "promoted"), e("prod", "1", "2", "undone")], "prod", "2") is not None


def test_undo_target_follows_promotions_back() -> None:
    history = [e("prod", "1", "2", "promoted"), e("staging", "5", "3", "promoted"), e("prod", "2", "3", "promoted")]
    assert undo_target(history, "prod", "3") == "2"
    assert undo_target([*history, e("prod", "2", "3", "undone")], "prod", "2") == "1"  # undo again: one further
    assert undo_target(history, "prod", "9") is None
    assert undo_target([], "prod", "3") is None


@pytest.fixture(scope="module")
def client() -> Iterator[FcClient]:
    with Emulator(port=0, access_keys={"AK": "SK"}, save_interval=None) as emu, \
            FcClient(emu.account_id, emu.region, "AK", "SK", endpoint=emu.endpoint) as c:
        yield c


def test_older_entries_roll_off_and_the_users_tags_are_left_alone(client: FcClient) -> None:
    client.create_service("hist1")
    client.tag_service("hist1", {"team": "shop"})
    for n in range(HISTORY_TAGS + 3):
        record(client, "hist1", e("prod", str(n), str(n + 1), "promoted", at=1_700_000_000 + n))
    entries = read(client, "hist1", "prod")
    assert [x.to_version for x in entries] == [str(n + 1) for n in range(3, HISTORY_TAGS + 3)]
    assert [x.seq for x in entries] == list(range(4, HISTORY_TAGS + 4))
    assert client.service_tags("hist1")["team"] == "shop"
    assert len(client.service_tags("hist1")) == HISTORY_TAGS + 1


def test_history_yields_to_the_users_own_tags_and_never_raises(client: FcClient) -> None:
    client.create_service("hist2")
    client.tag_service("hist2", {f"own{i}": "v" for i in range(MAX_TAGS - 2)})
    for n in range(4):
        assert try_record(client, "hist2", e("prod", "1", str(n + 2), "promoted"))[1] is None
    assert len(read(client, "hist2")) == 2  # only the two free tags
    client.untag_service("hist2", [k for k in client.service_tags("hist2") if k.startswith("fcinfra-")])
    client.tag_service("hist2", {"own18": "v", "own19": "v"})
    assert len(client.service_tags("hist2")) == MAX_TAGS
    stored, why = try_record(client, "hist2", e("prod", "1", "2", "promoted"))
    assert stored is None and why is not None and "none of FC's 20" in why
    stored, why = try_record(client, "no-such-service", e("prod", "1", "2", "promoted"))
    assert stored is None and why is not None and "not recorded" in why
