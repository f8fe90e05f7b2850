"""Refresh decisions that need an efetch answer no FakeNCBI fault produces: a PMID that
esearch lists but efetch never returns (a record NCBI deleted), next to one whose record
is broken. Runs against a stub client speaking the refresh's client protocol, over our
own fixture records in the real efetch format."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from evidence.cache import Cache
from evidence.jobs.refresh import RefreshOptions, refresh
from evidence.pubmed.build import SearchResult
from evidence.registry import load_registry
from tests.refresh_support import write_registry

OWN = Path(__file__).parent / "data" / "parser_synthetic_articles.xml"


class StubClient:
    """esearch lists ``ids``; efetch answers with the records of ``OWN`` among the asked ids."""

    def __init__(self, ids: Sequence[str], body: bytes) -> None:
        self.ids, self.body, self.requests_made = tuple(ids), body, 0

    def search_ids(self, term, *, mindate=None, maxdate=None, datetype="edat", context=""):
        self.requests_made += 1
        return SearchResult(count=len(self.ids), ids=self.ids, webenv=None, query_key=None,
                            query_translation=term, warnings=())

    def efetch(self, ids, *, context=""):
        self.requests_made += 1
        return self.body


def _run(tmp_path: Path, ids: Sequence[str], body: bytes):
    registry = load_registry(write_registry(tmp_path / "reg", ["alpha"]))
    with Cache(tmp_path / "c.sqlite") as cache:
        summary = refresh(registry, cache, StubClient(ids, body), RefreshOptions())
        return summary, cache.claim_state("alpha"), cache.claim_pmids("alpha")


def test_a_pmid_ncbi_no_longer_has_does_not_block_its_claim(tmp_path, caplog):
    summary, state, members = _run(tmp_path, ["99999901", "12345678"], OWN.read_bytes())
    assert members == {"99999901"}
    assert state.watermark is not None  # the claim completed: the deleted record is let go
    assert summary.status == "ok"
    assert any("12345678" in r.getMessage() and "no record" in r.getMessage() for r in caplog.records)


def test_a_broken_record_without_a_pmid_blocks_the_watermark(tmp_path):
    text = OWN.read_text(encoding="utf-8")
    # Remove the PMID of the first record: the parser can only report it as "PMID unknown".
    broken = text.replace('<PMID Version="1">99999901</PMID>', "", 1).encode()
    summary, state, members = _run(tmp_path, ["99999901", "99999902"], broken)
    assert "99999902" in members and "99999901" not in members
    assert state.watermark is None and "99999901" in (state.last_error or "")
    assert summary.status != "ok"


class DownClient(StubClient):
    """Every search fails the way the client reports an NCBI outage after its retries."""

    def __init__(self, error: Exception) -> None:
        super().__init__((), b"")
        self.error = error
        self.searched: list[str] = []

    def search_ids(self, term, *, mindate=None, maxdate=None, datetype="edat", context=""):
        self.searched.append(context)
        raise self.error


def _run_down(tmp_path: Path, error: Exception):
    registry = load_registry(write_registry(tmp_path / "reg", ["alpha", "bravo", "charlie", "delta"]))
    client = DownClient(error)
    with Cache(tmp_path / "c.sqlite") as cache:
        summary = refresh(registry, cache, client, RefreshOptions())
        states = {c.id: cache.claim_state(c.id) for c in registry.claims}
    return summary, client, states


def test_an_ncbi_outage_stops_the_run_after_two_failed_requests(tmp_path):
    from evidence.errors import NCBIUnavailable

    summary, client, states = _run_down(tmp_path, NCBIUnavailable("claim x: esearch failed: HTTP 503"))
    assert client.searched == ["claim alpha", "claim bravo"]  # not every claim's minute of retries
    assert summary.status == "failed" and summary.exit_code == 1
    assert [o.error for o in summary.claims][2:] == ["not searched: NCBI unavailable; the next run retries"] * 2
    assert all(s.watermark is None for s in states.values())
    assert any("2 requests in a row" in e and "claim bravo" in e for e in summary.errors)


def test_a_rejected_query_is_not_an_outage(tmp_path):
    from evidence.errors import FetchError

    summary, client, _ = _run_down(tmp_path, FetchError("claim x: NCBI answered with an error: bad query"))
    assert len(client.searched) == 4  # every claim still tried
