"""The shared conftest's guard: tests reach 127.0.0.1 and nothing else (no connect, no DNS lookup)."""

from __future__ import annotations

import socket
import threading

import pytest
import requests

TEST_NET = "203.0.113.9"  # TEST-NET-3 (RFC 5737): never routed; the guard must refuse before any packet


def test_connect_beyond_loopback_is_refused_at_once() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(ConnectionRefusedError,
                                                                                   match=r"only 127\.0\.0\.1"):
        sock.connect((TEST_NET, 443))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(ConnectionRefusedError):
        sock.connect_ex((TEST_NET, 443))


def test_dns_lookups_are_refused() -> None:
    with pytest.raises(ConnectionRefusedError, match="may not resolve"):
        socket.getaddrinfo("1234567890.cn-hangzhou.fc.aliyuncs.com", 443)


def test_requests_to_a_real_fc_host_fail_without_a_mock() -> None:
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get("https://1234567890.cn-hangzhou.fc.aliyuncs.com/2016-08-15/services", timeout=2)


def test_loopback_still_works() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        accepted = threading.Thread(target=lambda: server.accept()[0].close())
        accepted.start()
        with socket.create_connection(("localhost", port), timeout=2):
            pass
        accepted.join(2)
