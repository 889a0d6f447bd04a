"""The one error tree of fcinfra.

Everything fcinfra raises derives from :class:`FcinfraError`, so ``except FcinfraError`` is enough for
callers. Errors that Function Compute answered derive from :class:`FcApiError` and carry FC's own code,
HTTP status, message and request id::

    FcinfraError
    ├── InvalidArgumentError (also ValueError)    bad input caught before any request is sent
    ├── ConfigurationError                        missing credentials, endpoint, account or region
    ├── FcConnectionError                         no answer from FC (after retries)
    │   ├── ConnectionNotEstablished              nothing was sent (connect failure or timeout)
    │   │   └── CredentialsUnavailableError       STS / metadata / credentials URI did not answer
    │   └── CertificateNotTrusted                 the server's TLS certificate was not trusted
    ├── EmulatorError (also RuntimeError)         the emulator could not start or serve
    ├── AmbiguousPublishError                     a publish whose outcome could not be established
    ├── VersionInUseError                         fcinfra refuses to delete a referenced version
    ├── RolloutError                              a rollout could not run or was stopped
    │   └── AliasChangedError                     someone else changed the alias mid-rollout
    ├── GateSourceError                           a traffic gate could not read its source (SLS, CMS, Prometheus)
    └── FcApiError                                .code .status .message .request_id
        ├── InvalidRequestError (400)
        │   └── NoChangesToPublishError           "No changes were made since last publish"
        ├── AccessDeniedError (403)
        ├── NotFoundError (404)
        ├── ConflictError (409)
        ├── PreconditionFailedError (412)
        ├── ThrottledError (429, 503 ResourceThrottled)
        └── ServerError (5xx)
"""

from __future__ import annotations

from collections.abc import Sequence


class FcinfraError(Exception):
    """Base of every error fcinfra raises."""


class InvalidArgumentError(FcinfraError, ValueError):
    """Input rejected on the client side, before anything was sent or changed."""


class ConfigurationError(FcinfraError):
    """Settings needed to reach FC (credentials, account, region, endpoint) are missing or invalid."""


class FcConnectionError(FcinfraError):
    """FC could not be reached, or the connection broke, and retries did not help."""


class ConnectionNotEstablished(FcConnectionError):
    """FC could not be reached at all (connect failure or connect timeout): nothing was sent."""


class CredentialsUnavailableError(ConnectionNotEstablished):
    """Temporary credentials could not be fetched: STS, the ECS metadata service or a credentials URI did not
    answer or answered 5xx. Nothing was sent to FC, so the client retries it like a refused connection."""


class CertificateNotTrusted(FcConnectionError):
    """The server's TLS certificate was not trusted: retrying cannot help, configuration can."""


class EmulatorError(FcinfraError, RuntimeError):
    """The emulator could not start (busy port, unreadable state file, bad key) or serve."""


class AmbiguousPublishError(FcinfraError):
    """A publish may or may not have created a version, and the service could not tell us which."""


class RolloutError(FcinfraError):
    """A rollout could not start, or was stopped before it finished."""


class GateSourceError(FcinfraError):
    """A traffic gate's source (Log Service, CloudMonitor, Prometheus) refused or failed a query.

    The rollout treats it like any failing gate (the canary is rolled back, never promoted blind).
    """


class AliasChangedError(RolloutError):
    """The alias was changed by someone else during a rollout; the rollout stopped without writing."""


class ReleaseCheckError(InvalidArgumentError):
    """A release asked for something that is not there (a version, an alias, a probe function) or not a change;
    found before any traffic moved, with nothing written."""


class AliasInUseError(FcinfraError):
    """Deleting an alias was refused because triggers still invoke it (they would fail with 404 afterwards).

    ``triggers`` names each as ``function/trigger``.
    """

    def __init__(self, service: str, alias: str, triggers: list[str], owner: str = "service") -> None:
        # ``owner`` is "function" on FC 3.0, where aliases belong to a function (``service`` then holds its name).
        self.service, self.alias, self.triggers, self.owner = service, alias, list(triggers), owner
        cli = "fcinfra fc3" if owner == "function" else "fcinfra"
        super().__init__(f"alias {alias} of {owner} {service} is used by trigger{'s' if len(triggers) > 1 else ''} "
                         f"{', '.join(triggers)}: bind {'them' if len(triggers) > 1 else 'it'} elsewhere first "
                         f"(`{cli} trigger bind`)")

    def __reduce__(self) -> tuple[type[AliasInUseError], tuple[str, str, list[str], str]]:
        return type(self), (self.service, self.alias, self.triggers, self.owner)


class NotificationError(FcinfraError):
    """A rollout notification could not be delivered (never changes the rollout's outcome; names only the host)."""


class VersionInUseError(FcinfraError):
    """Deleting a version was refused because aliases or triggers still refer to it.

    ``referrers`` names each one, e.g. ``["alias prod", "trigger fn/http-prod (via alias prod)"]``.
    """

    def __init__(self, service: str, version_id: str, referrers: Sequence[str], owner: str = "service") -> None:
        # ``owner`` is "function" on FC 3.0, where versions belong to a function (``service`` then holds its name).
        self.service = service
        self.version_id = version_id
        self.referrers = list(referrers)
        self.owner = owner
        super().__init__(
            f"version {version_id} of {owner} {service!r} is still in use by: "
            + ", ".join(self.referrers)
            + "; point them at another version or delete them first"
        )

    def __reduce__(self) -> tuple[type[VersionInUseError], tuple[str, str, list[str], str]]:
        # Keep the error copyable and picklable (multiprocessing, pytest-xdist): rebuild from the fields.
        return type(self), (self.service, self.version_id, self.referrers, self.owner)


class FcApiError(FcinfraError):
    """An error answered by Function Compute."""

    def __init__(
        self,
        code: str,
        message: str,
        status: int,
        request_id: str | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.status = status
        self.request_id = request_id
        self.method = method
        self.path = path
        where = f" ({method} {path})" if method and path else ""
        rid = f" [request id {request_id}]" if request_id else ""
        super().__init__(f"{status} {code}: {message}{where}{rid}")

    def __reduce__(self) -> tuple[type[FcApiError], tuple[str, str, int, str | None, str | None, str | None]]:
        # Keep the error copyable and picklable (multiprocessing, pytest-xdist): rebuild from the fields.
        return type(self), (self.code, self.message, self.status, self.request_id, self.method, self.path)


class InvalidRequestError(FcApiError):
    """FC rejected the request as invalid (400)."""


class NoChangesToPublishError(InvalidRequestError):
    """Nothing changed in the service or its functions since the last published version."""


class AccessDeniedError(FcApiError):
    """403: bad signature, unknown access key, or not allowed."""


class NotFoundError(FcApiError):
    """404: the service, function, version, alias or trigger does not exist."""


class ConflictError(FcApiError):
    """409: the resource already exists, or a concurrent update conflicted."""


class PreconditionFailedError(FcApiError):
    """412: the ``If-Match`` ETag no longer matches; someone else changed the resource."""


class ThrottledError(FcApiError):
    """429 ``ResourceExhausted`` or 503 ``ResourceThrottled``: retry later."""


class ServerError(FcApiError):
    """5xx: FC failed on its side."""


NO_CHANGES_MESSAGE = "No changes were made since last publish"


def error_for(
    status: int,
    code: str,
    message: str,
    request_id: str | None = None,
    method: str | None = None,
    path: str | None = None,
) -> FcApiError:
    """Map an FC error answer onto the error tree."""
    cls: type[FcApiError]
    if code == "VersionPublishError" or NO_CHANGES_MESSAGE.lower() in message.lower():
        cls = NoChangesToPublishError
    elif status == 412 or code == "PreconditionFailed":
        cls = PreconditionFailedError
    elif status == 403 or code in {"SignatureNotMatch", "InvalidAccessKeyID", "AccessDenied"}:
        cls = AccessDeniedError
    elif status == 404:
        cls = NotFoundError
    elif status == 409:
        cls = ConflictError
    elif status == 429 or code in {"ResourceExhausted", "ResourceThrottled"}:
        cls = ThrottledError
    elif status >= 500:
        cls = ServerError
    elif status == 400:
        cls = InvalidRequestError
    else:
        cls = FcApiError
    return cls(code, message, status, request_id, method, path)
