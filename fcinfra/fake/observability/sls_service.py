"""The emulator's Log Service: logstores holding FC's request-metric rows, and the GetLogs API that reads them.

Served as a WSGI app. Log Service names the project by host (``{project}.{endpoint}``), so clients reach
it as an HTTP forward proxy (``Config(http_proxy=...)`` for alibabacloud-sls20201230, ``HTTP_PROXY`` for
aliyun-log-python-sdk): the request line carries the absolute URL and the project is the first label of
the ``Host`` header. GetLogs v2 (``POST /logstores/{logstore}/logs``, JSON; both SDKs' default) is
served, not the older v1 (``GET /logstores/{logstore}?type=log``); every request's signature is checked.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.wrappers import Request, Response

from fcinfra.fake.exceptions import FakeApiError
from fcinfra.fake.observability.record import Invocation
from fcinfra.fake.observability.sls_auth import verify_sls
from fcinfra.fake.observability.sls_query import run_query
from fcinfra.fake.observability.sls_rows import FcApi, request_metric_row, request_metric_topic
from fcinfra.fake.observability.temporary import Temporary

__all__ = ["LogService"]


class LogService:
    """Projects -> logstores -> rows (all string values, with ``__time__``, ``__topic__``, ``__source__``)."""

    def __init__(self, access_keys: Mapping[str, str] | None, temporary: Temporary | None = None) -> None:
        self.access_keys = None if access_keys is None else dict(access_keys)
        self.temporary = temporary  # keys the fake STS issued (see temporary.py)
        self._lock = threading.Lock()
        self._stores: dict[tuple[str, str], list[dict[str, str]]] = {}

    def __repr__(self) -> str:  # never show secrets
        keys = None if self.access_keys is None else sorted(self.access_keys)
        return f"LogService(access_key_ids={keys})"

    def create_logstore(self, project: str, logstore: str) -> None:
        """Make a logstore exist (FC writes only to a logstore its logConfig names; it never creates one)."""
        with self._lock:
            self._stores.setdefault((project, logstore), [])

    def write_request_metrics(self, project: str, logstore: str, call: Invocation, fc_api: FcApi = 2) -> bool:
        """Append the invocation's request-metric row; False when that logstore does not exist."""
        row = {"__time__": str(int(call.time)), "__topic__": request_metric_topic(call.service, call.function,
                                                                                   fc_api),
               "__source__": "fc", **request_metric_row(call, fc_api)}
        with self._lock:
            store = self._stores.get((project, logstore))
            if store is None:
                return False
            store.append(row)
            return True

    def rows(self, project: str, logstore: str) -> list[dict[str, str]]:
        """A copy of a logstore's rows (tests)."""
        with self._lock:
            return [dict(r) for r in self._stores.get((project, logstore), [])]

    # -- the API -------------------------------------------------------------------------------

    def wsgi_app(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        """WSGI entry point."""
        return self.handle(Request(environ))(environ, start_response)

    def handle(self, request: Request) -> Response:
        """Answer one Log Service request."""
        request_id = uuid.uuid4().hex[:24].upper()
        try:
            body = self._dispatch(request)
            response = Response(json.dumps(body), status=200, content_type="application/json")
        except FakeApiError as exc:
            response = Response(json.dumps({"errorCode": exc.code, "errorMessage": exc.message}), status=exc.status,
                                content_type="application/json")
        response.headers["x-log-requestid"] = request_id
        return response

    def _dispatch(self, request: Request) -> Any:
        params = parse_qsl(request.query_string.decode(), keep_blank_values=True)
        body = request.get_data()
        verify_sls(self.access_keys, request.method, request.path, dict(request.headers), params, body,
                   self.temporary)
        project = request.host.split(":")[0].split(".")[0]
        parts = request.path.strip("/").split("/")
        if len(parts) >= 2 and parts[0] == "logstores":
            logstore = parts[1]
            if request.method == "POST" and parts[2:] == ["logs"]:
                return self._get_logs(project, logstore, self._json(body))
        raise FakeApiError(404, "RequestNotSupported", f"{request.method} {request.path} is not served here")

    @staticmethod
    def _json(body: bytes) -> dict[str, Any]:
        try:
            parsed = json.loads(body or b"{}")
        except ValueError as exc:
            raise FakeApiError(400, "ParameterInvalid", f"body is not JSON: {exc}") from exc
        if not isinstance(parsed, dict):
            raise FakeApiError(400, "ParameterInvalid", "body must be a JSON object")
        return parsed

    def _get_logs(self, project: str, logstore: str, args: Mapping[str, Any]) -> Any:
        with self._lock:
            if not any(p == project for p, _ in self._stores):
                raise FakeApiError(404, "ProjectNotExist", f"Project {project} does not exist")
            store = self._stores.get((project, logstore))
            if store is None:
                raise FakeApiError(404, "LogStoreNotExist", f"logstore {logstore} does not exist")
            rows = list(store)
        try:
            start, end = int(args["from"]), int(args["to"])
        except (KeyError, TypeError, ValueError) as exc:
            raise FakeApiError(400, "ParameterInvalid", "from and to must be Unix seconds") from exc
        topic = args.get("topic")
        if topic:
            rows = [r for r in rows if r["__topic__"] == topic]
        result, has_sql = run_query(rows, str(args.get("query") or "*"), start, end)
        if not has_sql:
            reverse = str(args.get("reverse", "false")).lower() == "true"
            result.sort(key=lambda r: int(r["__time__"]), reverse=reverse)
            offset, line = int(args.get("offset") or 0), int(args.get("line") or 100)
            result = result[offset:offset + min(line, 100)]
        meta = {"progress": "Complete", "count": len(result), "hasSQL": has_sql, "processedRows": len(rows),
                "elapsedMillisecond": 1, "whereQuery": "", "aggQuery": "", "keys": sorted({k for r in result
                                                                                           for k in r})}
        return {"meta": meta, "data": result}
