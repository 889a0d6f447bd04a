"""How the observability services accept temporary (STS) keys: the fake STS is asked, as FC's verifier asks it."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Temporary"]

# (access key id, security token or None) -> (secret, None) for a usable key, (None, (code, message)) for a
# refused one (expired, missing or mismatched token), (None, None) for a key STS never issued.
Temporary = Callable[[str, str | None], tuple[str | None, tuple[str, str] | None]]
