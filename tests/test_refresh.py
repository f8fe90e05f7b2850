"""The refresh job against FakeNCBI on loopback, with real PubMed records and the real queries.yaml.

Each claim's FakeNCBI topic is keyed on its exact ``search_term``; ten records per claim,
five shared with the next claim, so many PMIDs are found by two claims (dedupe matters).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import pytest

from evidence import cli
from evidence.cache import Cache
from evidence.cache.lock import refresh_lock
from evidence.registry import load_registry, search_term
from tests.ncbi_server import FakeNCBI, FakeRecord, scaled_records
from tests.refresh_support import (
    QUERIES,
    WORDS,
    QuickNCBI,
    cache_contents,
    efetched_ids,
    esearches,
    fast_client,
    real_records,
    real_registry,
    revised_xml,
    run_refresh,
    spread,
    today_utc,
    topic_keys,
    write_registry,
)

PER_CLAIM, STEP = 10, 5


@pytest.fixture(scope="module")
def registry():
    return real_registry()


@pytest.fixture
def world(ncbi_fixtures, registry):
    recs = real_records(ncbi_fixtures)
    topics = spread([r.pmid for r in recs], topic_keys(registry), PER_CLAIM, STEP)
    with QuickNCBI(recs, topics, today=today_utc()) as ncbi:
        yield ncbi


def expected_members(ncbi: FakeNCBI, registry) -> dict[str, set[str]]:
    return {c.id: set(ncbi.matching(search_term(c))) for c in registry.claims}


def new_records(ncbi_fixtures, n: int, start: int) -> list[FakeRecord]:
    """Real records cloned under new PMIDs, entered and modified today (as if just published)."""
    today = today_utc()
    return [FakeRecord(r.pmid, r.xml, today, today) for r in scaled_records(real_records(ncbi_fixtures)[:n], n, start)]


def test_first_run_fills_the_cache(world, registry, tmp_path):
    summary = run_refresh(registry, tmp_path / "c.sqlite", fast_client(world))
    assert summary.status == "ok" and summary.exit_code == 0 and summary.errors == []
    expected = expected_members(world, registry)
    union = set().union(*expected.values())
    with Cache(tmp_path / "c.sqlite", readonly=True) as cache:
        for claim in registry.claims:
            assert cache.claim_pmids(claim.id) == expected[claim.id], claim.id
            assert cache.claim_state(claim.id).watermark == today_utc().isoformat()
            assert cache.claim_state(claim.id).term == search_term(claim)
        assert cache.cached_pmids() == union
    # first run: one full esearch per claim, no combined probe; every PMID fetched exactly once
    assert len(esearches(world.log)) == len(registry.claims)
    assert all("mindate" not in r.params for r in esearches(world.log))
    fetched = Counter(efetched_ids(world.log))
    assert set(fetched) == union and max(fetched.values()) == 1
    assert summary.added == len(union) and summary.requests == world.requests
    assert {o.mode for o in summary.claims} == {"full"}


def test_pmids_shared_by_claims_are_fetched_once(world, registry, tmp_path):
    run_refresh(registry, tmp_path / "c.sqlite", fast_client(world), batch_size=7)
    claims_per_pmid = Counter(p for members in expected_members(world, registry).values() for p in members)
    shared = {p for p, n in claims_per_pmid.items() if n > 1}
    assert len(shared) > 50  # the scaffolding really overlaps
    fetched = Counter(efetched_ids(world.log))
    assert all(fetched[p] == 1 for p in claims_per_pmid)
    assert world.by_endpoint["efetch"] == -(-len(claims_per_pmid) // 7)  # ceil: full batches only
    with Cache(tmp_path / "c.sqlite", readonly=True) as cache:
        members = cache.memberships()
    assert len(members) == sum(claims_per_pmid.values())


def test_second_run_with_nothing_new_costs_one_request(world, registry, tmp_path):
    path = tmp_path / "c.sqlite"
    run_refresh(registry, path, fast_client(world))
    before = cache_contents(path)
    world.log.clear()
    summary = run_refresh(registry, path, fast_client(world))
    assert summary.status == "ok" and summary.requests == 1
    assert [r.endpoint for r in world.log] == ["esearch"]  # the combined probe, nothing else
    probe = world.log[0].params
    assert probe["datetype"] == "mdat" and probe["mindate"] == (today_utc() - timedelta(days=1)).strftime("%Y/%m/%d")
    assert all(f"({search_term(c)})" in probe["term"] for c in registry.claims)
    assert {o.mode for o in summary.claims} == {"unchanged"}
    assert cache_contents(path) == before


def test_new_and_revised_records_are_fetched_once_and_move_watermarks(world, registry, ncbi_fixtures, tmp_path):
    path = tmp_path / "c.sqlite"
    t0 = today_utc()
    run_refresh(registry, path, fast_client(world), today=t0)
    before = cache_contents(path)
    claims = registry.claims
    # three new records: one for claim 0, one for claims 1 and 2 both, one for claim 3
    fresh = new_records(ncbi_fixtures, 3, 90_000_001)
    for rec in fresh:
        world.add_record(rec)
    world.add_topic(search_term(claims[0]), [fresh[0].pmid])
    world.add_topic(search_term(claims[1]), [fresh[1].pmid])
    world.add_topic(search_term(claims[2]), [fresh[1].pmid])
    world.add_topic(search_term(claims[3]), [fresh[2].pmid])
    # three revised records (a changed title, modified today), one found by two claims
    members = expected_members(world, registry)
    revised = sorted(members[claims[5].id])[:2] + sorted(members[claims[9].id] & members[claims[10].id])[:1]
    for pmid in revised:
        world.revise(pmid, xml=revised_xml(world.records[pmid].xml, "Erratum"), mdat=t0)
    world.log.clear()
    t1 = t0 + timedelta(days=1)
    summary = run_refresh(registry, path, fast_client(world), today=t1)
    assert summary.status == "ok", summary.to_text()
    fetched = Counter(efetched_ids(world.log))
    assert set(fetched) == {r.pmid for r in fresh} | set(revised) and max(fetched.values()) == 1
    assert summary.added == 3 and summary.updated == 3
    after = cache_contents(path)
    for pmid in revised:
        assert after["records"][pmid] != before["records"][pmid]
        assert "[Erratum]" in json.loads(after["records"][pmid][1])["title"]
    assert set(after["records"]) == set(before["records"]) | {r.pmid for r in fresh}
    assert {(c, p) for c, p in after["memberships"]} - {(c, p) for c, p in before["memberships"]} == {
        (claims[0].id, fresh[0].pmid), (claims[1].id, fresh[1].pmid), (claims[2].id, fresh[1].pmid),
        (claims[3].id, fresh[2].pmid)}
    assert {state[1] for state in before["claims"].values()} == {t0.isoformat()}
    assert {state[1] for state in after["claims"].values()} == {t1.isoformat()}
    # incremental: a probe, then one windowed search per claim (mdat since the watermark less a day)
    searches = esearches(world.log)
    assert len(searches) == 1 + len(claims)
    assert {r.params["mindate"] for r in searches} == {(t0 - timedelta(days=1)).strftime("%Y/%m/%d")}
    by_claim = {o.claim_id: o for o in summary.claims}
    assert by_claim[claims[2].id].new == 1 and by_claim[claims[4].id].new == 0
    assert by_claim[claims[5].id].updated == 2


def test_one_claim_failing_keeps_its_watermark_and_a_rerun_converges(world, registry, ncbi_fixtures, tmp_path):
    path = tmp_path / "c.sqlite"
    t0, t1 = today_utc(), today_utc() + timedelta(days=1)
    run_refresh(registry, path, fast_client(world), today=t0)
    victim, other = registry.claims[4], registry.claims[6]
    fresh = new_records(ncbi_fixtures, 2, 91_000_001)
    for rec, claim in zip(fresh, (victim, other), strict=False):
        world.add_record(rec)
        world.add_topic(search_term(claim), [rec.pmid])
    failing = PoisonedTerm(world, search_term(victim))
    summary = run_refresh(registry, path, fast_client(world), today=t1)
    assert failing.hits == 4  # the victim's search, retried to the end of its budget
    assert summary.status == "partial" and summary.exit_code == 1
    assert any(victim.id in e for e in summary.errors)
    with Cache(path, readonly=True) as cache:
        assert cache.claim_state(victim.id).watermark == t0.isoformat()
        assert victim.id in cache.claim_state(victim.id).last_error
        assert cache.claim_state(other.id).watermark == t1.isoformat()
        assert fresh[1].pmid in cache.claim_pmids(other.id)
        assert fresh[0].pmid not in cache.claim_pmids(victim.id)
    failing.cure()
    assert run_refresh(registry, path, fast_client(world), today=t1).status == "ok"
    # the same story without the fault, in a fresh cache
    clean = tmp_path / "clean.sqlite"
    run_refresh(registry, clean, fast_client(world), today=t0)
    run_refresh(registry, clean, fast_client(world), today=t1)
    assert cache_contents(path) == cache_contents(clean)


class PoisonedTerm:
    """Every esearch for exactly ``term`` answers HTTP 503 (the probe and other claims pass)."""

    def __init__(self, ncbi: FakeNCBI, term: str) -> None:
        self.ncbi, self.term, self.hits = ncbi, term, 0
        self._admit = ncbi._admit
        ncbi._admit = self.admit  # instance attribute: only this server is affected

    def admit(self, endpoint, method, params):
        fault, limited = self._admit(endpoint, method, params)
        if endpoint == "esearch" and " ".join(params.get("term", "").split()) == self.term:
            from tests.ncbi_server import Fault

            self.hits += 1
            return Fault("503"), limited
        return fault, limited

    def cure(self) -> None:
        self.ncbi._admit = self._admit


def test_full_refetches_everything_and_changes_nothing(world, registry, tmp_path):
    path = tmp_path / "c.sqlite"
    run_refresh(registry, path, fast_client(world))
    before = cache_contents(path)
    world.log.clear()
    summary = run_refresh(registry, path, fast_client(world), full=True)
    assert summary.status == "ok" and summary.added == 0 and summary.updated == 0
    assert {o.mode for o in summary.claims} == {"full"}
    fetched = Counter(efetched_ids(world.log))
    assert set(fetched) == set(before["records"]) and max(fetched.values()) == 1
    assert all("mindate" not in r.params for r in esearches(world.log))
    assert cache_contents(path) == before


def test_a_changed_query_is_searched_in_full(ncbi_fixtures, tmp_path):
    words = WORDS[:4]
    reg1 = load_registry(write_registry(tmp_path / "v1", words))
    changed = f'ketamine[mh] AND "{words[2]} pathway"[tiab] AND humans[mh]'
    reg2 = load_registry(write_registry(tmp_path / "v2", words, queries={words[2]: changed}))
    recs = real_records(ncbi_fixtures)
    topics = spread([r.pmid for r in recs], topic_keys(reg1), 8, 4)
    topics[search_term(reg2.claim(words[2]))] = [r.pmid for r in recs[100:106]]
    with QuickNCBI(recs, topics) as ncbi:
        path = tmp_path / "c.sqlite"
        run_refresh(reg1, path, fast_client(ncbi))
        ncbi.log.clear()
        summary = run_refresh(reg2, path, fast_client(ncbi))
        modes = {o.claim_id: o.mode for o in summary.claims}
        assert modes[words[2]] == "full" and {modes[w] for w in words if w != words[2]} == {"unchanged"}
        searches = esearches(ncbi.log)
        assert len(searches) == 2
        probe, full = searches
        assert changed not in probe.params["term"] and "mindate" in probe.params
        assert full.params["term"] == search_term(reg2.claim(words[2])) and "mindate" not in full.params
        with Cache(path, readonly=True) as cache:
            assert cache.claim_state(words[2]).term == search_term(reg2.claim(words[2]))
            assert {r.pmid for r in recs[100:106]} <= cache.claim_pmids(words[2])


def test_a_concurrent_refresh_is_refused_with_exit_3(tmp_path, capsys):
    cache = tmp_path / "c.sqlite"
    with refresh_lock(cache):
        code = cli.main(["--queries", str(QUERIES), "--cache", str(cache), "refresh", "-q"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 3
    assert len(err) == 1 and err[0].startswith("error: another refresh") and str(cache) in err[0]


def test_cli_end_to_end(world, registry, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NCBI_EUTILS_URL", world.url)
    monkeypatch.delenv("NCBI_API_KEY", raising=False)
    monkeypatch.setattr("evidence.pubmed.client.INTERVAL_NO_KEY", 0.0)  # FakeNCBI has no rate limit here
    cache = tmp_path / "cache" / "evidence.sqlite"
    base = ["--queries", str(QUERIES), "--cache", str(cache)]
    assert cli.main([*base, "refresh"]) == 0
    out = capsys.readouterr().out
    members = expected_members(world, registry)
    union = set().union(*members.values())
    lines = out.strip().splitlines()
    # Each count says what it counts; "new studies" is what `evidence digest` counts (claim by claim).
    assert lines[0].startswith("new: studies the claim gained in this run (as `evidence digest` counts them)")
    new_studies = sum(len(p) for p in members.values())
    assert lines[-1].startswith(f"run 1 ok: {new_studies} new studies for claims ({len(union)} records new to "
                                f"the cache), 0 records revised, {len(registry.claims) + 1} requests")
    for claim in registry.claims:
        assert any(line.split()[0] == claim.id and line.rstrip().endswith("ok") for line in lines), claim.id
    assert list((cache.parent / "digests").iterdir())  # the digest was written

    assert cli.main([*base, "claims"]) == 0
    rows = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()[1:]}
    assert {cid: int(row[2]) for cid, row in rows.items()} == {c: len(p) for c, p in members.items()}

    assert cli.main([*base, "digest", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["new_studies"] == new_studies  # the same count

    pmid = sorted(union)[0]
    assert cli.main([*base, "show", pmid]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith(f"PMID {pmid}") and "design: " in shown and "species: " in shown

    assert cli.main([*base, "report", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [c["id"] for c in report["claims"]] == [c.id for c in registry.claims]
    for claim in report["claims"]:
        assert claim["verdict"] and claim["strength"] and claim["reasons"], claim["id"]
        assert {s["pmid"] for s in claim["studies"]} == members[claim["id"]]
        for study in claim["studies"]:
            for label in ("design", "species", "direction"):
                assert study[label] and study[f"{label}_reason"], (claim["id"], study["pmid"], label)


def test_quiet_prints_nothing_without_changes_and_one_line_with_them(world, registry, ncbi_fixtures, tmp_path,
                                                                       monkeypatch, capsys, caplog):
    import logging

    monkeypatch.setenv("NCBI_EUTILS_URL", world.url)
    monkeypatch.delenv("NCBI_API_KEY", raising=False)
    monkeypatch.setattr("evidence.pubmed.client.INTERVAL_NO_KEY", 0.0)
    cache = tmp_path / "cache" / "evidence.sqlite"
    base = ["--queries", str(QUERIES), "--cache", str(cache), "refresh", "--quiet"]
    assert cli.main(base) == 0
    first = capsys.readouterr()
    (line,) = first.out.splitlines()  # the first run changes everything: one line
    assert line.startswith("run 1 ok: ") and " new studies (" in line and line.endswith("digest-1.md")
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        assert cli.main(base) == 0
    quiet = capsys.readouterr()
    assert quiet.out == "" and quiet.err == ""  # a quiet week: nothing at all
    # NCBI's "No items found" is the quiet week itself, never a warning.
    said = [r for r in caplog.records if "No items found" in r.getMessage()]
    assert said and all(r.levelno < logging.WARNING for r in said)
    fresh = new_records(ncbi_fixtures, 2, start=90_000_000)
    for rec in fresh:
        world.add_record(rec)
    world.add_topic(search_term(registry.claims[0]), [r.pmid for r in fresh])
    assert cli.main(base) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith(f"run 3 ok: 2 new studies ({registry.claims[0].id} 2), 0 grade changes")
