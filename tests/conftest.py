"""Shared fixtures: where the real recorded data lives, and how to skip visibly without it.

The real NCBI responses and PubMedQA stay in ../shared (never copied here). Tests find
them through environment variables and skip with a reason when they are absent, as on
a user's fresh clone. ``tests/data/`` holds the few fixtures we wrote ourselves.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
OWN_DATA = REPO / "tests" / "data"


def shared_path(env: str, default: Path) -> Path:
    return Path(os.environ.get(env, str(default))).expanduser()


NCBI_FIXTURES = shared_path("EVIDENCE_NCBI_FIXTURES", REPO.parent / "shared" / "fixtures" / "ncbi")
PUBMEDQA = shared_path("EVIDENCE_PUBMEDQA", REPO.parent / "shared" / "data" / "pubmedqa" / "pqal_dev.json")


@pytest.fixture(scope="session")
def ncbi_fixtures() -> Path:
    """The recorded NCBI responses (EVIDENCE_NCBI_FIXTURES, default ../shared/fixtures/ncbi)."""
    if not NCBI_FIXTURES.is_dir():
        pytest.skip(f"recorded NCBI fixtures not found at {NCBI_FIXTURES} (set EVIDENCE_NCBI_FIXTURES)")
    return NCBI_FIXTURES


@pytest.fixture(scope="session")
def pubmedqa_file() -> Path:
    if not PUBMEDQA.is_file():
        pytest.skip(f"PubMedQA development file not found at {PUBMEDQA} (set EVIDENCE_PUBMEDQA)")
    return PUBMEDQA


@pytest.fixture(scope="session")
def own_data() -> Path:
    return OWN_DATA


_LOOPBACK = ("127.", "::1", "localhost")


def refuse_beyond_loopback(address: object) -> None:
    """Raise unless ``address`` is a Unix socket path or a loopback host."""
    if isinstance(address, tuple) and not str(address[0]).startswith(_LOOPBACK):
        raise ConnectionRefusedError(f"tests may only connect to loopback, not {address[0]}")


@pytest.fixture(autouse=True, scope="session")
def _loopback_only():
    """No test reaches beyond this machine: a connection to any other address fails loudly.

    Subprocesses (the dashboard's browser test) are not covered; they are pointed at loopback.
    """
    import socket

    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def connect(self, address):
        refuse_beyond_loopback(address)
        return real_connect(self, address)

    def connect_ex(self, address):
        refuse_beyond_loopback(address)
        return real_connect_ex(self, address)

    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
    _REAL_CONNECT[:] = [real_connect, real_connect_ex]
    yield
    socket.socket.connect, socket.socket.connect_ex = real_connect, real_connect_ex


_REAL_CONNECT: list = []


@pytest.fixture()
def real_network(request):
    """Lift the loopback guard for one test, and only for tests marked ``ncbi_live``
    (opt-in: ``pytest -m ncbi_live``; the default run deselects them)."""
    import socket

    if request.node.get_closest_marker("ncbi_live") is None:
        raise RuntimeError("real_network is only for tests marked ncbi_live")
    guarded = socket.socket.connect, socket.socket.connect_ex
    socket.socket.connect, socket.socket.connect_ex = _REAL_CONNECT
    yield
    socket.socket.connect, socket.socket.connect_ex = guarded
