"""Traffic gates from plain data: the CLI's ``--gate sls:project=p,logstore=l,function=fn`` and Pulumi's
``health: [{"type": "sls", "project": "p", "logstore": "l", "function": "fn"}]``.

Keys per type (snake_case; Pulumi numbers may arrive as floats):

* ``sls``: ``project``, ``logstore``, ``function``; optional ``endpoint`` (default
  ``{region}.log.aliyuncs.com``), ``http_proxy``, ``fc_api`` (2 or 3), ``failure`` (an SQL condition);
* ``cms``: ``function``; optional ``endpoint`` (default ``metrics.{region}.aliyuncs.com``), ``fc_api``,
  ``reference`` (seconds of history before the rollout);
* ``prometheus``: ``url``, ``function``; optional ``requests_query``, ``failures_query``, ``latency_query``;
* any type: ``alpha``, ``alt_ratio``, ``min_requests`` (canary and baseline), ``give_up_after``,
  ``require_evidence``, ``max_latency_ms``, ``max_latency_increase``, ``latency_percentile``, ``name``.

Credentials never come from a spec (it is logged, stored in state, typed on command lines): Log Service
and CloudMonitor use the credentials the caller passes in: the FC client's own credentials source
(:func:`credentials_from_client`, asked before every query, so temporary credentials are refreshed as the
FC client's are), or fixed keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fcinfra.errors import InvalidArgumentError
from fcinfra.rollout.sequential import SequentialTest
from fcinfra.rollout.traffic.base import TrafficGate
from fcinfra.rollout.verdicts import Thresholds

__all__ = ["GATE_TYPES", "GateCredentials", "credentials_from_client", "gate_from_spec", "parse_gate_option"]

GATE_TYPES = ("sls", "cms", "prometheus")
_REQUIRED = {"sls": ("project", "logstore", "function"), "cms": ("function",), "prometheus": ("url", "function")}
_OWN = {
    "sls": ("endpoint", "http_proxy", "fc_api", "failure"),
    "cms": ("endpoint", "fc_api", "reference"),
    "prometheus": ("requests_query", "failures_query", "latency_query"),
}
_TEST = ("alpha", "alt_ratio", "min_requests", "give_up_after")
_THRESHOLDS = ("max_latency_ms", "max_latency_increase", "latency_percentile")
_COMMON = (*_TEST, *_THRESHOLDS, "require_evidence", "name", "type")
_NUMBERS = {"alpha", "alt_ratio", "give_up_after", "reference", *_THRESHOLDS}
_WHOLE = {"min_requests", "fc_api"}
_SECRETS = ("secret", "accesskey", "password", "token")


@dataclass(frozen=True)
class GateCredentials:
    """What the sources are queried with (hidden from ``repr``): a credentials ``source`` (anything with
    ``get()`` returning keys, e.g. an FC client's ``CredentialSource``), asked before every query, or fixed keys."""

    region: str
    access_key_id: str = field(repr=False, default="")
    access_key_secret: str = field(repr=False, default="")
    security_token: str | None = field(repr=False, default=None)
    source: Any = field(repr=False, default=None, compare=False)

    @property
    def usable(self) -> bool:
        """Whether there is anything to sign with."""
        return self.source is not None or bool(self.access_key_id)

    def sdk_args(self) -> dict[str, Any]:
        """Keyword arguments for ``sls_client``/``cms_client``: the refreshing source when there is one."""
        if self.source is not None:
            from fcinfra.rollout.traffic.auth import SourceCredential

            return {"credential": SourceCredential(self.source)}
        return {"access_key_id": self.access_key_id, "access_key_secret": self.access_key_secret,
                "security_token": self.security_token}


def credentials_from_client(client: Any) -> GateCredentials:
    """The FC client's region and credentials source: the gates sign each query with the keys the FC client
    would sign with at that moment (a refreshed STS token included); nothing is copied."""
    return GateCredentials(client.region or "cn-hangzhou", source=client.credentials)


def _coerce(key: str, value: Any) -> Any:
    if key in _WHOLE:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidArgumentError(f"gate {key} must be a whole number, got {value!r}")
    elif key in _NUMBERS:
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise InvalidArgumentError(f"gate {key} must be a number, got {value!r}") from None
    elif key == "require_evidence" and isinstance(value, str):
        if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
            raise InvalidArgumentError(f"gate require_evidence must be true or false, got {value!r}")
        value = value.lower() in ("true", "1", "yes")
    return value


def gate_from_spec(spec: Mapping[str, Any], credentials: GateCredentials | None = None) -> TrafficGate:
    """Build one traffic gate from plain data (validated before any query)."""
    kind = str(spec.get("type", "")).lower()
    if kind not in GATE_TYPES:
        raise InvalidArgumentError(f"unknown traffic gate type {kind!r}: use {', '.join(GATE_TYPES)}")
    for key in spec:
        if any(word in key.lower().replace("_", "") for word in _SECRETS):
            raise InvalidArgumentError(f"gate spec key {key!r} looks like a secret: credentials never go in a spec")
    allowed = {*_REQUIRED[kind], *_OWN[kind], *_COMMON}
    unknown = sorted(set(spec) - allowed)
    if unknown:
        raise InvalidArgumentError(
            f"unknown {kind} gate key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
    values = {k: _coerce(k, v) for k, v in spec.items() if v is not None and k != "type"}
    missing = [k for k in _REQUIRED[kind] if not values.get(k)]
    if missing:
        raise InvalidArgumentError(f"a {kind} gate needs {', '.join(missing)}")
    test_args = {k: values.pop(k) for k in _TEST if k in values}
    if "min_requests" in test_args:
        n = test_args.pop("min_requests")
        test_args["min_canary_requests"] = test_args["min_baseline_requests"] = n
    threshold_args = {k: values.pop(k) for k in _THRESHOLDS if k in values}
    common: dict[str, Any] = {"test": SequentialTest(**test_args)}
    if threshold_args:
        common["thresholds"] = Thresholds(**threshold_args)
    for key in ("require_evidence", "name"):
        if key in values:
            common[key] = values.pop(key)
    if kind == "prometheus":
        from fcinfra.rollout.traffic.prometheus import PrometheusGate

        return PrometheusGate(values.pop("url"), values.pop("function"), **values, **common)
    if credentials is None or not credentials.usable:
        raise InvalidArgumentError(f"a {kind} gate needs credentials (the access key used for FC)")
    if kind == "sls":
        from fcinfra.rollout.traffic.sls import SlsGate, sls_client

        endpoint = values.pop("endpoint", None) or f"{credentials.region}.log.aliyuncs.com"
        client = sls_client(endpoint, http_proxy=values.pop("http_proxy", None), **credentials.sdk_args())
        return SlsGate(values.pop("project"), values.pop("logstore"), values.pop("function"), client, **values,
                       **common)
    from fcinfra.rollout.traffic.cms import CmsGate, cms_client

    client = cms_client(credentials.region, endpoint=values.pop("endpoint", None), **credentials.sdk_args())
    return CmsGate(values.pop("function"), client, region=credentials.region, **values, **common)


def parse_gate_option(text: str) -> dict[str, Any]:
    """``TYPE:key=value,key=value`` (the CLI's ``--gate``) -> a spec for :func:`gate_from_spec`."""
    kind, sep, rest = text.partition(":")
    if not sep or kind.lower() not in GATE_TYPES:
        raise InvalidArgumentError(f"--gate must look like 'sls:project=P,logstore=L,function=F' (types: "
                                   f"{', '.join(GATE_TYPES)}), got {text!r}")
    spec: dict[str, Any] = {"type": kind.lower()}
    for item in filter(None, rest.split(",")):
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise InvalidArgumentError(f"--gate item {item!r} is not key=value")
        spec[key.strip()] = value.strip()
    return spec
