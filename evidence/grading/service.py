"""Grade claims from the cache: the glue between the cache and the pure grading logic.

Classifying a study and judging its direction are pure but not free (regular expressions
over every abstract); with tens of thousands of studies the dashboard would redo them on
every cold start. So their results are kept in the cache's ``labels`` table under a version
derived from the source of the modules that compute them: change a rule and every label is
recomputed, never served stale.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # loaded lazily: the refresh and the CLI do not need pandas to grade
    import pandas as pd

from evidence.grading import classify as classify_module
from evidence.grading import direction as direction_module
from evidence.cache import Cache
from evidence.grading.classify import StudyClass, classify
from evidence.grading.direction import Direction, judge_direction
from evidence.grading.grade import Assessment, Grade, assess, grade
from evidence.models import Annotation, Claim, Record
from evidence.registry import Registry
from evidence.outputs.report import build_report

__all__ = ["ClaimEvidence", "ClaimGrade", "assess_claims", "grade_claims", "claim_basis", "studies_frame", "overview_frame", "report_for",
           "select_records", "snapshot_grades", "study_labels", "label_version"]


@dataclass(frozen=True)
class ClaimEvidence:
    claim: Claim
    grade: Grade
    assessments: tuple[Assessment, ...]  # best evidence first


@lru_cache(maxsize=None)
def label_version() -> str:
    """Changes whenever the classification or direction rules change."""
    source = inspect.getsource(classify_module) + inspect.getsource(direction_module)
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def _best_first(a: Assessment) -> tuple[Any, ...]:
    # Relevant, non-retracted, human, best design tier, largest n, newest.
    return (not a.relevant, a.study.retracted, a.study.species not in ("human", "mixed"), a.study.tier,
            -(a.study.n or 0), -(a.record.year or 0), a.record.pmid)


def _studies(cache: Cache, records: Sequence[Record]) -> dict[str, StudyClass]:
    version = label_version()
    stored = cache.get_labels("study", (r.pmid for r in records), version)
    out = {pmid: StudyClass(**data) for pmid, data in stored.items()}
    fresh = {r.pmid: classify(r) for r in records if r.pmid not in out}
    cache.put_labels("study", {p: dataclasses.asdict(s) for p, s in fresh.items()}, version)
    return {**out, **fresh}


def _direction_version(claim: Claim) -> str:
    # The claim's wording, PICO and terms are part of the key: editing a claim re-judges its studies.
    claim_key = hashlib.sha256(repr((claim.statement, claim.polarity, claim.population, claim.intervention,
                                     claim.outcome, claim.support_terms, claim.contradict_terms)).encode())
    return f"{label_version()}:{claim_key.hexdigest()[:12]}"


def _directions(cache: Cache, claim: Claim, records: Sequence[Record]) -> dict[str, Direction]:
    version = _direction_version(claim)
    keys = {f"{claim.id}:{r.pmid}": r for r in records}
    stored = cache.get_labels("direction", keys, version)
    out = {key.split(":", 1)[1]: Direction(**data) for key, data in stored.items()}
    fresh = {key: judge_direction(claim, r) for key, r in keys.items() if r.pmid not in out}
    cache.put_labels("direction", {k: dataclasses.asdict(d) for k, d in fresh.items()}, version)
    out.update({key.split(":", 1)[1]: d for key, d in fresh.items()})
    return out


def _latest_by_pmid(annotations: Iterable[Annotation]) -> dict[str, Annotation]:
    latest: dict[str, Annotation] = {}
    for a in sorted(annotations, key=lambda a: a.updated_at):
        latest[a.pmid] = a
    return latest


def _labelled(cache: Cache, claim: Claim, summaries: bool) -> tuple[list[Record], dict[str, StudyClass],
                                                                     dict[str, Direction]]:
    """The claim's records with their study and direction labels.

    With ``summaries`` the records are light (see ``Cache.summaries_for_claim``) whenever every
    label is already stored; otherwise full records are read to compute what is missing.
    """
    if summaries:
        records = cache.summaries_for_claim(claim.id)
        pmids = [r.pmid for r in records]
        stored_studies = cache.claim_labels(claim.id, "study", label_version(), prefix_claim=False)
        stored_dirs = cache.claim_labels(claim.id, "direction", _direction_version(claim), prefix_claim=True)
        if all(p in stored_studies and p in stored_dirs for p in pmids):
            return (records, {p: StudyClass(**d) for p, d in stored_studies.items()},
                    {p: Direction(**d) for p, d in stored_dirs.items()})
    records = cache.records_for_claim(claim.id)
    return records, _studies(cache, records), _directions(cache, claim, records)


def assess_claims(claims: Sequence[Claim], cache: Cache, *, summaries: bool = False) -> dict[str, ClaimEvidence]:
    """Every claim's assessments (best first) and grade, from the cache and its annotations.

    ``summaries=True`` (the dashboard) carries light records: enough to show and grade, not to
    cite. Exports and reports use full records.
    """
    notes_by_claim: dict[str, list[Annotation]] = {}
    for a in cache.annotations():
        notes_by_claim.setdefault(a.claim_id, []).append(a)
    out: dict[str, ClaimEvidence] = {}
    for claim in claims:
        records, studies, directions = _labelled(cache, claim, summaries)
        notes = _latest_by_pmid(notes_by_claim.get(claim.id, ()))
        assessments = sorted(
            (assess(claim, r, notes.get(r.pmid), study=studies[r.pmid], direction=directions[r.pmid])
             for r in records),
            key=_best_first,
        )
        out[claim.id] = ClaimEvidence(claim, grade(claim, assessments), tuple(assessments))
    return out


_STUDY_COLUMNS = ["pmid", "title", "year", "journal", "doi", "design", "design_reason", "tier", "species",
                  "species_reason", "n", "direction", "direction_sentence", "direction_reason", "retracted",
                  "relevant", "reviewed_by", "abstract"]


def studies_frame(evidence: ClaimEvidence) -> pd.DataFrame:
    """One row per study, best evidence first."""
    import pandas as pd

    rows = [
        {"pmid": a.record.pmid, "title": a.record.title, "year": a.record.year, "journal": a.record.journal,
         "doi": a.record.doi, "design": a.study.design, "design_reason": a.study.design_reason,
         "tier": a.study.tier, "species": a.study.species, "species_reason": a.study.species_reason,
         "n": a.study.n, "direction": a.direction.direction, "direction_sentence": a.direction.sentence,
         "direction_reason": a.direction.reason, "retracted": a.study.retracted, "relevant": a.relevant,
         "reviewed_by": a.reviewed_by, "abstract": a.record.abstract}
        for a in evidence.assessments
    ]
    return pd.DataFrame(rows, columns=_STUDY_COLUMNS).astype({"n": "Int64", "year": "Int64"})


def overview_frame(claims: Sequence[Claim], grades: Mapping[str, ClaimGrade | ClaimEvidence],
                   cache: Cache) -> pd.DataFrame:
    """One row per claim: its grade, counts by design, newest study year and last refresh."""
    import pandas as pd

    state = cache.claims_overview().set_index("claim_id") if claims else pd.DataFrame()
    rows = []
    for claim in claims:
        found = grades.get(claim.id)
        cg = ClaimGrade.of(found) if isinstance(found, ClaimEvidence) else found
        counts = dict(cg.grade.counts_by_design) if cg else {}
        last = state["last_success"].get(claim.id) if "last_success" in state else None
        rows.append({
            "id": claim.id, "article": claim.article, "kind": claim.kind, "statement": claim.statement,
            "quote": claim.quote, "verdict": cg.grade.verdict if cg else "insufficient",
            "strength": cg.grade.strength if cg else "very-low", "studies": cg.studies if cg else 0,
            "newest_year": cg.newest_year if cg else None, "last_refreshed": last,
            **{f"n_{design}": count for design, count in counts.items()},
        })
    return pd.DataFrame(rows)


def report_for(registry: Registry, cache: Cache, claim_ids: Sequence[str] = ()) -> dict[str, Any]:
    """The `evidence report` document for the chosen claims (all when none are named)."""
    claims = [registry.claim(c) for c in claim_ids] if claim_ids else list(registry.claims)
    articles = [a for a in registry.articles if any(c.article == a.id for c in claims)]
    # Claim by claim with the cache's stored labels: a report over tens of thousands of
    # studies does not classify and judge them all again.
    assessed = {c.id: assess_claims([c], cache)[c.id].assessments for c in claims}
    return build_report(
        articles, claims, {}, None, generated_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        assessments_by_claim=assessed,
    )


def select_records(registry: Registry, cache: Cache, *, claim_ids: Sequence[str] = (),
                   designs: Sequence[str] = ()) -> list[Record]:
    """Records for export: the named claims' (all cached records when none), optionally by design.

    Order: best evidence first within each claim, each PMID once.
    """
    wanted = set(designs)
    if claim_ids:
        evidence = assess_claims([registry.claim(c) for c in claim_ids], cache)
        records = [a.record for ev in evidence.values() for a in ev.assessments
                   if a.relevant and (not wanted or a.study.design in wanted)]
    else:
        everything = list(cache.iter_records())
        studies = _studies(cache, everything) if wanted else {}
        records = [r for r in everything if not wanted or studies[r.pmid].design in wanted]
    seen: set[str] = set()
    return [r for r in records if not (r.pmid in seen or seen.add(r.pmid))]


def study_labels(cache: Cache, pmids: Iterable[str], chunk: int = 500) -> dict[str, StudyClass]:
    """Stored study labels for ``pmids``; missing ones computed from full records, a chunk at a time."""
    wanted = list(dict.fromkeys(pmids))
    out = {p: StudyClass(**d) for p, d in cache.get_labels("study", wanted, label_version()).items()}
    missing = [p for p in wanted if p not in out]
    for i in range(0, len(missing), chunk):
        out.update(_studies(cache, cache.records(missing[i : i + chunk])))
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
        grade = Grade(g["claim_id"], g["verdict"], g["strength"], tuple(g["reasons"]),
                      tuple(tuple(x) for x in g["counts_by_design"]), tuple(tuple(x) for x in g["counts_by_direction"]),
                      g["best_design"], tuple(tuple(x) for x in g["excluded"]))
        return cls(grade, data["studies"], data["newest_year"], from_snapshot=True)


def claim_basis(cache: Cache, claim: Claim) -> str:
    """What a claim's grade depends on: the rules, the claim's wording, its studies, its reviews."""
    notes = sorted((a.pmid, a.reviewer, a.relevant, a.direction, a.note, a.updated_at)
                   for a in cache.annotations(claim.id))
    key = repr((_direction_version(claim), cache.membership_key(claim.id), notes))
    return hashlib.sha256(key.encode()).hexdigest()


def grade_claims(claims: Sequence[Claim], cache: Cache) -> dict[str, ClaimGrade]:
    """Every claim's grade: the refresh's snapshot while its basis is unchanged, else graded now.

    The overview of many thousands of studies then opens at once after a refresh; a review,
    an import, a rule or wording change makes that claim's snapshot stale and it is regraded.
    """
    snapshots = cache.latest_grade_snapshots()
    out: dict[str, ClaimGrade] = {}
    for claim in claims:
        basis, detail = snapshots.get(claim.id, ("", "{}"))
        if basis and basis == claim_basis(cache, claim):
            out[claim.id] = ClaimGrade.from_json(detail)
        else:
            out[claim.id] = ClaimGrade.of(assess_claims([claim], cache, summaries=True)[claim.id])
    return out


def snapshot_grades(registry: Registry, cache: Cache, run_id: int) -> None:
    """Store every claim's grade after a run, so digests can say what changed and the
    dashboard can open without regrading.

    Claim by claim, keeping only the grade: memory stays that of the largest claim.
    """
    rows = []
    for claim in registry.claims:
        summary = ClaimGrade.of(assess_claims([claim], cache)[claim.id])
        g = summary.grade
        rows.append((claim.id, g.verdict, g.strength, g.reasons, claim_basis(cache, claim), summary.to_json()))
    cache.save_grade_snapshots(run_id, rows)
