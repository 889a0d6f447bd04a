"""Shared test configuration: no test may reach the network beyond loopback."""

from __future__ import annotations

import ipaddress
import os
import signal
import socket
from typing import Any

import pytest

# Tests send SIGINT to processes they start (a rollout interrupted with Ctrl-C). A shell without job control
# starts a background job with SIGINT ignored, and an ignored signal stays ignored across exec, so those children
# would never see it. A handler of our own is reset to the default on exec: the children get a normal SIGINT.
signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("FCINFRA_LIVE") == "1":
        return
    skip_live = pytest.mark.skip(reason="live test: set FCINFRA_LIVE=1 and real credentials to run")
    for item in items:
        if "live" in item.keywords:
            item.add_marker(skip_live)


# ------------------------------------------------------------------------------------- network guard
# Every socket this test process opens must go to loopback (or be a local AF_UNIX socket): a connect or a
# DNS lookup of anything else fails at once with NetworkBlockedError. FCINFRA_LIVE=1 turns the guard off.
# (Child processes a test starts, such as the emulator, are not covered; they bind to 127.0.0.1 themselves.)


class NetworkBlockedError(ConnectionRefusedError):
    """A test tried to reach beyond 127.0.0.1."""


_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


def _is_local(host: object) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip("[]").split("%", 1)[0].lower()
    if name in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _install_network_guard() -> None:
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def check(sock: socket.socket, address: object) -> None:
        inet = sock.family in (socket.AF_INET, socket.AF_INET6)
        if inet and isinstance(address, tuple) and not _is_local(address[0]):
            raise NetworkBlockedError(f"tests may not reach {address[0]!r}: only 127.0.0.1 is allowed")

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_local(host):
            raise NetworkBlockedError(f"tests may not resolve {host!r}: only 127.0.0.1 is allowed")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = getaddrinfo


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("FCINFRA_LIVE") != "1":
        _install_network_guard()
        # Alibaba's credentials chain would dial the ECS metadata service (100.100.100.200) when nothing else
        # has credentials; child processes (emulator, provider host, CLI) are not under the guard.
        os.environ.setdefault("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
