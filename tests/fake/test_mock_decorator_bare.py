"""``@mock_fc`` used bare (moto's ``@mock_aws`` style) and handler registration checks."""

from __future__ import annotations

import pytest
import requests

from fcinfra.fake import FakeFc, mock_fc


@mock_fc
def _reach_the_fake() -> int:
    return requests.get("https://1234567890.cn-hangzhou.fc.aliyuncs.com/2016-08-15/services", timeout=5).status_code


def test_bare_decorator_intercepts_fc_hosts() -> None:
    # unsigned: the fake answers (400 MissingRequiredHeader), which proves it intercepted the call
    assert _reach_the_fake() == 400


def test_register_handler_refuses_a_non_callable() -> None:
    with pytest.raises(TypeError, match="must be callable"):
        FakeFc().register_handler("svc", "fn", 5)  # type: ignore[arg-type]
