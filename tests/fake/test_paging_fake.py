"""Pure pagination rules (no HTTP)."""

from __future__ import annotations

import pytest

from fcinfra.fake.exceptions import FakeApiError
from fcinfra.fake.paging import decode_token, encode_token, name_page, page_by_name, page_versions, version_page


def test_token_round_trip_and_garbage() -> None:
    assert decode_token(encode_token("svc-1")) == "svc-1"
    for bad in ("", "abc", encode_token("x")[:-3] + "!!!"):
        with pytest.raises(FakeApiError):
            decode_token(bad)


def test_pages_stay_correct_when_items_change_between_calls() -> None:
    names = [f"n{i}" for i in range(6)]
    first = page_by_name(names, str, name_page({"limit": "2"}))
    assert first.items == ["n0", "n1"]
    names.remove("n2")  # the next page's first item disappears
    names.append("a0")  # and an item sorting before the token appears
    second = page_by_name(names, str, name_page({"limit": "2", "nextToken": first.next_token or ""}))
    assert second.items == ["n3", "n4"]


def test_start_key_and_token_combine_as_the_larger_bound() -> None:
    names = [f"n{i}" for i in range(6)]
    page = page_by_name(names, str, name_page({"startKey": "n4", "nextToken": encode_token("n1")}))
    assert page.items == ["n4", "n5"] and page.next_token is None


def test_versions_backward_and_forward_with_gaps() -> None:
    numbers = [1, 3, 4, 7, 9]
    back = page_versions(numbers, version_page({"limit": "2"}))
    assert back.items == [9, 7]
    back2 = page_versions(numbers, version_page({"limit": "2", "nextToken": back.next_token or ""}))
    assert back2.items == [4, 3]
    fwd = page_versions(numbers, version_page({"direction": "forward", "startKey": "2"}))
    assert fwd.items == [3, 4, 7, 9]
    with pytest.raises(FakeApiError):
        version_page({"startKey": "LATEST"})
