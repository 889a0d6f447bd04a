"""The emulator serves FakeFc from many threads: state changes must stay consistent under concurrency."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from fcinfra.fake import FakeFc, FakeRequest
from fcinfra.fc import signing


def _call(fake: FakeFc, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
    hdrs = {"Date": signing.http_date(time.time()), "Authorization": "FC anyone:sig", **(headers or {})}
    raw = json.dumps(body).encode() if body is not None else b""
    return fake.handle(FakeRequest(method, "/2016-08-15" + path, "", hdrs, raw, "127.0.0.1:9000", "http"))


def test_concurrent_publishes_never_duplicate_a_version() -> None:
    fake = FakeFc(access_keys=None)
    _call(fake, "POST", "/services", {"serviceName": "svc"})
    _call(fake, "POST", "/services/svc/functions", {"functionName": "fn", "runtime": "python3.10", "handler": "h"})
    published: list[str] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        for i in range(25):
            _call(fake, "PUT", "/services/svc/functions/fn", {"description": f"{n}-{i}"})
            resp = _call(fake, "POST", "/services/svc/versions")
            if resp.status == 200:
                with lock:
                    published.append(resp.json()["versionId"])
            else:
                assert resp.json()["ErrorCode"] == "VersionPublishError"

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    numbers = sorted(int(v) for v in published)
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 25


def test_only_one_of_two_writers_with_the_same_etag_wins() -> None:
    fake = FakeFc(access_keys=None)
    _call(fake, "POST", "/services", {"serviceName": "svc"})
    _call(fake, "POST", "/services/svc/versions")
    etag = _call(fake, "POST", "/services/svc/aliases", {"aliasName": "prod", "versionId": "1"}).headers["ETag"]
    statuses: list[int] = []
    barrier = threading.Barrier(6)

    def writer(i: int) -> None:
        barrier.wait()
        resp = _call(fake, "PUT", "/services/svc/aliases/prod", {"description": str(i)}, {"If-Match": etag})
        statuses.append(resp.status)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 412, 412, 412, 412, 412]


def test_slow_handlers_do_not_block_the_api() -> None:
    fake = FakeFc(access_keys=None)
    _call(fake, "POST", "/services", {"serviceName": "svc"})
    _call(fake, "POST", "/services/svc/functions", {"functionName": "fn", "runtime": "python3.10", "handler": "h"})
    entered, release = threading.Event(), threading.Event()

    def slow(event: bytes, context: Any) -> str:
        entered.set()
        release.wait(5)
        return "done"

    fake.register_handler("svc", "fn", slow)
    result: list[Any] = []
    t = threading.Thread(target=lambda: result.append(_call(fake, "POST", "/services/svc/functions/fn/invocations")))
    t.start()
    assert entered.wait(5)
    assert _call(fake, "GET", "/services/svc").status == 200  # the API answers while the function runs
    release.set()
    t.join()
    assert result[0].body == b"done"
