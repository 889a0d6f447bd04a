"""Tags on a function (FC 3.0's TagResources, ListTagResources, UntagResources on ``/tags-v2``).

FC 3.0 tags the function (its versions, aliases and triggers inherit them), within the limits FC 2.0 has for a
service (:mod:`fcinfra.fc.tagging`: 20 tags, 64-character keys, 128-character values, no URL); they are checked
before anything is sent. The tag calls name the function by its ARN, so they need the account id and region.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from fcinfra.errors import ConfigurationError, InvalidArgumentError
from fcinfra.fc._core import ClientCore
from fcinfra.fc.tagging import MAX_TAGS, check_tags, function_arn
from fcinfra.fc3.models import check_function_name
from fcinfra.fc3.transport import api_path

_TYPE = "function"  # FC 3.0's ResourceType for a function (ALIYUN::FC::FUNCTION)


def _json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


class FunctionTags(ClientCore):
    """Function tags; the ARN is built from the client's account id and region."""

    def function_arn(self, function: str) -> str:
        """``acs:fc:REGION:ACCOUNT:functions/FUNCTION``: FC 3.0's tag API names the function this way."""
        try:
            check_function_name(function)
        except ValueError as exc:
            raise InvalidArgumentError(str(exc)) from None
        if not self.account_id or not self.region:
            raise ConfigurationError("tagging a function needs the account id and region (FC names it by its ARN): "
                                     "set ALIBABA_CLOUD_ACCOUNT_ID and ALIBABA_CLOUD_REGION")
        return function_arn(self.region, self.account_id, function)

    def tag_function(self, function: str, tags: Mapping[str, str]) -> None:
        """Add or overwrite ``tags`` on the function (at most 20 in all, FC's limit)."""
        try:
            if not tags or len(tags) > MAX_TAGS:
                raise ValueError(f"give 1..{MAX_TAGS} tags, got {len(tags)}")
            checked = check_tags(tags, allow_empty=True)
        except ValueError as exc:
            raise InvalidArgumentError(f"tags of function {function}: {exc}") from None
        body = {"ResourceType": _TYPE, "ResourceId": [self.function_arn(function)],
                "Tag": [{"Key": k, "Value": v} for k, v in checked.items()]}
        self._call("TagResources", "POST", api_path("tags-v2"), body=body)

    def function_tags(self, function: str) -> dict[str, str]:
        """Every tag on the function ({} when none), across every page."""
        arn = self.function_arn(function)
        tags: dict[str, str] = {}
        token = ""
        while True:
            query = [("ResourceType", _TYPE), ("ResourceId", _json([arn]))]
            if token:
                query.append(("NextToken", token))
            doc = self._call("ListTagResources", "GET", api_path("tags-v2"), query=query).json()
            for row in doc.get("TagResources") or []:
                if row.get("ResourceId") == arn:
                    tags[str(row.get("TagKey"))] = str(row.get("TagValue") or "")
            token = str(doc.get("NextToken") or "")
            if not token:
                return tags

    def untag_function(self, function: str, keys: Iterable[str] = (), *, all: bool = False) -> None:
        """Remove the given tag keys (absent ones are fine), or every tag with ``all=True``."""
        keys = list(keys)
        if not all and not keys:
            raise InvalidArgumentError(f"untag function {function}: name at least 1 tag key, or all=True")
        if len(keys) > 50:  # the SDK's documented limit of UntagResources
            raise InvalidArgumentError(f"untag function {function}: at most 50 tag keys per call, got {len(keys)}")
        query = [("ResourceType", _TYPE), ("ResourceId", _json([self.function_arn(function)]))]
        if keys:
            query.append(("TagKey", _json(keys)))
        if all:
            query.append(("All", "true"))
        self._call("UntagResources", "DELETE", api_path("tags-v2"), query=query)
