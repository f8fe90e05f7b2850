"""Grade claims from the cache: the glue between the cache and the pure grading logic.

``assess_claims`` gives each claim its studies (best evidence first, labels from
``evidence.grading.labels``, reviewers' annotations applied) and its grade;
``grade_claims`` gives only the grades, from the last refresh's snapshot while nothing
it depends on has changed. Each takes an optional ``judge`` (``evidence.grading.judges.ModelJudge``)
that decides directions the rules have not set aside; None, the rules decide.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache as memoize
from typing import TYPE_CHECKING

from evidence.cache import Cache
from evidence.grading import body as body_module
from evidence.grading import certainty as certainty_module
from evidence.grading import grade as grade_module
from evidence.grading import verdict as verdict_module
from evidence.grading.grade import Assessment, Grade, assess, best_first, grade
from evidence.grading.labels import direction_version, labelled
from evidence.models import Annotation, Claim

if TYPE_CHECKING:
    from evidence.grading.judges import ModelJudge

__all__ = ["ClaimEvidence", "ClaimGrade", "assess_claims", "grade_claims", "claim_basis", "grade_version",
           "snapshot_grades"]


@memoize
def grade_version() -> str:
    """Changes whenever a grading rule changes (which studies count, the verdict, the certainty)."""
    source = "".join(inspect.getsource(m) for m in (body_module, verdict_module, certainty_module, grade_module))
    return hashlib.sha256(source.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ClaimEvidence:
    claim: Claim
    grade: Grade
    assessments: tuple[Assessment, ...]  # best evidence first


def _latest_by_pmid(annotations: Iterable[Annotation]) -> dict[str, Annotation]:
    latest: dict[str, Annotation] = {}
    for a in sorted(annotations, key=lambda a: a.updated_at):
        latest[a.pmid] = a
    return latest


def assess_claims(claims: Sequence[Claim], cache: Cache, *, summaries: bool = False,
                  judge: ModelJudge | None = None) -> dict[str, ClaimEvidence]:
    """Every claim's assessments (best first) and grade, from the cache and its annotations.

    ``summaries=True`` (the dashboard) carries light records: enough to show and grade, not to
    cite. Exports and reports use full records.
    """
    notes_by_claim: dict[str, list[Annotation]] = {}
    for a in cache.annotations():
        notes_by_claim.setdefault(a.claim_id, []).append(a)
    out: dict[str, ClaimEvidence] = {}
    for claim in claims:
        records, studies, directions = labelled(cache, claim, summaries, judge)
        notes = _latest_by_pmid(notes_by_claim.get(claim.id, ()))
        assessments = sorted(
            (assess(claim, r, notes.get(r.pmid), study=studies[r.pmid], direction=directions[r.pmid])
             for r in records),
            key=best_first,
        )
        out[claim.id] = ClaimEvidence(claim, grade(claim, assessments), tuple(assessments))
    return out


@dataclass(frozen=True)
class ClaimGrade:
    """A claim's grade with the few facts an overview shows, without its studies."""

    grade: Grade
    studies: int
    newest_year: int | None
    from_snapshot: bool = False

    @classmethod
    def of(cls, evidence: ClaimEvidence) -> ClaimGrade:
        years = [a.record.year for a in evidence.assessments if a.record.year]
        return cls(evidence.grade, len(evidence.assessments), max(years) if years else None)

    def to_json(self) -> str:
        return json.dumps({"grade": dataclasses.asdict(self.grade), "studies": self.studies,
                           "newest_year": self.newest_year})

    @classmethod
    def from_json(cls, text: str) -> ClaimGrade:
        data = json.loads(text)
        g = data["grade"]
        pairs = ("counts_by_design", "counts_by_direction", "excluded", "factors", "reviewed", "tally")
        grade = Grade(**{**g, "reasons": tuple(g["reasons"]), "basis": tuple(g.get("basis", ())),
                         **{k: tuple(tuple(x) for x in g.get(k, ())) for k in pairs}})
        return cls(grade, data["studies"], data["newest_year"], from_snapshot=True)


def claim_basis(cache: Cache, claim: Claim, judge: ModelJudge | None = None) -> str:
    """What a claim's grade depends on: the rules (and model judge), the claim's wording, its studies,
    its reviews."""
    notes = sorted((a.pmid, a.reviewer, a.relevant, a.direction, a.note, a.updated_at)
                   for a in cache.annotations(claim.id))
    key = repr((grade_version(), direction_version(claim, judge), cache.membership_key(claim.id), notes))
    return hashlib.sha256(key.encode()).hexdigest()


def grade_claims(claims: Sequence[Claim], cache: Cache, judge: ModelJudge | None = None) -> dict[str, ClaimGrade]:
    """Every claim's grade: the refresh's snapshot while its basis is unchanged, else graded now.

    The overview of many thousands of studies then opens at once after a refresh; a review,
    an import, a rule or wording change makes that claim's snapshot stale and it is regraded.
    """
    snapshots = cache.latest_grade_snapshots()
    out: dict[str, ClaimGrade] = {}
    for claim in claims:
        basis, detail = snapshots.get(claim.id, ("", "{}"))
        snapshot = _snapshot(detail) if basis and basis == claim_basis(cache, claim, judge) else None
        out[claim.id] = snapshot or ClaimGrade.of(
            assess_claims([claim], cache, summaries=True, judge=judge)[claim.id])
    return out


def _snapshot(detail: str) -> ClaimGrade | None:
    """A stored grade, or None when its JSON is damaged: a snapshot only saves time, so the claim is regraded."""
    try:
        return ClaimGrade.from_json(detail)
    except (TypeError, ValueError, KeyError, AttributeError):
        return None


def snapshot_grades(claims: Sequence[Claim], cache: Cache, run_id: int, judge: ModelJudge | None = None) -> None:
    """Store every claim's grade after a run, so digests can say what changed and the
    dashboard can open without regrading.

    Claim by claim, keeping only the grade: memory stays that of the largest claim.
    """
    rows = []
    for claim in claims:
        unanswered = judge.stats["unanswered"] if judge is not None else 0
        summary = ClaimGrade.of(assess_claims([claim], cache, judge=judge)[claim.id])
        g = summary.grade
        basis = claim_basis(cache, claim, judge)
        if judge is not None and judge.stats["unanswered"] > unanswered:
            basis += ":unsettled"  # the rules stood in for the model: never current, regraded when it answers
        rows.append((claim.id, g.verdict, g.strength, g.reasons, basis, summary.to_json()))
    cache.save_grade_snapshots(run_id, rows)
