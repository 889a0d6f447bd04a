"""The one credentials source of the CLI, ``FcClient.from_env`` / ``from_settings`` and the Pulumi providers.

Alibaba's own ``alibabacloud-credentials`` package does the work (profile files, AssumeRole, OIDC, ECS
instance roles, credentials URIs, refreshing); this module only puts fcinfra's explicit settings on top,
in this order (the first source that has credentials wins; README "Configuration and credentials"):

1. access keys given as arguments (``FcClient(...)``, ``from_env(access_key_id=...)``, ``--access-key-id``)
2. access keys in Pulumi stack config (``fcinfra:accessKeyId`` / ``alicloud:accessKey`` ...)
3. a profile named as an argument, ``--profile`` or Pulumi config: that profile and nothing else
4. the package's default chain, read from the environment *now* (the package itself reads it once, at import):
   environment keys (``ALIBABA_CLOUD_ACCESS_KEY_ID`` ..., ``ALICLOUD_*`` too), OIDC / RRSA, the ``aliyun``
   CLI's ``~/.aliyun/config.json`` (``ALIBABA_CLOUD_PROFILE`` else its ``current``), ``credentials.ini``,
   the ECS instance role, ``ALIBABA_CLOUD_CREDENTIALS_URI``.

With a ``role_arn`` the role is then assumed with those credentials. Temporary credentials are asked for
on every request, so a provider refreshes them before they expire (the package's rule: 15 minutes before
``Expiration``); nothing here captures a key once. Secrets never reach a ``repr``, a log line or an error.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fcinfra.config import Settings, mask
from fcinfra.errors import ConfigurationError, CredentialsUnavailableError

__all__ = ["CredentialSource", "Credentials", "alicloud_provider_args", "credentials_for", "static_credentials"]

ECS_LABEL = "ECS instance RAM role"
Factory = Callable[[], Any]  # -> an alibabacloud_credentials provider (built lazily: ECS starts a scheduler)
_QUERY = re.compile(r"\?[^\s'\")]+")
_BODY = re.compile(r"(result|response)\s*:.*", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True, repr=False)
class Credentials:
    """An access key pair and optional STS token. Never printed: ``repr`` masks all of it."""

    access_key_id: str
    access_key_secret: str = field(repr=False)
    security_token: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return f"Credentials(access_key_id={mask(self.access_key_id)!r}, secret=<hidden>)"

    def redact(self, text: str) -> str:
        """Remove the secret and the STS token from ``text`` (FC's error messages may echo credentials).

        Only whole tokens are replaced: a short test secret such as ``"s"`` must not garble every word
        that happens to contain it ("doe<secret> not exi<secret>t").
        """
        for value, label in (
            (self.access_key_secret, "<secret>"),
            (self.security_token, "<security-token>"),
        ):  # the access key id stays: it is no secret, and which key FC refused is the first thing to check
            if value:
                text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])", label, text)
        return text


class _QuietLog(logging.Filter):
    """alibabacloud-credentials logs refresh failures with the HTTP body quoted; keep such bodies out of logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        quiet = _quiet(text)
        if quiet != text:
            record.msg, record.args = quiet, None
        if record.exc_info:  # its traceback would repeat the exception's message, body and all
            error = record.exc_info[1]
            record.msg = f"{_quiet(str(record.msg))} ({type(error).__name__}: {_quiet(str(error))})"
            record.args, record.exc_info, record.exc_text = None, None, None
        return True


_QUIET_LOG = _QuietLog()


def _quiet_package_logs() -> None:
    """Install the filter on the package's logger (named ``credentials``) and its handlers, once."""
    logger = logging.getLogger("credentials")
    for target in (logger, *logger.handlers):
        if _QUIET_LOG not in target.filters:
            target.addFilter(_QUIET_LOG)


def _explicit(origin: str | None) -> bool:
    return origin is not None and not origin.startswith("env:")


def _unavailable(exc: Exception) -> bool:
    """A fetch that may work if tried again: no answer (the package's transport raises Tea's RetryError or an
    OSError) or a 5xx from STS / the credentials URI / the metadata service."""
    if isinstance(exc, OSError) or type(exc).__name__ == "RetryError":
        return True
    return bool(re.search(r"http_code[:=]\s*5\d\d", str(exc)))


def _quiet(text: str) -> str:
    """A provider error without the HTTP body it quotes (a body may hold keys): only an error's Code and Message."""
    text = _QUERY.sub("?<query not shown>", text)  # a signed STS URL carries the key id and token
    found = _BODY.search(text)
    if not found:
        return text
    try:
        body = json.loads(found.group(0).split(":", 1)[1])
    except ValueError:
        body = None
    shown = "<body not shown>"
    if isinstance(body, dict) and body.get("Code") and body.get("Code") != "Success":
        shown = f"{body['Code']}: {str(body.get('Message', ''))[:300]}"
    return text[: found.start()] + f"{found.group(1)}: {shown}"


class _Chain:
    """Alibaba's ``ICredentialsProvider`` over fcinfra's ordered sources; the first that answers is kept."""

    def __init__(self, sources: list[tuple[str, Factory]]) -> None:
        self.sources = sources
        self._winner: tuple[str, Any] | None = None
        self._lock = threading.Lock()

    def get_credentials(self) -> Any:
        with self._lock:
            if self._winner is not None:
                return self._winner[1].get_credentials()
            problems = []
            transient = False
            for label, factory in self.sources:
                try:
                    provider = factory()
                    found = provider.get_credentials()
                except Exception as exc:  # each provider raises its own types (CredentialException, ValueError...)
                    problems.append(f"{label}: {_quiet(str(exc)) or type(exc).__name__}")
                    # the ECS role is tried on every machine: not answering there means "not on ECS"
                    transient = transient or (_unavailable(exc) and label != ECS_LABEL)
                    continue
                if found is not None and found.get_access_key_id() and found.get_access_key_secret():
                    self._winner = (label, provider)
                    return found
                problems.append(f"{label}: no access key")
            if transient:
                raise CredentialsUnavailableError(
                    "no credentials for now (a configured source did not answer; retrying may help): "
                    + "; ".join(problems))
            raise ConfigurationError(
                "no credentials found; tried, in order: " + "; ".join(problems) + ". Set "
                "ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET, pass --profile / "
                "ALIBABA_CLOUD_PROFILE for an `aliyun configure` profile, or see README 'Configuration and credentials'"
            )

    async def get_credentials_async(self) -> Any:  # the interface asks for it; fcinfra is synchronous
        return self.get_credentials()

    def get_provider_name(self) -> str:
        return "fcinfra" if self._winner is None else f"fcinfra/{self._winner[0]}"

    @property
    def winner(self) -> str | None:
        return None if self._winner is None else self._winner[0]


class CredentialSource:
    """Where a client gets its keys, asked once per request. Not picklable; ``repr`` shows no secret."""

    def __init__(self, provider: Any, description: str, identity: tuple[str, ...]) -> None:
        self._provider = provider
        self.description = description
        # Non-secret facts that tell two sources apart (for the once-per-process account id lookup).
        self.identity = identity
        self._lock = threading.Lock()
        self._last: Credentials | None = None
        self.seen: list[Credentials] = []  # every distinct credential used, newest last (redaction, tests)

    def __repr__(self) -> str:
        return f"CredentialSource({self.description})"

    def __getstate__(self) -> None:
        raise TypeError("a CredentialSource holds credentials and is not picklable")

    def get(self) -> Credentials:
        """The credentials to sign the next request with (the provider refreshes them when due)."""
        try:
            found = self._provider.get_credentials()
        except ConfigurationError:
            raise
        except Exception as exc:
            why = _quiet(str(exc)) or type(exc).__name__
            if _unavailable(exc):
                raise CredentialsUnavailableError(f"cannot get credentials from {self.description} now: {why}"
                                                  ) from None
            raise ConfigurationError(f"cannot get credentials from {self.description}: {why}") from None
        creds = Credentials(found.get_access_key_id(), found.get_access_key_secret(),
                            found.get_security_token() or None)
        with self._lock:
            if creds != self._last:
                self._last = creds
                if creds not in self.seen:
                    self.seen.append(creds)
                    del self.seen[:-8]
        return creds

    @property
    def last(self) -> Credentials | None:
        """The credentials most recently handed out (None before the first request)."""
        return self._last

    def redact(self, text: str) -> str:
        """Remove every credential value this source handed out from ``text``."""
        for creds in list(self.seen):
            text = creds.redact(text)
        return text


def static_credentials(access_key_id: str, access_key_secret: str, security_token: str | None = None
                       ) -> CredentialSource:
    """A fixed key pair (and STS token), e.g. ``FcClient("id", "region", "AK", "SK")``."""
    fixed = _FixedCredentials(access_key_id, access_key_secret, security_token)
    return CredentialSource(_Fixed(fixed), "access key arguments", ("static", access_key_id))


class _Fixed:
    """A provider that always answers the same credentials."""

    def __init__(self, credentials: _FixedCredentials) -> None:
        self._credentials = credentials

    def get_credentials(self) -> _FixedCredentials:
        return self._credentials


class _FixedCredentials:
    """The package's credentials interface over plain values."""

    def __init__(self, key_id: str, secret: str, token: str | None) -> None:
        self._values = (key_id, secret, token)

    def __repr__(self) -> str:
        return "_FixedCredentials(<hidden>)"

    def get_access_key_id(self) -> str:
        return self._values[0]

    def get_access_key_secret(self) -> str:
        return self._values[1]

    def get_security_token(self) -> str | None:
        return self._values[2]

    def get_provider_name(self) -> str:
        return "static"


def _home(env: Mapping[str, str]) -> Path:
    return Path(env.get("HOME") or env.get("USERPROFILE") or os.path.expanduser("~"))


def _true(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() == "true"


def _static(settings: Settings) -> Factory:
    from alibabacloud_credentials.provider import StaticAKCredentialsProvider, StaticSTSCredentialsProvider

    key_id, secret, token = settings.access_key_id, settings.access_key_secret, settings.security_token
    if token:
        return lambda: StaticSTSCredentialsProvider(access_key_id=key_id, access_key_secret=secret,
                                                    security_token=token)
    return lambda: StaticAKCredentialsProvider(access_key_id=key_id, access_key_secret=secret)


def _profile_sources(name: str | None, env: Mapping[str, str]) -> list[tuple[str, Factory]]:
    """The ``aliyun`` CLI's config.json, then credentials.ini, for profile ``name`` (None: the file's default)."""
    from alibabacloud_credentials.provider import CLIProfileCredentialsProvider, ProfileCredentialsProvider

    home = _home(env)
    cli_file = str(home / ".aliyun" / "config.json")
    ini_file = env.get("ALIBABA_CLOUD_CREDENTIALS_FILE") or str(home / ".alibabacloud" / "credentials.ini")
    shown = f" profile {name!r}" if name else ""
    sources: list[tuple[str, Factory]] = []
    if not _true(env, "ALIBABA_CLOUD_CLI_PROFILE_DISABLED"):
        sources.append((f"aliyun CLI {cli_file}{shown}",
                        lambda: CLIProfileCredentialsProvider(profile_name=name, profile_file=cli_file)))
    sources.append((f"{ini_file}{shown or ' [default]'}",
                    lambda: ProfileCredentialsProvider(profile_name=name or "default", profile_file=ini_file)))
    return sources


def _environment_chain(settings: Settings, env: Mapping[str, str]) -> list[tuple[str, Factory]]:
    """The package's default chain, in its order, configured from ``env`` as it is now."""
    from alibabacloud_credentials.provider import (
        EcsRamRoleCredentialsProvider,
        OIDCRoleArnCredentialsProvider,
        URLCredentialsProvider,
    )

    sources: list[tuple[str, Factory]] = []
    if settings.has_keys and not _explicit(settings.origin("access_key_id")):
        sources.append((f"environment ({str(settings.origin('access_key_id'))[4:]})", _static(settings)))
    oidc = [env.get(k) for k in ("ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
                                 "ALIBABA_CLOUD_OIDC_TOKEN_FILE")]
    if all(oidc):
        role, provider_arn, token_file = oidc
        sources.append(("OIDC (ALIBABA_CLOUD_OIDC_TOKEN_FILE)", lambda: OIDCRoleArnCredentialsProvider(
            role_arn=role, oidc_provider_arn=provider_arn, oidc_token_file_path=token_file,
            role_session_name=env.get("ALIBABA_CLOUD_ROLE_SESSION_NAME") or None,
            sts_region_id=env.get("ALIBABA_CLOUD_STS_REGION") or None)))
    sources += _profile_sources(settings.profile, env)
    if not _true(env, "ALIBABA_CLOUD_ECS_METADATA_DISABLED"):
        sources.append((ECS_LABEL, lambda: EcsRamRoleCredentialsProvider(
            role_name=env.get("ALIBABA_CLOUD_ECS_METADATA") or None,
            disable_imds_v1=_true(env, "ALIBABA_CLOUD_IMDSV1_DISABLED"))))
    uri = env.get("ALIBABA_CLOUD_CREDENTIALS_URI")
    if uri:
        sources.append(("ALIBABA_CLOUD_CREDENTIALS_URI", lambda: URLCredentialsProvider(uri=uri)))
    return sources


def credentials_for(settings: Settings, *, duration_seconds: int | None = None) -> CredentialSource:
    """The credential source ``settings`` lead to, in the documented order (module docstring).

    Nothing is fetched here: the first request asks (``CredentialSource.get``).
    """
    env: Mapping[str, str] = settings.env if settings.env is not None else os.environ
    _quiet_package_logs()
    if bool(settings.access_key_id) != bool(settings.access_key_secret):
        settings.require_credentials()  # half a key pair is a mistake to name, not a reason to look elsewhere
    key_origin = settings.origin("access_key_id")
    if settings.has_keys and _explicit(key_origin):
        label = "access key arguments" if key_origin == "argument" else f"Pulumi config ({str(key_origin)[7:]})"
        sources: list[tuple[str, Factory]] = [(label, _static(settings))]
        identity: tuple[str, ...] = ("keys", str(settings.access_key_id))
    elif settings.profile and _explicit(settings.origin("profile")):
        sources = _profile_sources(settings.profile, env)
        identity = ("profile", settings.profile, str(_home(env)))
    else:
        sources = _environment_chain(settings, env)
        identity = ("chain", str(settings.access_key_id or ""), str(settings.profile or ""), str(_home(env)))
    chain = _Chain(sources)
    provider: Any = chain
    description = "the credentials chain"
    if settings.role_arn:
        provider = _assume_role(chain, settings, env, duration_seconds)
        description = f"role {settings.role_arn} (assumed with the credentials chain)"
        identity += ("role", settings.role_arn, str(settings.sts_endpoint or ""))
    return CredentialSource(provider, description, identity)


def _assume_role(base: _Chain, settings: Settings, env: Mapping[str, str], duration: int | None) -> Any:
    from alibabacloud_credentials.provider import RamRoleArnCredentialsProvider

    try:
        return RamRoleArnCredentialsProvider(
            credentials_provider=base,
            role_arn=settings.role_arn,
            role_session_name=settings.role_session_name or "fcinfra",
            duration_seconds=duration or 3600,
            sts_endpoint=settings.sts_endpoint or None,
            sts_region_id=env.get("ALIBABA_CLOUD_STS_REGION") or settings.region or None,
        )
    except ValueError as exc:
        raise ConfigurationError(f"cannot assume role {settings.role_arn}: {exc}") from None


def alicloud_provider_args(settings: Settings) -> dict[str, Any]:
    """Arguments for pulumi-alicloud's ``Provider`` that lead it to the credentials fcinfra's chain picks.

    Only *configuration* travels, never a fetched credential (a token copied into provider inputs would
    expire mid-``pulumi up`` and sit in state): keys given as arguments or in stack config (the caller marks
    them secret), else a profile, plus the role to assume, the credentials URI and the ECS role name.
    Keys from the environment are not copied either: the provider reads the same variables itself.
    Values are plain; ``None`` means "not set".
    """
    env: Mapping[str, str] = settings.env if settings.env is not None else os.environ
    args: dict[str, Any] = {"account_id": settings.account_id, "region": settings.region}
    if settings.has_keys and _explicit(settings.origin("access_key_id")):
        args.update(access_key=settings.access_key_id, secret_key=settings.access_key_secret,
                    security_token=settings.security_token)
    elif settings.profile and (_explicit(settings.origin("profile")) or not settings.has_keys):
        args["profile"] = settings.profile
    if not settings.has_keys and not settings.profile:
        args["credentials_uri"] = env.get("ALIBABA_CLOUD_CREDENTIALS_URI") or None
        args["ecs_role_name"] = env.get("ALIBABA_CLOUD_ECS_METADATA") or None
    if settings.role_arn:
        args["assume_role"] = {"role_arn": settings.role_arn, "session_name": settings.role_session_name or "fcinfra"}
    return {k: v for k, v in args.items() if v is not None}
