"""The suite's network guard: loopback is allowed, anything else is refused before a packet."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import refuse_beyond_loopback


@pytest.mark.parametrize("address", [("192.0.2.1", 80), ("eutils.ncbi.nlm.nih.gov", 443), ("10.0.0.1", 8080),
                                     ("2001:db8::1", 443, 0, 0)])
def test_addresses_beyond_loopback_are_refused(address):
    with pytest.raises(ConnectionRefusedError, match="only connect to loopback"):
        refuse_beyond_loopback(address)


@pytest.mark.parametrize("address", [("127.0.0.1", 8080), ("127.5.5.5", 1), ("localhost", 8501),
                                     ("::1", 443, 0, 0), "/tmp/some.sock"])
def test_loopback_and_unix_sockets_pass(address):
    refuse_beyond_loopback(address)  # no exception


def test_the_guard_is_installed_and_loopback_works():
    assert socket.socket.connect.__name__ == "connect" and socket.socket.connect.__module__ == "tests.conftest"
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client:
            client.connect(server.getsockname())
            assert client.getpeername() == server.getsockname()
