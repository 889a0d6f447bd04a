"""The fake's own API error: raised anywhere inside the fake, turned into FC's JSON error body at the edge.

The fake must not import ``fcinfra.errors`` (that tree belongs to the client side), so it carries just what
FC puts on the wire: an HTTP status, an ``ErrorCode`` and an ``ErrorMessage``.
"""

from __future__ import annotations


class FakeApiError(Exception):
    """An FC API error answer: ``{"ErrorCode": code, "ErrorMessage": message}`` with HTTP ``status``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def invalid(message: str) -> FakeApiError:
    return FakeApiError(400, "InvalidArgument", message)


def service_not_found(service: str) -> FakeApiError:
    return FakeApiError(404, "ServiceNotFound", f"service '{service}' does not exist")


def function_not_found(service: str, function: str) -> FakeApiError:
    return FakeApiError(404, "FunctionNotFound", f"function '{function}' does not exist in service '{service}'")


def version_not_found(service: str, version: str) -> FakeApiError:
    return FakeApiError(404, "VersionNotFound", f"version '{version}' of service '{service}' does not exist")


def alias_not_found(service: str, alias: str) -> FakeApiError:
    return FakeApiError(404, "AliasNotFound", f"alias '{alias}' of service '{service}' does not exist")


def trigger_not_found(service: str, function: str, trigger: str) -> FakeApiError:
    return FakeApiError(
        404, "TriggerNotFound", f"trigger '{trigger}' does not exist in service '{service}' and function '{function}'"
    )


def precondition_failed() -> FakeApiError:
    return FakeApiError(412, "PreconditionFailed", "the resource being modified has been changed")
