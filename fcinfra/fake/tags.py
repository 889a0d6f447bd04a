"""FC 2.0's tag API in the fake: TagResource, GetResourceTags and UnTagResource on a service, within FC's limits.

Tags live in the service's ``tags`` (shown by GetService and matched by ListServices' ``tag_KEY=VALUE``); they
are not part of a version (FC: "different versions of a service use the same tags"), so tagging never makes a
publish possible. The rules (limits, ARN shape) are :mod:`fcinfra.fc.tagging`'s, shared with the client.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from fcinfra.fake import bodies
from fcinfra.fake.backend import RegionBackend
from fcinfra.fake.exceptions import FakeApiError, invalid
from fcinfra.fake.messages import FakeResponse, json_response
from fcinfra.fc.tagging import TagResourceRequest, UnTagResourceRequest, check_count, parse_arn

if TYPE_CHECKING:
    from fcinfra.fake.handlers import Call  # handlers.py registers these; a runtime import would be a cycle

def _tags(backend: RegionBackend, arn: str) -> dict[str, str]:
    """The live tag map of the service ``arn`` names (created on first write)."""
    try:
        region, account, service = parse_arn(arn, backend.region, backend.account_id)
    except ValueError as exc:
        raise invalid(str(exc)) from None
    if (region, account) != (backend.region, backend.account_id):
        raise invalid(f"resourceArn {arn!r} is not in this account and region "
                      f"({backend.account_id}, {backend.region})")
    config = backend.service(service).head.config
    tags: dict[str, str] = config.setdefault("tags", {})
    return tags


def _drop_if_empty(backend: RegionBackend, arn: str) -> None:
    config = backend.service(parse_arn(arn, backend.region, backend.account_id)[2]).head.config
    if not config.get("tags"):
        config.pop("tags", None)  # a service without tags shows no ``tags`` key, as before any tag


def tag_resource(c: Call) -> FakeResponse:
    req = bodies.parse(TagResourceRequest, c.request.body)
    tags = _tags(c.backend, req.resource_arn)
    try:
        check_count(tags, req.tags)
    except ValueError as exc:
        _drop_if_empty(c.backend, req.resource_arn)
        raise FakeApiError(400, "InvalidArgument", str(exc)) from None
    tags.update(req.tags)
    return json_response(200, {"requestId": c.request_id}, c.request_id)


def get_resource_tags(c: Call) -> FakeResponse:
    arn = c.query.get("resourceArn") or ""
    if not arn:
        raise invalid("resourceArn is required")
    tags = dict(_tags(c.backend, arn))
    _drop_if_empty(c.backend, arn)
    return json_response(200, {"requestId": c.request_id, "resourceArn": arn, "tags": tags}, c.request_id)


def untag_resource(c: Call) -> FakeResponse:
    req = bodies.parse(UnTagResourceRequest, c.request.body)
    tags = _tags(c.backend, req.resource_arn)
    if req.all:
        tags.clear()
    for key in req.tag_keys or []:
        tags.pop(key, None)  # removing a key that is not there is not an error
    _drop_if_empty(c.backend, req.resource_arn)
    return json_response(200, {"requestId": c.request_id}, c.request_id)


TAG_HANDLERS: dict[str, Callable[[Call], FakeResponse]] = {
    "TagResource": tag_resource,
    "GetResourceTags": get_resource_tags,
    "UnTagResource": untag_resource,
}
