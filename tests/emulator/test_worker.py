"""The worker's WSGI calling (PEP 3333), shared by the emulator's workers and mock_fc's registered callables."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from fcinfra.fake.emulator.worker import call_wsgi, wsgi_environ

REQUEST = {"method": "post", "path_info": "/a b", "query": "x=1", "body": b"hello",
           "headers": [["Content-Type", "text/plain"], ["X-Many", "1"], ["x-many", "2"], ["Content-Length", "99"]],
           "request_uri": "/2016-08-15/proxy/s.prod/f/a%20b?x=1", "host": "127.0.0.1:9000", "scheme": "http"}


def test_environ_follows_pep_3333_and_adds_fc_keys() -> None:
    context = object()
    environ = wsgi_environ(REQUEST, context)
    assert environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"] == "/a b" and environ["SCRIPT_NAME"] == ""
    assert (environ["SERVER_NAME"], environ["SERVER_PORT"], environ["wsgi.url_scheme"]) == ("127.0.0.1", "9000",
                                                                                           "http")
    assert (environ["CONTENT_TYPE"], environ["CONTENT_LENGTH"]) == ("text/plain", "5")  # the body's own length
    assert "HTTP_CONTENT_TYPE" not in environ and "HTTP_CONTENT_LENGTH" not in environ
    assert environ["HTTP_X_MANY"] == "1,2" and environ["wsgi.input"].read() == b"hello"
    assert environ["fc.context"] is context and environ["fc.request_uri"] == REQUEST["request_uri"]
    assert environ["wsgi.errors"] is sys.stderr and environ["wsgi.version"] == (1, 0)
    assert wsgi_environ({**REQUEST, "host": "h.example", "scheme": "https"}, None)["SERVER_PORT"] == "443"


def test_exc_info_replaces_the_status_before_anything_is_sent() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("X-A", "1")])
        try:
            raise ValueError("late failure")
        except ValueError:
            start_response("500 Internal Server Error", [("X-B", "2")], sys.exc_info())
        return [b"sorry"]

    assert call_wsgi(app, wsgi_environ(REQUEST, None)) == (500, [("X-B", "2")], b"sorry")


@pytest.mark.parametrize(("app", "message"), [
    (lambda environ, start_response: "text", "must be a WSGI app"),
    (lambda environ, start_response: [b"no start_response"], "without calling start_response"),
    (lambda environ, start_response: (start_response("200 OK", []), ["str"])[1], "must yield bytes"),
    (lambda environ, start_response: (start_response("OK", []), [])[1], "expected a str such as '200 OK'"),
    (lambda environ, start_response: (start_response("200 OK", []), start_response("200 OK", []), [])[2],
     "called twice"),
])
def test_what_is_not_a_wsgi_answer_is_an_error_that_says_so(app: Any, message: str) -> None:
    with pytest.raises((TypeError, ValueError, AssertionError), match=message):
        call_wsgi(app, wsgi_environ(REQUEST, None))
