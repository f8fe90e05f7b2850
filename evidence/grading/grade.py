"""Grade the evidence for one claim: a verdict, a strength and the reasons for both.

GRADE on the whole body of evidence (``body``: which studies count; ``verdict``: the weighted
tally of their directions; ``certainty``: GRADE's starting level, rating down and up, and when
a verdict is "insufficient"), with the Oxford CEBM 2011 levels for the design ranking.
``docs/grading.md`` states every rule and its source. The one promise: a grade never looks
stronger than the studies behind it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from evidence.grading.body import Assessment, Body, is_preclinical, select_body, usable
from evidence.grading.body import excluded as _excluded
from evidence.grading.certainty import Rating, rate, strength_ceiling
from evidence.grading.classify import StudyClass, classify
from evidence.grading.direction import Direction, apply_annotation, judge_direction
from evidence.grading.verdict import Decision, decide, verdict_of
from evidence.models import Annotation, Claim, Record
from evidence.vocabulary import DIRECTIONS, HUMAN_SPECIES, PRECLINICAL_SPECIES, STRENGTHS, TIERS, design_name

__all__ = ["Assessment", "Grade", "assess", "best_first", "grade", "pair_contradictions", "Contradiction",
           "strength_ceiling", "verdict_of", "rate"]

_REVIEWS = ("meta-analysis", "systematic-review")


@dataclass(frozen=True)
class Grade:
    """A claim's verdict and strength, with every reason; the structured parts are for display.

    ``factors`` are GRADE's steps as (kind, text): kind "start" (the starting certainty),
    "down" (a reason for rating down), "up" (for rating up), "cap" (a ceiling that applied).
    ``basis`` holds the PMIDs the verdict rests on (best first); ``reviewed`` names each reviewer
    decision that changed the grade's inputs, as (pmid, what the reviewer decided). ``tally`` is
    the weighted body: (direction, weight) for supports, contradicts and mixed.
    """

    claim_id: str
    verdict: str
    strength: str
    reasons: tuple[str, ...]
    counts_by_design: tuple[tuple[str, int], ...] = ()
    counts_by_direction: tuple[tuple[str, int], ...] = ()
    best_design: str | None = None
    excluded: tuple[tuple[str, str], ...] = ()  # (pmid, why)
    factors: tuple[tuple[str, str], ...] = ()
    basis: tuple[str, ...] = ()
    reviewed: tuple[tuple[str, str], ...] = ()
    tally: tuple[tuple[str, float], ...] = ()


def assess(claim: Claim, record: Record, annotation: Annotation | None = None, *,
           study: StudyClass | None = None, direction: Direction | None = None) -> Assessment:
    """Classify a record and judge its direction for a claim; a reviewer's annotation overrides.

    ``study`` and ``direction`` may be passed precomputed (the cache keeps them) to skip the work.
    """
    study = study if study is not None else classify(record)
    direction = apply_annotation(direction if direction is not None else judge_direction(claim, record), annotation)
    relevant, why, reviewer = direction.on_topic, "", None
    if not relevant:
        why = f"not about this claim ({direction.judge} judge: {direction.reason})"
    if annotation is not None:
        reviewer = annotation.reviewer
        note = f": {annotation.note}" if annotation.note else ""
        if annotation.relevant is False:
            relevant, why = False, f"not relevant (reviewed by {annotation.reviewer}{note})"
        elif annotation.relevant is True and not relevant:
            relevant, why = True, ""  # the reviewer says it is about the claim: it counts
    return Assessment(record, study, direction, relevant, why, reviewer)


def best_first(a: Assessment) -> tuple[Any, ...]:
    """The one "best evidence first" order (dashboard, report, exports).

    Usable before excluded (retracted, notices, set aside by a reviewer), human before
    species-unstated before animal and in-vitro, studies that speak to the claim before
    unclear ones, then by design tier, size, recency, PMID.
    """
    excluded = a.study.retracted or a.study.notice or not a.relevant
    species = 0 if a.study.species in HUMAN_SPECIES else 2 if a.study.species in PRECLINICAL_SPECIES else 1
    return (excluded, species, a.direction.direction == "unclear", a.study.tier, -(a.study.n or 0),
            -(a.record.year or 0), a.record.pmid)


def _years(items: Sequence[Assessment]) -> str:
    years = sorted(a.record.year for a in items if a.record.year)
    if not years:
        return ""
    return f" ({years[0]})" if years[0] == years[-1] else f" ({years[0]}-{years[-1]})"


def _describe(items: Sequence[Assessment], verb: str) -> str:
    design = items[0].study.design
    name = design_name(design, len(items))
    ns = [a.study.n for a in items if a.study.n]
    size = f", n={sum(ns)}" if ns and len(items) > 1 else (f" (n={ns[0]})" if ns else "")
    if design in _REVIEWS and items[0].study.pooled == "rcts":
        name += " of RCTs"
    return f"{len(items)} {name}{_years(items) if len(items) > 1 else ''}{size} {verb}"


def _tally(items: Sequence[Assessment]) -> Counter[str]:
    return Counter(a.direction.direction for a in items)


_VERBS = {"supports": ("supports", "support"), "contradicts": ("contradicts", "contradict"),
          "mixed": ("is mixed", "are mixed")}


def _best_summary(basis: Sequence[Assessment]) -> str:
    """The best tier of the body, by direction: "3 meta-analyses of RCTs (2019-2021), n=5200 support"."""
    best_tier = min(a.study.tier for a in basis)
    best = sorted([a for a in basis if a.study.tier == best_tier], key=lambda a: a.record.pmid)
    parts = []
    for direction, (one, many) in _VERBS.items():
        group = [a for a in best if a.direction.direction == direction]
        if group:
            parts.append(_describe(group, one if len(group) == 1 else many))
    return "; ".join(parts)


def _excluded_reasons(excluded: Sequence[tuple[str, str]]) -> list[str]:
    """Each exclusion named; the judge's "not about this claim" ones counted, as they can be many."""
    off = [p for p, why in excluded if why.startswith("not about this claim")]
    named = [(p, why) for p, why in excluded if not why.startswith("not about this claim")]
    out = []
    if named:
        out.append("Excluded: " + "; ".join(f"PMID {p} ({why})" for p, why in named))
    if off:
        shown = ", ".join(off[:10]) + (f" and {len(off) - 10} more" if len(off) > 10 else "")
        out.append(f"Set aside as not about this claim: {len(off)} stud{'y' if len(off) == 1 else 'ies'} "
                   f"(PMID {shown}); a reviewer can mark one relevant")
    return out


def _reviewed(studies: Sequence[Assessment]) -> tuple[tuple[str, str], ...]:
    """(pmid, what a reviewer decided) for each study whose direction or relevance a reviewer set."""
    out = []
    for a in studies:
        if a.reviewed_by is None:
            continue
        if not a.relevant and a.relevance_reason.startswith("not relevant (reviewed"):
            out.append((a.record.pmid, f"set aside as not relevant by {a.reviewed_by}"))
        elif a.direction.judge.startswith("reviewer"):
            out.append((a.record.pmid, f"read as {a.direction.direction} by {a.reviewed_by}"))
    return tuple(out)


def _pmids(items: Sequence[Assessment], limit: int = 8) -> str:
    shown = [a.record.pmid for a in items[:limit]]
    return ", ".join(shown) + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _weights_note(decision: Decision) -> str | None:
    reduced = [(w.assessment.record.pmid, w.notes) for w in decision.weighed if w.notes]
    if not reduced:
        return None
    shown = "; ".join(f"PMID {p} ({', '.join(n)})" for p, n in reduced[:8])
    more = f" and {len(reduced) - 8} more" if len(reduced) > 8 else ""
    return f"Weighed down: {shown}{more}"


def grade(claim: Claim, studies: Sequence[Assessment]) -> Grade:
    """Verdict and strength for one claim from its assessed studies, with plain-English reasons."""
    if not studies:
        return Grade(claim.id, "insufficient", "very-low", ("no studies in the cache: run `evidence refresh`",))
    excluded = _excluded(studies)
    kept = usable(studies)
    counts_d = tuple(sorted(Counter(a.study.design for a in kept).items(),
                            key=lambda kv: (TIERS.get(kv[0], 99), kv[0])))
    dir_counts = _tally(kept)
    counts_r = tuple((d, dir_counts[d]) for d in DIRECTIONS if dir_counts[d])
    reasons = _excluded_reasons(excluded)
    reviewed = _reviewed(studies)
    informative = [a for a in kept if a.direction.direction != "unclear"]
    body = select_body(claim, informative)
    unclear = len(kept) - len(informative)

    def insufficient(why: str, basis: Sequence[Assessment] = ()) -> Grade:
        tail = [f"Reviewer decisions: {'; '.join(f'PMID {p} {w}' for p, w in reviewed)}"] if reviewed else []
        return Grade(claim.id, "insufficient", "very-low", (*reasons, f"{why} -> insufficient, very-low", *tail),
                     counts_d, counts_r, None, tuple(excluded), (), tuple(a.record.pmid for a in basis), reviewed)

    if not informative:
        off = sum(1 for _, why in excluded if why.startswith("not about this claim"))
        detail = f" ({off} other{'s' if off != 1 else ''} set aside as off topic)" if off else ""
        return insufficient("all studies were excluded" if not kept
                            else f"no study's conclusion speaks clearly to the claim{detail}")
    if claim.clinical and not body.human:
        lean = verdict_of(decide(claim, Body("preclinical", (), body.set_aside)).tally)
        return insufficient(f"Only animal or in-vitro studies ({len(body.set_aside)}, PMID {_pmids(body.set_aside)}); "
                            f"they lean {lean} but never count as clinical evidence for a clinical claim")
    decision = decide(claim, body)
    rating: Rating = rate(claim, decision, body)
    basis = sorted(body.studies, key=best_first)
    verdict = "insufficient" if rating.insufficient else decision.verdict
    strength = "very-low" if rating.insufficient else STRENGTHS[rating.level]
    reasons.insert(0, f"Best evidence: {_best_summary(basis)} -> {verdict}, {strength}")
    reasons.extend(decision.notes)
    if body.set_aside:
        reasons.append(f"{len(body.set_aside)} animal/in-vitro studies set aside (PMID {_pmids(body.set_aside)}): "
                       "they never count as clinical evidence")
    if body.kind == "human+preclinical":
        reasons.append(f"Mechanism claim: {len(body.preclinical)} animal/in-vitro studies count with "
                       f"{len(body.human)} human studies")
    weights = _weights_note(decision)
    if weights:
        reasons.append(weights)
    reasons.append(f"Starting point: {rating.start}")
    reasons.extend(f"Rated down for {d}" for d in rating.downs)
    reasons.extend(f"Rated up for {u}" for u in rating.ups)
    reasons.extend(f"Certainty {c}" if c.startswith("capped") else f"Certainty capped: {c}" for c in rating.caps)
    if rating.insufficient:
        reasons.append(rating.insufficient)
    if unclear:
        reasons.append(f"{unclear} stud{'y' if unclear == 1 else 'ies'} whose conclusion does not speak clearly "
                       "to the claim: shown, not counted")
    if reviewed:
        reasons.append("Reviewer decisions: " + "; ".join(f"PMID {p} {what}" for p, what in reviewed))
    factors = (("start", rating.start), *(("down", d) for d in rating.downs), *(("up", u) for u in rating.ups),
               *(("cap", c) for c in rating.caps))
    t = decision.tally
    best_design = min(basis, key=lambda a: (is_preclinical(a.study), a.study.tier)).study.design
    return Grade(claim.id, verdict, strength, tuple(reasons), counts_d, counts_r, best_design, tuple(excluded),
                 factors, tuple(a.record.pmid for a in basis), reviewed,
                 (("supports", round(t.supports, 2)), ("contradicts", round(t.contradicts, 2)),
                  ("mixed", round(t.mixed, 2))))


@dataclass(frozen=True)
class Contradiction:
    claims: tuple[str, str]
    favours: str | None  # the claim id the evidence favours, or None
    note: str


_RANK = {s: i for i, s in enumerate(STRENGTHS)}


def pair_contradictions(claims: Sequence[Claim], grades: Sequence[Grade]) -> list[Contradiction]:
    """Claims linked by ``contradicts``, reported together with which one the evidence favours."""
    by_id = {g.claim_id: g for g in grades}
    seen: set[frozenset[str]] = set()
    out: list[Contradiction] = []
    for claim in claims:
        for other in claim.contradicts:
            key = frozenset((claim.id, other))
            if key in seen or other == claim.id:
                continue
            seen.add(key)
            a, b = by_id.get(claim.id), by_id.get(other)
            if a is None or b is None:
                missing = other if b is None else claim.id
                out.append(Contradiction((claim.id, other), None, f"claim {missing} has no grade: neither is favoured"))
                continue
            sa = a.verdict == "supported" and a.strength != "very-low"
            sb = b.verdict == "supported" and b.strength != "very-low"
            if sa and (not sb or _RANK[a.strength] < _RANK[b.strength]):
                fav, note = claim.id, f"the evidence favours {claim.id} ({a.verdict}, {a.strength})"
            elif sb and (not sa or _RANK[b.strength] < _RANK[a.strength]):
                fav, note = other, f"the evidence favours {other} ({b.verdict}, {b.strength})"
            else:
                fav = None
                note = (
                    f"neither is favoured: {claim.id} is {a.verdict} ({a.strength}), "
                    f"{other} is {b.verdict} ({b.strength})"
                )
            out.append(Contradiction((claim.id, other), fav, note))
    return out
