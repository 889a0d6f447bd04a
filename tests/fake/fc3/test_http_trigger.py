"""FC 3.0's HTTP-trigger convention: the event a Python handler gets, and how its answer becomes HTTP."""

from __future__ import annotations

import base64
import json

from fcinfra.fake.fc3.http_trigger import http_event


def test_event_shape() -> None:
    raw = http_event(
        method="post",
        trigger_url="https://fn-abc.cn-hangzhou.fcapp.run",
        raw_path="/a%20b",
        query=[("p", "1"), ("p", "2"), ("q", "x")],
        headers={"X-One": "v", "Authorization": "secret", "User-Agent": "ua"},
        body=b"hello",
        request_id="rid",
        account_id="123",
        now=1693896071.895,
    )
    event = json.loads(raw)
    assert event["version"] == "v1" and event["rawPath"] == "/a%20b" and event["body"] == "hello"
    assert event["isBase64Encoded"] is False
    assert event["queryParameters"] == {"p": "1,2", "q": "x"}
    assert event["headers"] == {"x-one": "v", "user-agent": "ua"}  # no credentials
    ctx = event["requestContext"]
    assert ctx["http"] == {"method": "POST", "path": "/a b", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                           "userAgent": "ua"}
    assert ctx["domainName"] == "fn-abc.cn-hangzhou.fcapp.run" and ctx["domainPrefix"] == "fn-abc"
    assert ctx["timeEpoch"] == "1693896071895" and ctx["time"] == "2023-09-05T06:41:11Z"
    binary = json.loads(http_event(method="GET", trigger_url="https://h", raw_path="", query=[], headers={},
                                   body=b"\xff\x00", request_id="r", account_id="1", now=0))
    assert binary["isBase64Encoded"] is True and base64.b64decode(binary["body"]) == b"\xff\x00"
    assert binary["rawPath"] == "/"
