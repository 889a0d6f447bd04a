"""When and how the client retries: exponential backoff with jitter, via tenacity, with an injectable sleep.

Two kinds of failure are told apart, because only one of them may be retried for a call that is not
idempotent:

* *refused* — FC did not run the request (429/503 throttling, or no connection was ever made);
  anything may be resent;
* *transient* — a 5xx, a timeout or a broken connection after the request was sent: the operation
  may or may not have happened; only idempotent calls are resent blindly.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import Retrying, retry_if_exception, stop_after_attempt

from fcinfra.errors import (  # the two connection errors live in errors.py; importable from here as before
    CertificateNotTrusted,
    ConnectionNotEstablished,
    FcConnectionError,
    ServerError,
    ThrottledError,
)

T = TypeVar("T")
__all__ = ["CertificateNotTrusted", "ConnectionNotEstablished", "RetryPolicy", "backoff", "call", "is_refused",
           "is_transient"]


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` counts the first try; waits grow ``initial * 2**n`` up to ``max_wait``, plus jitter."""

    attempts: int = 4
    initial_wait: float = 0.2
    max_wait: float = 5.0
    jitter: float = 0.2

    @classmethod
    def none(cls) -> RetryPolicy:
        """A policy that never retries (one attempt): for tests and callers that retry themselves."""
        return cls(attempts=1)


def is_refused(exc: BaseException) -> bool:
    """The request certainly did not run on FC's side."""
    return isinstance(exc, ThrottledError | ConnectionNotEstablished)


def is_transient(exc: BaseException) -> bool:
    """Worth retrying for an idempotent call."""
    if isinstance(exc, CertificateNotTrusted):
        return False
    return is_refused(exc) or isinstance(exc, ServerError | FcConnectionError)


def call(
    fn: Callable[[], T],
    policy: RetryPolicy,
    sleep: Callable[[float], None],
    retry_on: Callable[[BaseException], bool],
) -> T:
    """Run ``fn``, retrying per ``policy`` while ``retry_on(exc)`` holds; the last error is re-raised."""
    if policy.attempts <= 1:
        return fn()
    try:  # fast path: most calls succeed first time, and need no retry machinery
        return fn()
    except Exception as exc:
        if not retry_on(exc):
            raise
    sleep(backoff(policy, 1))
    retrying = Retrying(
        stop=stop_after_attempt(policy.attempts - 1),
        # tenacity numbers the attempts it makes from 1; ours began one earlier, on the fast path.
        wait=lambda state: backoff(policy, state.attempt_number + 1),
        retry=retry_if_exception(retry_on),
        sleep=sleep,
        reraise=True,
    )
    return retrying(fn)


def backoff(policy: RetryPolicy, failures: int) -> float:
    """Wait after the ``failures``-th failed attempt: ``initial * 2**(failures-1)`` capped, plus jitter."""
    return min(policy.max_wait, policy.initial_wait * 2.0 ** (failures - 1)) + random.uniform(0, policy.jitter)
