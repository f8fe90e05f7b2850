"""Shared helpers for the refresh, fault, kill and secrets tests (and the refresh benchmarks).

FakeNCBI answers a term with the union of the topics whose key occurs in it, so a claim's
topic key is its exact ``search_term(claim)``: the claim's own search finds its topic, and
the combined probe ``(t1) OR (t2) ...`` finds them all. Records are real PubMed XML from
../shared (``ncbi_fixtures``); only their assignment to claims is test scaffolding.

``cache_contents(path)`` is the yardstick of convergence: the cache's *content* (records,
memberships, claim watermarks), never its timestamps or run ids.
"""

from __future__ import annotations

import sqlite3
import textwrap
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from evidence.cache import Cache
from evidence.jobs.refresh import RefreshOptions, RefreshSummary, refresh
from evidence.pubmed.client import EutilsClient, Pacer
from evidence.registry import Registry, load_registry, search_term
from tests.ncbi_server import FakeNCBI, FakeRecord, LoggedRequest, load_records_from_files

REPO = Path(__file__).resolve().parents[1]
QUERIES = REPO / "queries.yaml"

# Words for synthetic claims: each claim's query names one, so terms never contain one another.
WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett",
         "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango",
         "uniform", "victor", "whiskey", "xray", "yankee", "zulu")


# The loopback server, under the name these tests first gave it.
QuickNCBI = FakeNCBI


def today_utc() -> date:
    """The date a refresh uses when not told otherwise (its watermark)."""
    return datetime.now(timezone.utc).date()


def fixture_files(ncbi_fixtures: Path, *, baseline: bool = False) -> list[Path]:
    """Real efetch files (``.xml``); with ``baseline`` also the .gz efetch and baseline files."""
    files = sorted((ncbi_fixtures / "efetch").rglob("*.xml"))
    if baseline:
        files += sorted((ncbi_fixtures / "efetch").rglob("*.xml.gz"))
        files += sorted((ncbi_fixtures / "baseline").glob("*.xml*"))
    return files


@lru_cache(maxsize=4)
def _load(paths: tuple[str, ...]) -> tuple[FakeRecord, ...]:
    return tuple(load_records_from_files(paths))


def real_records(ncbi_fixtures: Path, *, baseline: bool = False) -> list[FakeRecord]:
    """Every real record of the fixtures, sorted by PMID (a fresh list; the records are shared)."""
    recs = _load(tuple(str(p) for p in fixture_files(ncbi_fixtures, baseline=baseline)))
    return sorted(recs, key=lambda r: int(r.pmid))


def spread(pmids: Sequence[str], keys: Sequence[str], per_claim: int, step: int) -> dict[str, list[str]]:
    """Claim i gets ``per_claim`` PMIDs starting at i*step (wrapping): with step < per_claim
    neighbouring claims share PMIDs, as real claims about the same drug do."""
    n = len(pmids)
    return {key: [pmids[(i * step + j) % n] for j in range(min(per_claim, n))] for i, key in enumerate(keys)}


def real_registry() -> Registry:
    return load_registry(QUERIES)


def write_registry(directory: Path, words: Sequence[str], *, queries: Mapping[str, str] | None = None) -> Path:
    """A small valid queries.yaml (one article, one claim per word) in ``directory``.

    ``queries`` overrides a claim's query by id (e.g. to test that a changed query is searched in full).
    """
    directory.mkdir(parents=True, exist_ok=True)
    sentences = [f"Ketamine changes the {w} pathway in patients." for w in words]
    (directory / "article.md").write_text("\n".join(sentences) + "\n", encoding="utf-8")
    claims = []
    for word, sentence in zip(words, sentences, strict=False):
        query = (queries or {}).get(word, f'ketamine[mh] AND "{word} pathway"[tiab]')
        claims.append(textwrap.dedent(f"""\
            - id: {word}
              article: test-article
              quote: {sentence}
              statement: Ketamine changes the {word} pathway.
              kind: efficacy
              query: '{query}'
            """))
    text = ("articles:\n  - id: test-article\n    title: A test article\n    source: written for the tests\n"
            "    file: article.md\nclaims:\n" + "".join(textwrap.indent(c, "  ") for c in claims))
    path = directory / "queries.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def topic_keys(registry: Registry) -> list[str]:
    return [search_term(c) for c in registry.claims]


def fast_client(ncbi: FakeNCBI, **kw: Any) -> EutilsClient:
    """A client that does not pace and backs off 10 ms, so fault tests stay fast."""
    kw.setdefault("pacer", Pacer(0))
    kw.setdefault("backoff", 0.01)
    kw.setdefault("timeout", 2.0)
    kw.setdefault("max_retries", 3)
    return EutilsClient(base_url=ncbi.url, **kw)


def run_refresh(registry: Registry, cache_path: Path, client: EutilsClient, *, after_run=None,
                **options: Any) -> RefreshSummary:
    with Cache(cache_path) as cache:
        return refresh(registry, cache, client, RefreshOptions(**options), after_run=after_run)


def efetched_ids(log: Iterable[LoggedRequest]) -> list[str]:
    """Every id asked for by efetch, in order, duplicates kept (to check dedupe)."""
    out: list[str] = []
    for req in log:
        if req.endpoint == "efetch":
            out.extend(i for i in req.params.get("id", "").split(",") if i)
    return out


def esearches(log: Iterable[LoggedRequest]) -> list[LoggedRequest]:
    return [r for r in log if r.endpoint == "esearch"]


def cache_contents(path: Path) -> dict[str, Any]:
    """The cache's content: records (pmid -> content hash, parsed data), memberships, claim state.

    Read through a plain read-only connection so it works on a cache another process left
    behind (e.g. after kill -9); timestamps and run ids are left out on purpose.
    """
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        records = {pmid: (h, data) for pmid, h, data in
                   db.execute("SELECT pmid, content_hash, data FROM records ORDER BY pmid")}
        members = sorted(db.execute("SELECT claim_id, pmid FROM claim_records"))
        claims = {row[0]: row[1:] for row in
                  db.execute("SELECT claim_id, term, watermark, last_error FROM claim_state ORDER BY claim_id")}
    finally:
        db.close()
    return {"records": records, "memberships": members, "claims": claims}


def revised_xml(xml: bytes, note: str) -> bytes:
    """A real record as NCBI might re-issue it: same citation, a changed title (e.g. an erratum)."""
    el = etree.fromstring(xml)
    title = next((t for t in el.iter("ArticleTitle", "BookTitle")), None)  # lxml elements are falsy
    assert title is not None, "a record without a title"
    title.text = (title.text or "") + f" [{note}]"
    return etree.tostring(el)


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.005) -> bool:
    """Poll ``predicate`` until true or ``timeout``; returns whether it became true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())
