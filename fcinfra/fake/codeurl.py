"""GetFunctionCode's download URL, served by the fake itself (like an OSS pre-signed URL: no FC signature).

The token names (account, region, service, resolved version, function), so the URL keeps returning the code
of the version that was resolved, until that version is deleted.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING

from fcinfra.fake.exceptions import FakeApiError

if TYPE_CHECKING:
    from fcinfra.fake.backend import FcBackend, RegionBackend
    from fcinfra.fake.messages import FakeRequest


def code_url(request: FakeRequest, backend: RegionBackend, service: str, version: str, function: str) -> str:
    """GetFunctionCode's download URL: the fake serves the code itself, on the host the caller used."""
    raw = json.dumps([backend.account_id, backend.region, service, version, function]).encode()
    token = base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
    return f"{request.scheme}://{request.host}/2016-08-15/fake-code/{token}"


def download(backend: FcBackend, token: str) -> bytes:
    """The zip bytes a code URL points at, or 404."""
    try:
        account, region, service, version, function = json.loads(
            base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        )
    except (binascii.Error, ValueError, TypeError):
        raise FakeApiError(404, "NotFound", "this code download URL is not valid") from None
    region_backend = backend.regions.get((account, region))
    if region_backend is None:
        raise FakeApiError(404, "ServiceNotFound", f"service '{service}' does not exist")
    _, fn = region_backend.resolve_function(service, version, function)
    return fn.code
