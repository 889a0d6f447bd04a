"""Record a few read-only calls against a real FC account (FCINFRA_LIVE=1 and ALIBABA_CLOUD_* credentials).

Run it to refresh or extend tests/fixtures from the real service: the file is written scrubbed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fcinfra.fake.recording import Recorder
from fcinfra.fc import FcClient


@pytest.mark.live
def test_record_real_traffic_scrubbed(tmp_path: Path) -> None:
    probe = FcClient.from_env()
    creds = probe._transport.credentials
    recorder = Recorder.for_credentials(creds.access_key_id, creds.access_key_secret, creds.security_token,
                                        probe.account_id)
    client = FcClient.from_env(session=recorder.session)
    client.list_services()
    out = Path(os.environ.get("FCINFRA_RECORD_TO", tmp_path / "live.json"))
    text = recorder.save(out, source=f"recorded live with {client.region}").read_text()
    for secret in (creds.access_key_id, creds.access_key_secret, creds.security_token, probe.account_id):
        if secret:
            assert secret not in text
