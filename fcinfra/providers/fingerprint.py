"""The fingerprint of what an FC version snapshots: service config + every function's code and config.

A version is an immutable snapshot of exactly that (not of triggers or aliases), so ``ServiceVersion``
publishes exactly when this fingerprint changes. Pure and deterministic: canonical JSON (sorted keys,
whole floats as ints, unset fields dropped) hashed with SHA-256; code enters as the SHA-256 of its zip.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["FUNCTION_FIELDS", "SERVICE_FIELDS", "code_digest", "fingerprint"]

# The fields FC captures in a version. Anything else (tags, triggers, aliases) must not publish.
SERVICE_FIELDS = ("description", "role", "internet_access", "log_config", "vpc_config", "nas_config",
                  "tracing_config")
FUNCTION_FIELDS = ("runtime", "handler", "memory_size", "timeout", "environment_variables", "description",
                   "initializer", "initialization_timeout", "instance_concurrency", "instance_type", "layers",
                   "ca_port", "custom_container_config", "code")


def code_digest(data: bytes) -> str:
    """Identity of a code package: ``sha256:<hex>`` of the zip bytes."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def fingerprint(service: Mapping[str, Any], functions: Mapping[str, Mapping[str, Any]]) -> str:
    """SHA-256 over the snapshot-relevant service config and each function's config and code digest.

    ``functions`` maps function name -> config whose ``code`` is a :func:`code_digest` (or an OSS
    ``bucket/key@etag`` string). Unknown keys are ignored so cosmetic inputs never publish.
    """
    doc = {
        "service": {k: service.get(k) for k in SERVICE_FIELDS},
        "functions": {
            name: {k: cfg.get(k) for k in FUNCTION_FIELDS} for name, cfg in sorted(functions.items())
        },
    }
    text = json.dumps(_canonical(doc), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()
