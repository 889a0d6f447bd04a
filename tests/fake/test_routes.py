"""The route table: every operation is an ordinary row with a handler; only two rows skip the signature and only
the two that run user code run outside the fake's lock."""

from __future__ import annotations

from typing import Any

from fcinfra.fake import routes
from fcinfra.fake.handlers import HANDLERS


def test_every_route_has_a_handler_and_every_handler_a_route() -> None:
    assert sorted(routes.OPERATIONS) == sorted(HANDLERS)


def test_signature_and_lock_flags() -> None:
    unsigned = sorted(r.operation for r in routes.ROUTES if not r.signed)
    unlocked = sorted(r.operation for r in routes.ROUTES if not r.locked)
    assert unsigned == ["DownloadFunctionCode", "HttpTriggerInvoke"]
    assert unlocked == ["HttpTriggerInvoke", "InvokeFunction"]


def test_the_code_download_is_an_ordinary_route_faults_included(seeded: Any, fake: Any) -> None:
    url = seeded.ok("GET", "/services/svc/functions/fn/code")["url"]
    assert seeded.session.get(url).status_code == 200  # unsigned, like an OSS pre-signed URL
    fake.faults.set(routes.CODE_DOWNLOAD_OPERATION, unavailable=1.0)
    resp = seeded.session.get(url)
    assert resp.status_code == 503 and resp.json()["ErrorCode"]
    assert seeded.request("GET", "/services/svc").status_code == 200  # other routes untouched
