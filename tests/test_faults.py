"""Every fault FakeNCBI can produce, during a first refresh and during an incremental one.

The story (``scenario``): a first refresh (day T0) fills the cache; upstream then gains three
new records and revises three cached ones; an incremental refresh (day T1 = T0 + 1) picks
them up. A fault is injected into one of the two refreshes. Whatever happens, the faulty run
must end complete or non-zero with clear messages, lose no record, and move a claim's
watermark only when everything that claim found is in the cache in its current version.
Then the same run is repeated without the fault and the story finished: the cache must equal,
record for record, the cache of the story told without any fault.

"transient" faults last fewer attempts than the client's budget (the run must complete);
"persistent" ones outlast it (the run must fail, partially or wholly).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest

from evidence.cache import Cache
from evidence.errors import CacheError
from evidence.jobs.refresh import RefreshSummary
from evidence.registry import Registry, load_registry, search_term
from tests.ncbi_server import FakeNCBI, FakeRecord, Fault, scaled_records
from tests.refresh_support import (
    WORDS,
    QuickNCBI,
    cache_contents,
    esearches,
    fast_client,
    real_records,
    revised_xml,
    run_refresh,
    spread,
    today_utc,
    topic_keys,
    write_registry,
)

T0 = today_utc()
T1 = T0 + timedelta(days=1)
RETRIES = 3  # fast_client's budget: 4 attempts per request
TRANSIENT, PERSISTENT = RETRIES, 2 * (RETRIES + 1)  # persistent also outlasts the combined probe's budget
BATCH = 10
pytestmark = pytest.mark.timeout(60)


@dataclass
class Story:
    registry: Registry
    records: list[FakeRecord]
    topics: dict[str, list[str]]
    new: list[FakeRecord] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)  # per refresh, fault-free
    stages: list[dict] = field(default_factory=list)  # cache contents after each fault-free refresh

    def server(self) -> FakeNCBI:
        return QuickNCBI(self.records, self.topics, today=T0)

    def change_upstream(self, ncbi: FakeNCBI) -> None:
        """Three new records (one shared by two claims) and three revised ones (sorting first)."""
        claims = self.registry.claims
        for rec in self.new:
            ncbi.add_record(rec)
        for i, rec in ((0, self.new[0]), (1, self.new[1]), (2, self.new[1]), (3, self.new[2])):
            ncbi.add_topic(search_term(claims[i]), [rec.pmid])
        for pmid in self.revised:
            ncbi.revise(pmid, xml=revised_xml(ncbi.records[pmid].xml, "Corrected"), mdat=T0)

    @property
    def revised(self) -> list[str]:
        return [self.topics[search_term(self.registry.claims[5])][0], self.topics[search_term(self.registry.claims[5])][1],
                self.topics[search_term(self.registry.claims[7])][0]]


@pytest.fixture(scope="module")
def story(ncbi_fixtures, tmp_path_factory) -> Story:
    registry = load_registry(write_registry(tmp_path_factory.mktemp("registry"), WORDS[:8]))
    recs = real_records(ncbi_fixtures)[:60]
    topics = spread([r.pmid for r in recs], topic_keys(registry), 12, 6)
    new = [FakeRecord(r.pmid, r.xml, T0, T0) for r in scaled_records(recs[:3], 3, 95_000_001)]
    return Story(registry, recs, topics, new)


@pytest.fixture(scope="module")
def reference(story, tmp_path_factory) -> dict:
    """The cache after the story told without any fault (and the requests each refresh took)."""
    path = tmp_path_factory.mktemp("reference") / "c.sqlite"
    with story.server() as ncbi:
        for day in (T0, T1):
            if day == T1:
                story.change_upstream(ncbi)
            before = ncbi.requests
            assert run_refresh(story.registry, path, fast_client(ncbi), today=day, batch_size=BATCH).status == "ok"
            story.requests.append(ncbi.requests - before)
            story.stages.append(cache_contents(path))
    return story.stages[-1]


def check_faulty_run(summary: RefreshSummary, story: Story, path: Path, before: dict, reference: dict,
                     day: date, previous: str | None) -> None:
    """``reference``: the fault-free cache after this same refresh (upstream as it is now)."""
    after = cache_contents(path)
    assert summary.status in ("ok", "partial", "failed")
    if summary.status == "ok":
        assert summary.exit_code == 0 and summary.errors == [] and all(o.ok for o in summary.claims)
    else:
        assert summary.exit_code != 0 and summary.errors
        for message in summary.errors:  # each names what failed and the next step or the PMID
            assert "\n" not in message and ("claim " in message or "efetch" in message or "PMID" in message)
    # no record lost, and every stored record is either as before or as upstream has it now
    assert set(before["records"]) <= set(after["records"])
    for pmid, content in after["records"].items():
        assert content in (before["records"].get(pmid), reference["records"][pmid])
    ref_members: dict[str, set[str]] = {}
    for claim_id, pmid in reference["memberships"]:
        ref_members.setdefault(claim_id, set()).add(pmid)
    for outcome in summary.claims:
        watermark = after["claims"].get(outcome.claim_id, (None, None))[1]
        if outcome.ok:
            assert watermark == day.isoformat(), outcome.claim_id
            for pmid in ref_members[outcome.claim_id]:  # everything it found, current version
                assert after["records"].get(pmid) == reference["records"][pmid], (outcome.claim_id, pmid)
        else:
            assert watermark == previous, outcome.claim_id
            assert outcome.error


def play(story: Story, path: Path, reference: dict, fault: Fault | None, phase: int,
         expect_ok: bool | None, times: int = 0) -> None:
    with story.server() as ncbi:
        for i, (day, previous) in enumerate(((T0, None), (T1, T0.isoformat()))):
            if i == 1:
                story.change_upstream(ncbi)
            if i == phase and fault is not None:
                before = cache_contents(path) if path.exists() else {"records": {}, "memberships": [], "claims": {}}
                ncbi.inject(fault)
                start = ncbi.requests
                summary = run_refresh(story.registry, path, fast_client(ncbi, timeout=0.5), today=day,
                                      batch_size=BATCH)
                check_faulty_run(summary, story, path, before, story.stages[i], day, previous)
                if expect_ok is not None:
                    assert (summary.status == "ok") is expect_ok, summary.to_text()
                if expect_ok:  # the fault was met and absorbed by retries
                    assert ncbi.requests - start == story.requests[i] + times
                with Cache(path, readonly=True) as cache:
                    assert cache.integrity_check() == "ok"
                ncbi.clear_faults()  # the fault is over: drop what is left of it
            again = run_refresh(story.registry, path, fast_client(ncbi), today=day, batch_size=BATCH)
            assert again.status == "ok", again.to_text()
    assert cache_contents(path) == reference


KINDS = ["429", "500", "502", "503", "reset", "stall", "truncate", "error200"]


@pytest.mark.parametrize("phase", [0, 1], ids=["first", "incremental"])
@pytest.mark.parametrize("endpoint", ["esearch", "efetch"])
@pytest.mark.parametrize("kind", KINDS)
def test_transient_fault_is_absorbed(story, reference, tmp_path, kind, endpoint, phase):
    fault = Fault(kind, endpoint=endpoint, times=TRANSIENT, seconds=1.0)
    play(story, tmp_path / "c.sqlite", reference, fault, phase, expect_ok=True, times=TRANSIENT)


@pytest.mark.parametrize("phase", [0, 1], ids=["first", "incremental"])
@pytest.mark.parametrize("endpoint", ["esearch", "efetch"])
@pytest.mark.parametrize("kind", KINDS)
def test_persistent_fault_fails_cleanly_and_a_rerun_converges(story, reference, tmp_path, kind, endpoint, phase):
    if kind == "stall":  # each stalled attempt costs a timeout: keep it to one request's budget
        fault = Fault(kind, endpoint=endpoint, times=RETRIES + 1, seconds=0.8)
    else:
        fault = Fault(kind, endpoint=endpoint, times=PERSISTENT)
    expect_ok = None if (kind == "stall" and endpoint == "esearch" and phase == 1) else False
    play(story, tmp_path / "c.sqlite", reference, fault, phase, expect_ok=expect_ok)


def test_rate_limit_error_names_the_cause(story, reference, tmp_path):
    with story.server() as ncbi:
        ncbi.inject(Fault("429", endpoint="esearch", times=PERSISTENT))
        summary = run_refresh(story.registry, tmp_path / "c.sqlite", fast_client(ncbi), today=T0, batch_size=BATCH)
    first = story.registry.claims[0].id
    assert any(f"claim {first}" in e and "429" in e and "NCBI_API_KEY" in e for e in summary.errors), summary.errors
    assert ncbi.served_429 == PERSISTENT


@pytest.mark.parametrize("phase", [0, 1], ids=["first", "incremental"])
def test_malformed_record_is_reported_by_pmid_and_the_rest_kept(story, reference, tmp_path, phase):
    path = tmp_path / "c.sqlite"
    with story.server() as ncbi:
        if phase == 1:
            run_refresh(story.registry, path, fast_client(ncbi), today=T0, batch_size=BATCH)
            story.change_upstream(ncbi)
        before = cache_contents(path) if phase else {"records": {}, "memberships": [], "claims": {}}
        ncbi.inject(Fault("malformed-record", endpoint="efetch"))
        summary = run_refresh(story.registry, path, fast_client(ncbi), today=(T0, T1)[phase], batch_size=BATCH)
        first_efetch = [r for r in ncbi.log if r.endpoint == "efetch"][0 if phase == 0 else -1]
        bad = first_efetch.params["id"].split(",")[0]  # FakeNCBI breaks the first record of the batch
        assert summary.status == "partial"
        assert any(f"PMID {bad}" in e for e in summary.errors), summary.errors
        stage = story.stages[phase]
        check_faulty_run(summary, story, path, before, stage, (T0, T1)[phase], (None, T0.isoformat())[phase])
        after = cache_contents(path)
        batch = set(first_efetch.params["id"].split(","))
        assert batch - {bad} <= set(after["records"])  # the rest of the batch was kept
        assert all(after["records"][p] == stage["records"][p] for p in batch - {bad})
        assert after["records"].get(bad) != stage["records"][bad]
        with_bad = {c for c, p in stage["memberships"] if p == bad}
        assert with_bad and all(not o.ok for o in summary.claims if o.claim_id in with_bad)
    play_rest = story.server()
    with play_rest as ncbi:
        if phase == 1:
            story.change_upstream(ncbi)
        assert run_refresh(story.registry, path, fast_client(ncbi), today=(T0, T1)[phase],
                           batch_size=BATCH).status == "ok"
        if phase == 0:
            story.change_upstream(ncbi)
            assert run_refresh(story.registry, path, fast_client(ncbi), today=T1, batch_size=BATCH).status == "ok"
    assert cache_contents(path) == reference


def cheap(pmid: int, day: date) -> FakeRecord:
    xml = (f'<PubmedArticle><MedlineCitation Status="MEDLINE"><PMID Version="1">{pmid}</PMID><Article>'
           f"<ArticleTitle>Synthetic record {pmid}</ArticleTitle></Article></MedlineCitation></PubmedArticle>")
    return FakeRecord(str(pmid), xml.encode(), day, day)


def test_a_claim_over_the_9999_cap_is_split_by_date_and_complete(tmp_path):
    """Paging one result past retstart 9998 earns NCBI's <ERROR>; the client must split windows."""
    registry = load_registry(write_registry(tmp_path / "r", WORDS[:2]))
    big = [cheap(60_000_000 + i, date(2018, 1, 1) + timedelta(days=i // 8)) for i in range(10_050)]
    topics = {search_term(registry.claims[0]): [r.pmid for r in big], search_term(registry.claims[1]): ["60000000"]}
    with QuickNCBI(big, topics) as ncbi:
        summary = run_refresh(registry, tmp_path / "c.sqlite", fast_client(ncbi), batch_size=2000)
        starts = [int(r.params.get("retstart", 0)) for r in esearches(ncbi.log)]
    assert summary.status == "ok", summary.to_text()
    assert max(starts) <= 9998 and len(starts) > 2  # windows, not pages past the cap
    with Cache(tmp_path / "c.sqlite", readonly=True) as cache:
        assert cache.claim_pmids(registry.claims[0].id) == {r.pmid for r in big}
        assert cache.record_count() == 10_050


# -- the cache's disk full or read-only -------------------------------------------------------
#
# Both are simulated on the Cache's own SQLite connection, which gives SQLite's real errors:
# ``PRAGMA max_page_count`` caps the file where it stands, so the next page SQLite needs fails
# with SQLITE_FULL ("database or disk is full"), exactly what a full disk gives; ``PRAGMA
# query_only`` makes every write fail with "attempt to write a readonly database", what a
# read-only file gives. (chmod cannot be used: the tests may run as root, which ignores it;
# a small tmpfs needs mount privileges CI may not have.)


def _shrink_and_grow(story: Story, path: Path, pragma: str, tmp_path: Path) -> tuple[BaseException, dict, dict]:
    with story.server() as ncbi:
        run_refresh(story.registry, path, fast_client(ncbi), today=T0, batch_size=BATCH)
        story.change_upstream(ncbi)
        before = cache_contents(path)
        with Cache(path) as cache:
            pages = cache._db.execute("PRAGMA page_count").fetchone()[0]
            cache._db.execute(pragma.format(pages=pages))
            from evidence.jobs.refresh import RefreshOptions, refresh

            with pytest.raises(CacheError) as info:
                refresh(story.registry, cache, fast_client(ncbi), RefreshOptions(today=T1, batch_size=BATCH))
        during = cache_contents(path)
        with Cache(path, readonly=True) as cache:
            assert cache.integrity_check() == "ok"
        assert run_refresh(story.registry, path, fast_client(ncbi), today=T1, batch_size=BATCH).status == "ok"
    return info.value, before, during


def test_disk_full_is_a_clear_error_and_nothing_is_half_written(story, reference, tmp_path):
    path = tmp_path / "c.sqlite"
    error, before, during = _shrink_and_grow(story, path, "PRAGMA max_page_count = {pages}", tmp_path)
    assert "full" in str(error) and str(path) in str(error) and "nothing was written" in str(error)
    # whole batches or nothing: every stored record is the old or the new version, with its links
    for pmid, content in during["records"].items():
        assert content in (before["records"].get(pmid), story.stages[1]["records"][pmid])
    assert during["claims"] == before["claims"]  # no watermark moved
    assert cache_contents(path) == reference


def test_read_only_cache_is_a_clear_error_and_nothing_is_written(story, reference, tmp_path):
    path = tmp_path / "c.sqlite"
    error, before, during = _shrink_and_grow(story, path, "PRAGMA query_only = 1", tmp_path)
    assert "read-only" in str(error) and str(path) in str(error)
    assert during == before
    assert cache_contents(path) == reference


def test_cache_that_is_not_sqlite_is_a_clear_error(tmp_path):
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(CacheError, match="move it aside"):
        Cache(path)
