"""check_release: what a typo gets wrong is found with reads only, before any traffic moves."""

from __future__ import annotations

from typing import Any

import pytest

from fcinfra.errors import ReleaseCheckError
from fcinfra.rollout.preflight import check_release

World = Any


@pytest.mark.parametrize(("args", "message"), [
    (("svc", "nope", "2", ()), "alias 'nope' of service 'svc' does not exist (AliasNotFound)"),
    (("nosvc", "prod", "2", ()), "alias 'prod' of service 'nosvc' does not exist"),
    (("svc", "prod", "7", ()), "version 7 of service 'svc' does not exist; the newest is 3"),
    (("svc", "prod", "1", ()), "version 1 already is the main version of alias 'prod' (version 1 alone)"),
    (("svc", "prod", "2", ("fn", "fnn")), "probe function 'fnn' does not exist in service 'svc'"),
])
def test_refusals_write_nothing(world: World, args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(ReleaseCheckError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_release(world.client, *args)
    assert world.ops("UpdateAlias") == 0 and world.ops("InvokeFunction") == 0


def test_a_sensible_release_returns_the_alias_as_read(world: World) -> None:
    alias = check_release(world.client, "svc", "prod", "3", ["fn"])
    assert (alias.version_id, alias.etag is not None) == ("1", True)
    assert world.ops("UpdateAlias") == 0
