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
