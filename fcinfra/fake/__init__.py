"""fcinfra.fake: a moto-style stateful fake of Alibaba Cloud Function Compute 2.0.

``mock_fc()`` serves it in-process (through ``responses``); ``fcinfra emulator`` serves the same
:class:`FakeFc` over HTTP. See docs/fake.md for the implemented operations and the fake's documented choices.
"""

from fcinfra.fake.context import CodeRunner, FcContext, InvocationOutcome, InvocationSpec
from fcinfra.fake.core import FakeFc
from fcinfra.fake.exceptions import FakeApiError
from fcinfra.fake.faults import DropConnection, FaultInjector
from fcinfra.fake.handlers import FakeRequest, FakeResponse
from fcinfra.fake.mock import MockFc, mock_fc

__all__ = [
    "CodeRunner",
    "DropConnection",
    "FakeApiError",
    "FakeFc",
    "FakeRequest",
    "FakeResponse",
    "FaultInjector",
    "FcContext",
    "InvocationOutcome",
    "InvocationSpec",
    "MockFc",
    "mock_fc",
]
