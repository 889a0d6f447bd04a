"""The plumbing every FcClient call shares: sending with the right retry rule, recognising a write that
already happened, and following pages. The API methods live in the ``_services``, ``_releases`` and
``_triggers`` mixins, which build on this class; ``FcClient`` (client.py) puts them together."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Self, TypeVar

import requests
from pydantic import BaseModel, ValidationError

from fcinfra.credentials import CredentialSource
from fcinfra.errors import FcApiError, FcinfraError, NotFoundError, PreconditionFailedError
from fcinfra.fc import answers, arguments, retry
from fcinfra.fc.models import check_name, check_qualifier
from fcinfra.fc.retry import RetryPolicy
from fcinfra.fc.transport import Transport

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

PAGE_LIMIT = 100


def _applied(req: BaseModel, current: BaseModel) -> bool:
    """Does ``current`` already hold every field ``req`` sets? (Code cannot be compared: never assumed.)"""
    wanted = req.model_dump(by_alias=True, exclude_none=True)
    if "code" in wanted:
        return False
    have = current.model_dump(by_alias=True)
    return all(have.get(key) == value for key, value in wanted.items())


class ClientCore:
    """Sending, retrying, recovering and paging; set up by ``fcinfra.fc.client.wire_client``."""

    credentials: CredentialSource
    verify: bool | str | None
    account_id: str | None
    region: str | None
    endpoint: str
    retry_policy: RetryPolicy
    _transport: Transport
    _sleep: Callable[[float], None]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(endpoint={self.endpoint!r}, credentials={self.credentials.description!r})"

    def __getstate__(self) -> None:
        raise TypeError(f"{type(self).__name__} holds credentials and is not picklable; build one where it is needed")

    @property
    def session(self) -> requests.Session:
        """The one reused ``requests.Session`` (keep-alive; ``responses`` and test adapters hook in here)."""
        return self._transport.session

    @property
    def calls(self) -> Counter[str]:
        """HTTP attempts per FC operation name (``GetAlias``, ``UpdateAlias``, ...) since this client was made."""
        return self._transport.calls

    def close(self) -> None:
        """Release the session's pooled connections; the client is not usable afterwards."""
        self._transport.session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        body: BaseModel | Mapping[str, Any] | None = None,
        query: list[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
    ) -> requests.Response:
        data = arguments.encode(body)

        def attempt() -> requests.Response:
            return self._transport.send(operation, method, path, query=query or (), body=data, headers=headers)

        retry_on = retry.is_transient if idempotent else retry.is_refused
        return retry.call(attempt, self.retry_policy, self._sleep, retry_on)

    def _resilient(self, attempt: Callable[[], T], recover: Callable[[FcApiError], T | None]) -> T:
        """Retry an idempotent write, and recognise when an earlier attempt that failed ambiguously did succeed.

        A DELETE whose answer was lost answers 404 when resent; a conditional PUT answers 412 (its own
        change moved the ETag). After an ambiguous failure, ``recover`` looks at such an error and returns
        the result if the write had in fact been applied, or None to let the error stand.
        """
        ambiguous = False

        def guarded() -> T:
            nonlocal ambiguous
            try:
                return attempt()
            except FcinfraError as exc:
                if retry.is_transient(exc):
                    ambiguous = ambiguous or not retry.is_refused(exc)
                elif ambiguous and isinstance(exc, FcApiError):
                    recovered = recover(exc)
                    if recovered is not None:
                        return recovered
                raise

        return retry.call(guarded, self.retry_policy, self._sleep, retry.is_transient)

    def _delete(self, operation: str, path: str, if_match: str | None = None) -> None:
        def attempt() -> bool:
            self._transport.send(operation, "DELETE", path, headers=arguments.if_match(if_match))
            return True

        self._resilient(attempt, lambda exc: True if isinstance(exc, NotFoundError) else None)

    def _update(
        self,
        operation: str,
        path: str,
        req: BaseModel,
        model: type[M],
        if_match: str | None,
        read: Callable[[], M],
    ) -> M:
        """PUT ``req``; with ``if_match``, a 412 after an ambiguous attempt is checked against a fresh read."""
        data = arguments.encode(req)

        def attempt() -> M:
            resp = self._transport.send(operation, "PUT", path, body=data, headers=arguments.if_match(if_match))
            return answers.parse(model, resp, model.__name__.lower())

        def recover(exc: FcApiError) -> M | None:
            if not isinstance(exc, PreconditionFailedError):
                return None
            try:
                current = read()
            except FcinfraError:
                return None  # cannot tell: the 412 stands
            return current if _applied(req, current) else None

        return self._resilient(attempt, recover)

    def _pages(self, operation: str, path: str, key: str, query: list[tuple[str, str]] | None = None) -> Iterator[Any]:
        """Every item of a List* operation, following ``nextToken`` until FC stops giving one."""
        token: str | None = None
        seen: set[str] = set()
        while True:
            q = [("limit", str(PAGE_LIMIT)), *(query or [])]
            if token:
                q.append(("nextToken", token))
            data = answers.json_object(self._call(operation, "GET", path, query=q), operation)
            items = data.get(key) or []
            if not isinstance(items, list):
                raise FcApiError("InvalidResponse", f"{operation} answered {key!r} that is not a list", 200)
            yield from items
            token = data.get("nextToken") or None
            if not token:
                return
            if token in seen:  # a server repeating its token would otherwise loop forever
                raise FcApiError("InvalidResponse", f"{operation} repeated nextToken {token!r}", 200)
            seen.add(token)

    def _items(
        self, model: type[M], operation: str, path: str, key: str, query: list[tuple[str, str]] | None = None
    ) -> list[M]:
        try:
            return [model.model_validate(item) for item in self._pages(operation, path, key, query)]
        except ValidationError as exc:
            raise FcApiError("InvalidResponse", f"{operation}: {str(exc).splitlines()[0]}", 200) from None

    @staticmethod
    def _svc(service: str, qualifier: str | None = None) -> str:
        arguments.check(check_name, service, "service name")
        if qualifier is None:
            return service
        qualifier = arguments.version_text(qualifier)
        arguments.check(check_qualifier, qualifier)
        return f"{service}.{qualifier}"
