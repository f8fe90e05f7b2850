"""Review that scales (issue 13): bulk actions, each undoable and recorded with its reviewer; sign-offs
that go stale; the schema migration that holds them (version 2, additive).

Against a temporary cache of our own parser fixtures (tests/dashboard_cache.py); what a grade
becomes is compared with what the library computes, never with numbers written here.
"""

from __future__ import annotations

import sqlite3

import pytest

from evidence.cache import SCHEMA_VERSION, Cache
from evidence.cache.schema import MIGRATIONS
from evidence.errors import CacheError, ConfigError
from evidence.grading import review
from evidence.grading.service import assess_claims
from evidence.models import Annotation
from tests.dashboard_cache import OWN_XML, BuiltCache, build_cache, parse_files


@pytest.fixture
def built(tmp_path) -> BuiltCache:
    return build_cache(tmp_path / "evidence.sqlite", parse_files(OWN_XML))


def evidence_of(built: BuiltCache, claim_id: str):
    with Cache(built.path, readonly=True) as cache:
        return assess_claims([built.registry.claim(claim_id)], cache)[claim_id]


def busy(built: BuiltCache) -> str:
    """The claim holding every record (some judged off topic)."""
    return built.registry.claims[0].id


def test_schema_2_is_additive_and_old_caches_read(tmp_path):
    assert SCHEMA_VERSION == 2 and all(s.lstrip().upper().startswith("CREATE") for s in MIGRATIONS[2])
    old = tmp_path / "v1.sqlite"
    db = sqlite3.connect(old)
    for statement in MIGRATIONS[1]:
        db.execute(statement)
    db.execute("INSERT INTO meta(key, value) VALUES ('schema_version', '1')")
    db.commit()
    db.close()
    with Cache(old, readonly=True) as cache:  # a reader of a version-1 cache: no sign-offs, no actions
        assert cache.signoffs() == [] and cache.latest_signoffs() == {} and cache.review_actions() == []
    with Cache(old) as cache:  # a writer migrates it
        assert cache._version() == 2 and cache.signoffs() == []


def test_set_aside_off_topic_is_one_undoable_action_named_after_its_reviewer(built):
    claim_id = busy(built)
    before = evidence_of(built, claim_id)
    off = review.off_topic(before)
    assert off, "the fixture claim needs studies judged off topic"
    with Cache(built.path) as cache:
        action = review.set_aside_off_topic(cache, before, "Dr Bulk")
        notes = cache.annotations(claim_id)
        (logged,) = cache.review_actions(claim_id)
    assert sorted(a.pmid for a in notes) == sorted(off)
    assert all(a.reviewer == "Dr Bulk" and a.relevant is False for a in notes)
    assert (logged.id, logged.reviewer, logged.kind, sorted(logged.pmids)) == (action, "Dr Bulk", "set-aside", sorted(off))
    after = evidence_of(built, claim_id)
    assert review.off_topic(after) == []  # now set aside by a reviewer, not by the judge
    assert any("Dr Bulk" in r for r in after.grade.reasons)  # the reasons name the reviewer
    with Cache(built.path) as cache:
        assert review.undo_action(cache, action, "Dr Undo") == (len(off), 0)
        assert cache.annotations(claim_id) == []
        (logged,) = cache.review_actions(claim_id)
        assert (logged.undone_by, bool(logged.undone_at)) == ("Dr Undo", True)
        with pytest.raises(CacheError, match="already undone by Dr Undo"):
            cache.undo_review_action(action, "Dr Undo")
    assert evidence_of(built, claim_id).grade == before.grade


def test_apply_direction_changes_the_grade_and_undo_restores_it(built):
    claim_id = busy(built)
    before = evidence_of(built, claim_id)
    pmids = [a.record.pmid for a in before.assessments if a.relevant and not a.study.retracted][:2]
    with Cache(built.path) as cache:
        cache.save_annotation(Annotation(claim_id, pmids[0], "Dr Bulk", True, None, "on topic", "2020-01-01T00:00:00+00:00"))
        kept = cache.annotations(claim_id)
        action = review.apply_direction(cache, claim_id, pmids, "supports", "Dr Bulk", "read the full texts")
    changed = evidence_of(built, claim_id)
    assert changed.grade != before.grade  # the reviewer's directions now decide those studies
    assert {p for p, what in changed.grade.reviewed if "by Dr Bulk" in what} == set(pmids)
    with Cache(built.path) as cache:
        mine = {a.pmid: a for a in cache.annotations(claim_id)}
        assert mine[pmids[0]].relevant is True  # the reviewer's own relevance is kept
        assert {a.direction for a in mine.values()} == {"supports"}
        review.undo_action(cache, action, "Dr Bulk")
        assert cache.annotations(claim_id) == kept  # exactly as before, the earlier review included
    assert evidence_of(built, claim_id).grade == before.grade


def test_undo_leaves_a_later_edit_alone(built):
    claim_id = busy(built)
    pmids = [a.record.pmid for a in evidence_of(built, claim_id).assessments][:2]
    with Cache(built.path) as cache:
        action = cache.apply_review_action(claim_id, "Ann", "direction", "x", [
            Annotation(claim_id, p, "Ann", None, "contradicts") for p in pmids], now="2026-01-01T00:00:00+00:00")
        cache.save_annotation(Annotation(claim_id, pmids[1], "Ann", None, "mixed", "changed my mind",
                                         "2026-01-02T00:00:00+00:00"))
        assert cache.undo_review_action(action, "Ann") == (1, 1)
        (left,) = cache.annotations(claim_id)
    assert (left.pmid, left.direction) == (pmids[1], "mixed")


@pytest.mark.parametrize("call, message", [
    (lambda c, ev: review.apply_direction(c, ev.claim.id, ["1"], "supports", "  "), "enter your name"),
    (lambda c, ev: review.apply_direction(c, ev.claim.id, ["1"], "probably", "Ann"), "unknown direction"),
    (lambda c, ev: review.apply_direction(c, ev.claim.id, [], "supports", "Ann"), "select at least one"),
    (lambda c, ev: review.sign_off(c, ev, ""), "enter your name"),
])
def test_reviews_need_a_name_and_valid_choices(built, call, message):
    ev = evidence_of(built, busy(built))
    with Cache(built.path) as cache, pytest.raises(ConfigError, match=message):
        call(cache, ev)
    with Cache(built.path, readonly=True) as cache:
        assert cache.annotations() == [] and cache.signoffs() == []


def test_signoff_goes_stale_when_studies_arrive_or_the_grade_changes(built):
    claim_id = built.single
    ev = evidence_of(built, claim_id)
    with Cache(built.path) as cache:
        signed = review.sign_off(cache, ev, "Dr Sign", "checked every abstract")
        (state,) = review.signoff_states(cache, {claim_id: ev.grade}).values()
    assert (signed.reviewer, signed.note, signed.verdict, signed.strength) == (
        "Dr Sign", "checked every abstract", ev.grade.verdict, ev.grade.strength)
    assert not state.stale and state.why == ()
    # A new study joins the claim after the sign-off.
    other = next(p for p in built.links[busy(built)] if p not in built.links[claim_id])
    with Cache(built.path) as cache:
        run = cache.start_run(0)
        cache.link_claim(claim_id, [other], run_id=run)
        state = review.signoff_states(cache, {claim_id: ev.grade})[claim_id]
    assert state.stale and state.new_pmids == (other,) and state.why == ("1 new study since",)
    # A changed grade makes it stale too, and says from what to what.
    moved = review.signoff_state(signed, ev.grade.__class__(claim_id, "supported", "low", ()), [])
    assert moved.stale and moved.why == (f"grade changed: {ev.grade.verdict} ({ev.grade.strength}) signed, "
                                         "now supported (low)",)


def test_newest_signoff_counts(built):
    claim_id = busy(built)
    ev = evidence_of(built, claim_id)
    with Cache(built.path) as cache:
        review.sign_off(cache, ev, "First")
        review.sign_off(cache, ev, "Second")
        assert cache.latest_signoffs()[claim_id].reviewer == "Second"
        assert [s.reviewer for s in cache.signoffs(claim_id)] == ["Second", "First"]
