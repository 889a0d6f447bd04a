"""HTTP functions over loopback: real zip code in the emulator's workers, called as WSGI apps (FC 2.0, PEP 3333).

A plain WSGI app and a Flask app (Flask shipped inside the zip, as users deploy it) behind an alias-bound HTTP
trigger answer with their own status, headers and body, and the alias's weights route those requests.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from fcinfra.errors import FcApiError
from fcinfra.fake.emulator.runtime import PythonCodeRunner
from fcinfra.fake.emulator.server import Emulator
from fcinfra.fc import FcClient

from .conftest import make_zip

KEYS = {"AK": "SK"}

PLAIN_APP = '''
import json

TAG = "{tag}"

def handler(environ, start_response):
    size = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(size)
    context = environ["fc.context"]
    answer = {{"tag": TAG, "version": context.service.version_id, "method": environ["REQUEST_METHOD"],
              "path": environ["PATH_INFO"], "query": environ["QUERY_STRING"], "body": body.decode(),
              "request_uri": environ["fc.request_uri"], "header": environ.get("HTTP_X_CALLER")}}
    start_response("{status}", [("Content-Type", "application/json"), ("X-Tag", TAG)])
    return [json.dumps(answer).encode()]
'''

FLASK_APP = '''
from flask import Flask, jsonify, request

app = Flask(__name__)
TAG = "{tag}"


@app.route("/items/<name>", methods=["GET", "POST"])
def item(name):
    answer = jsonify(name=name, tag=TAG, q=request.args.get("q"), posted=request.get_data(as_text=True),
                     version=request.environ["fc.context"].service.version_id)
    answer.status_code = {status}
    answer.headers["X-Flask"] = TAG
    return answer


def handler(environ, start_response):
    return app(environ, start_response)
'''

EVENT_FUNCTION = '''
def handler(event, context):
    return "an event answer"
'''

NEEDS_WERKZEUG = '''
import werkzeug  # installed where the emulator runs, but neither in this zip nor among FC's built-in packages

def handler(environ, start_response):
    start_response("200 OK", [])
    return [b"unreachable"]
'''


@pytest.fixture(scope="module")
def emu(runner: PythonCodeRunner) -> Iterator[Emulator]:
    with Emulator(access_keys=KEYS, seed=11, code_runner=runner) as emulator:
        yield emulator


def client(emu: Emulator) -> FcClient:
    return FcClient(emu.account_id, emu.region, "AK", "SK", endpoint=emu.endpoint)


def release_two_versions(c: FcClient, service: str, v1: bytes, v2: bytes, weight: float = 0.3) -> None:
    """v1 and v2 of one function, alias prod at v1 with ``weight`` on v2, and an anonymous HTTP trigger on prod."""
    c.create_service(service)
    c.create_function(service, "app", runtime="python3.10", handler="index.handler", code=v1, timeout=10,
                      memory_size=256)
    assert c.publish_version(service).version_id == "1"
    c.update_function(service, "app", code=v2)
    assert c.publish_version(service).version_id == "2"
    c.create_alias(service, "prod", "1", additional_version_weight={"2": weight})
    c.create_trigger(service, "app", "web", "http", {"authType": "anonymous", "methods": ["GET", "POST"]},
                     qualifier="prod")


def test_a_plain_wsgi_app_answers_through_alias_weights(emu: Emulator) -> None:
    c = client(emu)
    release_two_versions(c, "plain", make_zip({"index.py": PLAIN_APP.format(tag="one", status="200 OK")}),
                         make_zip({"index.py": PLAIN_APP.format(tag="two", status="418 I'm a teapot")}))
    url = f"{emu.endpoint}/2016-08-15/proxy/plain.prod/app/some/path?x=1"
    seen: Counter[str] = Counter()
    with requests.Session() as plain:
        for _ in range(200):
            resp = plain.post(url, data=b"hello", headers={"X-Caller": "me"}, timeout=10)
            body = resp.json()
            expected = {"1": (200, "one"), "2": (418, "two")}[body["version"]]
            assert (resp.status_code, resp.headers["X-Tag"], body["tag"]) == (*expected, expected[1])
            assert resp.headers["X-Fc-Invocation-Service-Version"] == body["version"]
            assert resp.headers["Content-Disposition"] == "attachment"
            assert body | {"tag": "", "version": ""} == {
                "tag": "", "version": "", "method": "POST", "path": "/some/path", "query": "x=1", "body": "hello",
                "request_uri": "/2016-08-15/proxy/plain.prod/app/some/path?x=1", "header": "me"}
            seen[body["version"]] += 1
    assert set(seen) == {"1", "2"} and abs(seen["2"] / 200 - 0.3) < 0.12, seen


def test_a_flask_app_shipped_in_the_zip_answers_through_alias_weights(emu: Emulator,
                                                                      flask_files: dict[str, bytes]) -> None:
    c = client(emu)
    v1 = make_zip({"index.py": FLASK_APP.format(tag="f1", status=201)}, flask_files)
    v2 = make_zip({"index.py": FLASK_APP.format(tag="f2", status=202)}, flask_files)
    release_two_versions(c, "flask", v1, v2, weight=0.5)
    base = f"{emu.endpoint}/2016-08-15/proxy/flask.prod/app"
    seen: Counter[str] = Counter()
    with requests.Session() as plain:
        for _ in range(60):
            resp = plain.get(f"{base}/items/fig?q=ripe", timeout=30)
            body = resp.json()
            tag = {"1": "f1", "2": "f2"}[body["version"]]
            assert (resp.status_code, resp.headers["X-Flask"]) == ({"f1": 201, "f2": 202}[tag], tag)
            assert resp.headers["Content-Type"] == "application/json"
            assert body == {"name": "fig", "tag": tag, "q": "ripe", "posted": "", "version": body["version"]}
            seen[body["version"]] += 1
        posted = plain.post(f"{base}/items/pear", data="a body", timeout=30).json()
        assert (posted["name"], posted["posted"]) == ("pear", "a body")
        missing = plain.get(f"{base}/nowhere", timeout=30)  # Flask's own 404 page, not FC's
        assert missing.status_code == 404 and "Not Found" in missing.text and "ErrorCode" not in missing.text
    assert set(seen) == {"1", "2"}, seen


def test_a_package_outside_the_zip_does_not_import_in_the_worker(emu: Emulator) -> None:
    """werkzeug is installed where the emulator runs; a function gets only its zip (and the standard library), as
    on FC, so the Flask test above passes because Flask is in its zip, not by accident."""
    c = client(emu)
    c.create_service("isolated")
    for name, source in {"needs": NEEDS_WERKZEUG, "flaskless": FLASK_APP.format(tag="x", status=200)}.items():
        c.create_function("isolated", name, runtime="python3.10", handler="index.handler",
                          code=make_zip({"index.py": source}), timeout=10)
        c.create_trigger("isolated", name, "web", "http", {"authType": "anonymous", "methods": ["GET"]})
        resp = requests.get(f"{emu.endpoint}/2016-08-15/proxy/isolated/{name}/items/a", timeout=30)
        assert resp.status_code == 502 and resp.headers["X-Fc-Error-Type"] == "UnhandledInvocationError"
        error = resp.json()
        missing = "werkzeug" if name == "needs" else "flask"
        assert (error["errorType"], error["errorMessage"]) == ("ModuleNotFoundError", f"No module named '{missing}'")


def test_misuse_both_ways_in_the_worker(emu: Emulator) -> None:
    c = client(emu)
    c.create_service("misuse")
    c.create_function("misuse", "event", runtime="python3.10", handler="index.handler",
                      code=make_zip({"index.py": EVENT_FUNCTION}))
    assert c.invoke("misuse", "event").payload == b"an event answer"  # an event function, invoked the API way
    c.create_trigger("misuse", "event", "web", "http", {"authType": "anonymous", "methods": ["GET"]})
    with pytest.raises(FcApiError, match=r"http trigger\(name: web\) can only be invoked with http") as refused:
        c.invoke("misuse", "event")
    assert (refused.value.status, refused.value.code) == (400, "InvalidArgument")
    resp = requests.get(f"{emu.endpoint}/2016-08-15/proxy/misuse/event/", timeout=30)
    error: dict[str, Any] = json.loads(resp.content)
    assert resp.status_code == 502 and error["errorType"] == "TypeError" and "WSGI app" in error["errorMessage"]
