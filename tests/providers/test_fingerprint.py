"""The fingerprint covers what a version snapshots, and nothing else."""

from __future__ import annotations

from fcinfra.providers.fingerprint import code_digest, fingerprint

SERVICE = {"description": "shop", "role": None}
FUNCTIONS = {"api": {"runtime": "python3.10", "handler": "index.handler", "memory_size": 256,
                     "code": code_digest(b"zip-v1")}}


def test_stable_and_order_independent() -> None:
    swapped = {"api": dict(reversed(list(FUNCTIONS["api"].items())))}
    assert fingerprint(SERVICE, FUNCTIONS) == fingerprint(SERVICE, swapped)
    assert fingerprint(SERVICE, FUNCTIONS) == fingerprint(SERVICE, {"api": {**FUNCTIONS["api"], "memory_size": 256.0}})


def test_code_and_config_change_it() -> None:
    base = fingerprint(SERVICE, FUNCTIONS)
    assert fingerprint(SERVICE, {"api": {**FUNCTIONS["api"], "code": code_digest(b"zip-v2")}}) != base
    assert fingerprint(SERVICE, {"api": {**FUNCTIONS["api"], "timeout": 10}}) != base
    assert fingerprint({**SERVICE, "description": "new"}, FUNCTIONS) != base
    assert fingerprint(SERVICE, {**FUNCTIONS, "worker": FUNCTIONS["api"]}) != base


def test_what_a_version_does_not_snapshot_does_not_change_it() -> None:
    base = fingerprint(SERVICE, FUNCTIONS)
    assert fingerprint({**SERVICE, "tags": {"team": "a"}}, FUNCTIONS) == base
    assert fingerprint(SERVICE, {"api": {**FUNCTIONS["api"], "filename": "/tmp/elsewhere.zip"}}) == base
