"""FC 3.0's error answers as the fake raises them (the shared ``FakeApiError``; FC 3.0 wording and codes).

Statuses and codes follow FC's 2023-03-30 error table where it gives them (FunctionNotFound 404,
InvalidArgument 400, AccessDenied 403, PreconditionFailed 412); where the table prints no status, FC 2.0's
(FC_API.md §7) is used: *AlreadyExists 409, FunctionNotEmpty 400 as the FC 2.0 fake does.
"""

from __future__ import annotations

from fcinfra.fake.exceptions import FakeApiError, invalid

__all__ = [
    "FakeApiError",
    "alias_not_found",
    "already_exists",
    "function_not_found",
    "invalid",
    "precondition_failed",
    "trigger_not_found",
    "version_not_found",
]


def function_not_found(function: str) -> FakeApiError:
    return FakeApiError(404, "FunctionNotFound", f"function '{function}' does not exist.")


def version_not_found(function: str, version: str) -> FakeApiError:
    return FakeApiError(404, "VersionNotFound", f"version '{version}' of function '{function}' does not exist.")


def alias_not_found(function: str, alias: str) -> FakeApiError:
    return FakeApiError(404, "AliasNotFound", f"alias '{alias}' of function '{function}' does not exist.")


def trigger_not_found(function: str, trigger: str) -> FakeApiError:
    return FakeApiError(404, "TriggerNotFound", f"trigger '{trigger}' of function '{function}' does not exist.")


def already_exists(kind: str, name: str, function: str | None = None) -> FakeApiError:
    where = f" in function '{function}'" if function else ""
    return FakeApiError(409, f"{kind}AlreadyExists", f"{kind.lower()} '{name}' already exists{where}.")


def precondition_failed() -> FakeApiError:
    return FakeApiError(412, "PreconditionFailed", "the resource being modified has been changed")
