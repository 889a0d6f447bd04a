"""Tags on a service (FC 2.0's TagResource, GetResourceTags, UnTagResource); FC 3.0 tags the function instead.

Keys and values are checked against FC's limits (:mod:`fcinfra.fc.tagging`) before anything is sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from fcinfra.errors import ConfigurationError, InvalidArgumentError
from fcinfra.fc._core import ClientCore
from fcinfra.fc.tagging import TagResourceRequest, UnTagResourceRequest, service_arn
from fcinfra.fc.transport import api_path


class Tagging(ClientCore):
    """Service tags; the ARN is built from the client's account id and region."""

    account_id: str | None
    region: str | None

    def service_arn(self, service: str) -> str:
        """``acs:fc:REGION:ACCOUNT:services/SERVICE``: FC's tag API names the service this way."""
        if not self.account_id or not self.region:
            raise ConfigurationError("tagging a service needs the account id and region (FC names it by its ARN): "
                                     "set ALIBABA_CLOUD_ACCOUNT_ID and ALIBABA_CLOUD_REGION")
        return service_arn(self.region, self.account_id, service)

    def tag_service(self, service: str, tags: Mapping[str, str]) -> None:
        """Add or overwrite ``tags`` on the service (at most 20 in all, FC's limit)."""
        try:
            req = TagResourceRequest(resource_arn=self.service_arn(service), tags=dict(tags))
        except ValueError as exc:
            raise InvalidArgumentError(f"tags of service {service}: {exc}") from None
        self._call("TagResource", "POST", api_path("tag"), body=req)

    def service_tags(self, service: str) -> dict[str, str]:
        """Every tag on the service ({} when none)."""
        resp = self._call("GetResourceTags", "GET", api_path("tag"),
                          query=[("resourceArn", self.service_arn(service))])
        tags = resp.json().get("tags") or {}
        return {str(k): str(v) for k, v in tags.items()}

    def untag_service(self, service: str, keys: Iterable[str] = (), *, all: bool = False) -> None:
        """Remove the given tag keys (absent ones are fine), or every tag with ``all=True``."""
        try:
            req = UnTagResourceRequest(resource_arn=self.service_arn(service), tag_keys=list(keys) or None,
                                       all=all or None)
        except ValueError as exc:
            raise InvalidArgumentError(f"untag service {service}: {exc}") from None
        self._call("UnTagResource", "DELETE", api_path("tag"), body=req)
