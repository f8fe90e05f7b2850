"""Grade the evidence for one claim: a verdict, a strength and the reasons for both.

The rules follow the GRADE approach (start from study design, then rate down for
inconsistency, imprecision and indirectness) with the Oxford CEBM 2011 levels for the
design ranking. ``docs/grading.md`` states every rule and its source. The one promise:
a grade never looks stronger than the studies behind it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from evidence.grading.classify import StudyClass, classify
from evidence.grading.direction import Direction, apply_annotation, judge_direction
from evidence.models import Annotation, Claim, Record
from evidence.vocabulary import (
    DIRECTIONS,
    HUMAN_SPECIES,
    PRECLINICAL_SPECIES,
    STRENGTHS,
    TIERS,
    design_name,
)

__all__ = ["Assessment", "Grade", "assess", "best_first", "grade", "pair_contradictions", "Contradiction",
           "strength_ceiling", "verdict_of", "rate"]

_REVIEWS = ("meta-analysis", "systematic-review")


@dataclass(frozen=True)
class Assessment:
    """One study as judged for one claim."""

    record: Record
    study: StudyClass
    direction: Direction
    relevant: bool = True
    relevance_reason: str = ""
    reviewed_by: str | None = None


@dataclass(frozen=True)
class Grade:
    """A claim's verdict and strength, with every reason; the structured parts are for display.

    ``factors`` are GRADE's steps as (kind, text): kind "start" (the starting certainty),
    "down" (a reason for rating down), "up" (for rating up). ``basis`` holds the PMIDs the
    verdict rests on (best first); ``reviewed`` names each reviewer decision that changed the
    grade's inputs, as (pmid, what the reviewer decided).
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


def _start(study: StudyClass) -> tuple[int, str]:
    """GRADE starting level (0 high .. 3 very-low) for one human study's design."""
    d = study.design
    if d in _REVIEWS:
        if study.pooled == "observational":
            return 2, "reviews of observational studies start low"
        if study.pooled == "rcts":
            return 0, "reviews of RCTs start high"
        return 1, "reviews whose included designs are not stated start moderate"
    if d == "rct":
        return 0, "RCTs start high"
    if d in ("non-randomized-trial", "cohort", "case-control", "cross-sectional"):
        return 2, "observational and non-randomised studies start low"
    return 3, "case reports, reviews without method, guidelines and opinion start very low"


def strength_ceiling(claim: Claim, studies: Sequence[Assessment]) -> str:
    """The strongest grade the usable studies could ever earn (used by tests as an invariant)."""
    informative = [a for a in _usable(studies) if a.direction.direction != "unclear"]
    human = [a for a in informative if a.study.species in HUMAN_SPECIES]
    unknown = [a for a in informative if a.study.species == "unknown"]
    if human:
        return STRENGTHS[min(_start(a.study)[0] for a in human)]
    if unknown:
        return STRENGTHS[min(3, 1 + min(_start(a.study)[0] for a in unknown))]
    return "low" if informative else "very-low"


def _usable(studies: Sequence[Assessment]) -> list[Assessment]:
    return [a for a in studies if a.relevant and not a.study.retracted and not a.study.notice]


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


def verdict_of(best: Sequence[Assessment]) -> str:
    """The verdict the best tier's directions give: one-sided, clearly lopsided, else mixed."""
    top = _tally(best)
    sup, con, mix = top["supports"], top["contradicts"], top["mixed"]
    if sup and not con and sup >= mix:
        return "supported"
    if con and not sup and con >= mix:
        return "contradicted"
    if sup > 2 * con and sup >= 3:
        return "supported"
    if con > 2 * sup and con >= 3:
        return "contradicted"
    return "mixed"


def rate(claim: Claim, verdict: str, best: Sequence[Assessment], basis: Sequence[Assessment],
         basis_kind: str) -> tuple[int, str, list[str]]:
    """(level 0 high .. 3 very-low, why it started there, each reason it was rated down)."""
    best_design = best[0].study.design
    level, start_why = min((_start(a.study) for a in best), key=lambda x: x[0])
    downs: list[str] = []
    # Inconsistency: a real share of all informative basis studies point the other way.
    all_dir = _tally(basis)
    against = {"supported": all_dir["contradicts"], "contradicted": all_dir["supports"]}.get(verdict, 0)
    if verdict in ("supported", "contradicted") and against and against / len(basis) >= 0.25:
        level += 1
        downs.append(f"inconsistency: {against} of {len(basis)} studies point the other way")
    if verdict == "mixed":
        level += 1
        downs.append("inconsistency: the best studies disagree")
    # Imprecision: few studies or few participants.
    total_n = sum(a.study.n or 0 for a in basis)
    if len(basis) < 2 and not (best_design in _REVIEWS and total_n >= 1000):
        very = not total_n or total_n < 300
        level += 2 if very else 1
        downs.append(
            "very serious imprecision: a single study"
            + (f" of {total_n} participants" if total_n else " of unstated size")
            if very
            else "imprecision: a single study"
        )
    elif total_n and total_n < 300 and best_design not in _REVIEWS:
        level += 1
        downs.append(f"imprecision: {total_n} participants in total")
    # One top-tier study that is not itself a synthesis is not replicated evidence, and its
    # risk of bias cannot be judged from an abstract: it cannot carry a "high" grade alone.
    if level == 0 and len(best) == 1 and best_design not in _REVIEWS:
        level = 1
        downs.append("a single top-tier study: not replicated, risk of bias not assessable from its abstract")
    # Indirectness.
    if basis_kind == "preclinical":
        level = max(level, 2)
        downs.append(
            "indirectness: only animal or in-vitro studies"
            + (", which never count as clinical evidence" if claim.clinical else "")
        )
    elif basis_kind == "species-unstated":
        level += 1
        downs.append("indirectness: the studies do not say whether they were in humans")
    level = min(level, 3)
    if basis_kind == "preclinical" and claim.clinical:
        level = max(level, 2)  # preclinical-only evidence never grades above low for a clinical claim
    return level, start_why, downs


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


def _excluded(studies: Sequence[Assessment]) -> list[tuple[str, str]]:
    excluded: list[tuple[str, str]] = []
    for a in studies:
        if a.study.retracted:
            excluded.append((a.record.pmid, f"retracted: {a.study.retracted_reason}"))
        elif a.study.notice:
            excluded.append((a.record.pmid, f"a notice, not a study: {a.study.design_reason}"))
        elif not a.relevant:
            excluded.append((a.record.pmid, a.relevance_reason or "not relevant"))
    return excluded


def grade(claim: Claim, studies: Sequence[Assessment]) -> Grade:
    """Verdict and strength for one claim from its assessed studies, with plain-English reasons."""
    excluded = _excluded(studies)
    usable = _usable(studies)
    design_counts = Counter(a.study.design for a in usable)
    dir_counts = _tally(usable)
    counts_d = tuple(sorted(design_counts.items(), key=lambda kv: (TIERS.get(kv[0], 99), kv[0])))
    counts_r = tuple((d, dir_counts[d]) for d in DIRECTIONS if dir_counts[d])
    reasons: list[str] = []
    if not studies:
        return Grade(claim.id, "insufficient", "very-low", ("no studies in the cache: run `evidence refresh`",))
    reasons.extend(_excluded_reasons(excluded))
    informative = [a for a in usable if a.direction.direction != "unclear"]
    if not informative:
        off = sum(1 for _, why in excluded if why.startswith("not about this claim"))
        detail = f" ({off} other{'s' if off != 1 else ''} set aside as off topic)" if off else ""
        why = (
            "all studies were excluded" if not usable else f"no study's conclusion speaks clearly to the claim{detail}"
        )
        return Grade(
            claim.id,
            "insufficient",
            "very-low",
            (*reasons, f"{why} -> insufficient, very-low"),
            counts_d,
            counts_r,
            None,
            tuple(excluded),
        )
    human = [a for a in informative if a.study.species in HUMAN_SPECIES]
    unknown = [a for a in informative if a.study.species == "unknown"]
    preclinical = [a for a in informative if a.study.species in PRECLINICAL_SPECIES]
    # Animal and in-vitro studies never count as clinical evidence; unknown species count
    # only when nothing better exists, and then as indirect.
    basis = human or unknown or preclinical
    basis_kind = "human" if human else ("species-unstated" if unknown else "preclinical")
    best_tier = min(a.study.tier for a in basis)
    best = sorted([a for a in basis if a.study.tier == best_tier], key=lambda a: a.record.pmid)
    verdict = verdict_of(best)
    level, start_why, downs = rate(claim, verdict, best, basis, basis_kind)
    parts = []
    verbs = {
        "supports": ("supports", "support"),
        "contradicts": ("contradicts", "contradict"),
        "mixed": ("is mixed", "are mixed"),
    }
    for direction, (one, many) in verbs.items():
        group = [a for a in best if a.direction.direction == direction]
        if group:
            parts.append(_describe(group, one if len(group) == 1 else many))
    if preclinical and human:
        reasons.append(f"{len(preclinical)} animal/in-vitro studies set aside: they never count as clinical evidence")
    strength = STRENGTHS[level]
    summary = "; ".join(parts) or _describe(best, "")
    reasons.insert(0, f"Best evidence: {summary} -> {verdict}, {strength}")
    reasons.append(f"Starting point: {start_why}")
    reasons.extend(f"Rated down for {d}" for d in downs)
    reviewed = _reviewed(studies)
    if reviewed:
        reasons.append("Reviewer decisions: " + "; ".join(f"PMID {p} {what}" for p, what in reviewed))
    in_best, in_basis = {id(a) for a in best}, {id(a) for a in basis}  # identity: records compare slowly
    others = [a for a in informative if id(a) not in in_best and id(a) in in_basis]
    if others:
        c = _tally(others)
        reasons.append("Other studies: " + ", ".join(f"{n} {d}" for d, n in c.items()))
    factors = (("start", start_why), *(("down", d) for d in downs))
    return Grade(claim.id, verdict, strength, tuple(reasons), counts_d, counts_r, best[0].study.design,
                 tuple(excluded), factors, tuple(a.record.pmid for a in sorted(basis, key=best_first)), reviewed)


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
