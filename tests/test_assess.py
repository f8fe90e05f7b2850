"""Grades from the cache: snapshots reused only while their basis holds, labels cached by version."""

from __future__ import annotations

from pathlib import Path

import pytest

import evidence.grading.labels as labels_module
import evidence.grading.service as service_module
from evidence.cache import Cache
from evidence.grading.service import assess_claims, claim_basis, grade_claims, snapshot_grades
from evidence.models import Annotation
from evidence.pubmed.xml_parser import parse_pubmed_xml
from evidence.registry import load_registry
from tests.refresh_support import write_registry

OWN = Path(__file__).parent / "data" / "parser_synthetic_articles.xml"


@pytest.fixture()
def graded(tmp_path):
    registry = load_registry(write_registry(tmp_path / "reg", ["alpha", "beta"]))
    parsed, _ = parse_pubmed_xml(OWN.read_bytes())
    pmids = [p.record.pmid for p in parsed]
    with Cache(tmp_path / "c.sqlite") as cache:
        run = cache.start_run(0)
        cache.store_batch([(p.record, p.raw_xml) for p in parsed],
                          {pmids[0]: ["alpha", "beta"], pmids[1]: ["alpha"], pmids[2]: ["beta"]}, run_id=run)
        cache.finish_run(run, "ok", requests=0)
        snapshot_grades(registry.claims, cache, run)
        yield registry, cache, pmids


def _fresh(registry, cache):
    return {cid: ev.grade for cid, ev in assess_claims(list(registry.claims), cache).items()}


def test_snapshot_is_used_while_current_and_equals_a_fresh_grade(graded):
    registry, cache, _ = graded
    grades = grade_claims(registry.claims, cache)
    assert all(g.from_snapshot for g in grades.values())
    assert {cid: g.grade for cid, g in grades.items()} == _fresh(registry, cache)
    assert grades["alpha"].studies == 2 and grades["beta"].studies == 2


def test_a_review_makes_only_its_claim_regrade(graded):
    registry, cache, pmids = graded
    cache.save_annotation(Annotation("alpha", pmids[0], "Dr Lee", relevant=False, note="off topic"))
    grades = grade_claims(registry.claims, cache)
    assert not grades["alpha"].from_snapshot and grades["beta"].from_snapshot
    assert grades["alpha"].grade == _fresh(registry, cache)["alpha"]
    assert any(pmids[0] in why for _, why in grades["alpha"].grade.excluded) or any(
        "Dr Lee" in r for r in grades["alpha"].grade.reasons)


def test_a_new_study_or_a_rule_change_makes_the_snapshot_stale(graded, monkeypatch):
    registry, cache, pmids = graded
    before = claim_basis(cache, registry.claim("beta"))
    cache.link_claim("beta", [pmids[1]], run_id=None, source="import")
    assert claim_basis(cache, registry.claim("beta")) != before
    assert not grade_claims(registry.claims, cache)["beta"].from_snapshot
    monkeypatch.setattr(labels_module, "label_version", lambda: "rules-changed")
    assert not grade_claims(registry.claims, cache)["alpha"].from_snapshot


def test_a_grading_rule_change_makes_the_snapshot_stale(graded, monkeypatch):
    registry, cache, _ = graded
    assert grade_claims(registry.claims, cache)["alpha"].from_snapshot
    monkeypatch.setattr(service_module, "grade_version", lambda: "grading-rules-changed")
    assert not grade_claims(registry.claims, cache)["alpha"].from_snapshot


def test_labels_are_stored_and_reused(graded, monkeypatch):
    registry, cache, _ = graded
    calls = []
    monkeypatch.setattr(labels_module, "classify", lambda r: calls.append(r.pmid))
    # Every study label was stored by the snapshot: grading again classifies nothing.
    assess_claims(list(registry.claims), cache)
    assert calls == []


def test_report_from_stored_labels_equals_a_report_built_from_records(graded):
    from evidence.grading.grade import assess
    from evidence.outputs.report import build_report, report_for

    registry, cache, pmids = graded
    cache.save_annotation(Annotation("beta", pmids[2], "Dr Lee", direction="contradicts", note="read the paper"))
    fast = report_for(registry, cache)
    notes = {a.pmid: a for a in cache.annotations("beta")}
    slow = build_report(registry.articles, registry.claims,
                        {c.id: [assess(c, r, notes.get(r.pmid) if c.id == "beta" else None)
                                for r in cache.records_for_claim(c.id)] for c in registry.claims})
    assert fast["claims"] == slow["claims"]
    assert any(s["reviewed_by"] == "Dr Lee" for c in fast["claims"] for s in c["studies"])
