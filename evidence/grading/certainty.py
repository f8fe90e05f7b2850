"""The certainty (strength) of a claim's evidence, GRADE's way, and when it is "insufficient".

Start from the best design among the studies behind the verdict, cap at the certainty a review
states for itself, rate down for risk of bias (limits the studies state), inconsistency,
indirectness and imprecision, rate up observational evidence for a dose-response gradient or a
large effect. A directional verdict whose certainty ends very low on a small body becomes
"insufficient". ``docs/grading.md`` section 4 states every rule with its source.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from evidence.grading.body import Assessment, Body, is_preclinical, is_primary, select_body, usable
from evidence.grading.classify import StudyClass
from evidence.grading.verdict import Decision, Weighed
from evidence.models import Claim
from evidence.vocabulary import HUMAN_SPECIES, STRENGTHS

__all__ = ["Rating", "participants", "rate", "start", "strength_ceiling"]

_REVIEWS = ("meta-analysis", "systematic-review")
_NON_RANDOMISED = frozenset({"non-randomized-trial", "cohort", "case-control", "cross-sectional"})
# GRADE's rule of thumb for the optimal information size (GRADE 6, Guyatt 2011) is about 400
# participants; a body under a quarter of it is very seriously imprecise.
OIS = 400
VERY_SMALL = 100
_AGAINST_SHARE = 0.25  # inconsistency: a quarter of the weight points the other way
_DOSE_RESPONSE = re.compile(
    r"\bdose[\s\u2010-\u2014-]?(?:response|dependent(?:ly)?|related)\b|\bexposure[\s\u2010-\u2014-]response\b|"
    r"\bbiological gradient\b", re.IGNORECASE)
_RATIO = re.compile(
    r"\b(?:a?OR|a?RR|a?HR|IRR|odds ratio|risk ratio|relative risk|hazard ratio|rate ratio)\b[\s,:=]*"
    r"(?:of |was |were )?(?:about |approximately |~)?(\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class Rating:
    """Certainty level (0 high .. 3 very-low) with GRADE's steps, and why a verdict is insufficient."""

    level: int
    start: str
    downs: tuple[str, ...] = ()
    ups: tuple[str, ...] = ()
    caps: tuple[str, ...] = ()
    insufficient: str | None = None  # why a directional verdict was withdrawn


def start(claim: Claim, study: StudyClass) -> tuple[int, str]:
    """GRADE's starting level (0 high .. 3 very-low) for one study's design."""
    d = study.design
    if is_preclinical(study) and not claim.clinical and d not in ("narrative-review", "editorial"):
        return 2, "animal and in-vitro experiments start low: the most lab evidence can give"
    if d in _REVIEWS:
        if study.pooled == "observational":
            return 2, "reviews of observational studies start low"
        if study.pooled == "rcts":
            return 0, "reviews of RCTs start high"
        return 1, "reviews whose included designs are not stated start moderate"
    if d == "rct":
        return 0, "RCTs start high"
    if d in _NON_RANDOMISED:
        return 2, "observational and non-randomised studies start low"
    return 3, "case series, case reports, reviews without method, guidelines and opinion start very low"


def participants(items: Sequence[Assessment]) -> int:
    """Human participants, each counted once: the larger of the biggest review and the primary studies' sum.

    A review usually pools the trials also found on their own, so adding both would count
    people twice; taking the larger never overstates the information.
    """
    human = [a.study for a in items if not is_preclinical(a.study)]
    reviews = max((s.n or 0 for s in human if s.design in _REVIEWS), default=0)
    return max(reviews, sum(s.n or 0 for s in human if is_primary(s)))


def _verdict_side(decision: Decision) -> list[Weighed]:
    side = {"supported": "supports", "contradicted": "contradicts"}.get(decision.verdict)
    chosen = [w for w in decision.weighed if side is None or w.side == side]
    return chosen or list(decision.weighed)


def _share(items: Sequence[Weighed], flag: str) -> float:
    total = sum(w.raw for w in items)
    return sum(w.raw for w in items if getattr(w, flag)) / total if total else 0.0


def _text(a: Assessment) -> str:
    return f"{a.direction.sentence} {a.record.abstract}"


def _ups(side: Sequence[Weighed]) -> list[tuple[int, str]]:
    """GRADE's reasons to rate observational evidence up: a dose-response gradient, a large effect."""
    ups = []
    graded = [w.assessment for w in side if _DOSE_RESPONSE.search(_text(w.assessment))]
    if graded:
        ups.append((1, f"a dose-response gradient ({len(graded)} stud{'y' if len(graded) == 1 else 'ies'}, "
                       f"PMID {', '.join(a.record.pmid for a in graded[:3])})"))
    ratios = [[float(m.group(1)) for m in _RATIO.finditer(_text(w.assessment))] for w in side]
    ratios = [r for r in ratios if r and all(x > 0 for x in r)]
    if len(ratios) >= 2 and all(max(r) >= 2 or min(r) <= 0.5 for r in ratios):
        very = all(max(r) >= 5 or min(r) <= 0.2 for r in ratios)
        ups.append((2 if very else 1, f"a {'very ' if very else ''}large effect in {len(ratios)} studies "
                                      f"(ratios beyond {'5 or 0.2' if very else '2 or 0.5'})"))
    return ups


def rate(claim: Claim, decision: Decision, body: Body) -> Rating:
    """GRADE's certainty for the studies behind the verdict, each step with its reason."""
    side = _verdict_side(decision)
    level, start_why = min((start(claim, w.assessment.study) for w in side), key=lambda x: x[0])
    start_designs = {w.assessment.study.design for w in side if start(claim, w.assessment.study)[0] == level}
    downs: list[tuple[int, str]] = []
    caps: list[str] = []
    # Risk of bias: most of the weight comes from studies that state limits other than their size.
    if _share(side, "bias_limits") >= 0.5:
        downs.append((1, "risk of bias: most of the weight comes from studies that state their own limits"))
    # Inconsistency.
    t = decision.tally
    if decision.verdict == "mixed":
        downs.append((1, "inconsistency: the studies disagree"))
    else:
        against = t.against if decision.verdict == "supported" else t.for_
        if against and against / (t.for_ + t.against) >= _AGAINST_SHARE:
            downs.append((1, f"inconsistency: {against:.1f} of {t.for_ + t.against:.1f} of the weight "
                             "points the other way"))
    # Indirectness.
    if body.human and not any(a.study.species in HUMAN_SPECIES for a in body.human):
        downs.append((1, "indirectness: no study says it was done in humans"))
    if _share(side, "indirect") >= 0.5:
        downs.append((1, "indirectness: most of the weight comes from another population, dose, route or time point"))
    # Imprecision, and the consistency a single study cannot show.
    human_side = [w.assessment for w in side if not is_preclinical(w.assessment.study)]
    n = participants(human_side)
    if human_side and not n:
        downs.append((1, "imprecision: the studies do not state their size"))
    elif human_side and n < VERY_SMALL:
        downs.append((2, f"very serious imprecision: {n} participants in total, under a quarter of the {OIS} "
                         "GRADE suggests"))
    elif human_side and n < OIS:
        downs.append((1, f"imprecision: {n} participants in total, fewer than the {OIS} GRADE suggests"))
    elif not human_side and len(side) < 2:
        downs.append((1, "imprecision: a single experiment"))
    elif _share(side, "precision_limits") >= 0.5:
        downs.append((1, "imprecision: most of the weight comes from studies that call themselves small, "
                         "underpowered or imprecise"))
    primaries = [a for a in body.studies if is_primary(a.study)]
    if len(primaries) == 1:
        downs.append((1, f"consistency unknown: a single primary study (PMID {primaries[0].record.pmid}), "
                         "not replicated; reviews that discuss it add nothing independent"))
    level += sum(steps for steps, _ in downs)
    # A single top-tier primary study cannot carry "high": its risk of bias is not assessable here.
    top = [w for w in side if start(claim, w.assessment.study)[0] == 0]
    if level == 0 and len(top) == 1 and is_primary(top[0].assessment.study):
        level = 1
        downs.append((1, "a single top-tier study: not replicated, risk of bias not assessable from its abstract"))
    # Rating up, for observational evidence that was not rated down (GRADE 9).
    ups: list[str] = []
    if level == 2 and not downs and start_designs <= _NON_RANDOMISED | set(_REVIEWS):
        for steps, why in _ups([w for w in side if not is_preclinical(w.assessment.study)]):
            level -= steps
            ups.append(why)
    level = max(0, min(level, 3))
    # Caps: what a review says of its own certainty; lab evidence never above low.
    stated = [w.assessment.study.stated_certainty for w in side if w.assessment.study.stated_certainty in STRENGTHS]
    if stated:
        best = min(STRENGTHS.index(s) for s in stated if s)
        if best > level:
            level = best
            caps.append(f"capped at {STRENGTHS[best]}: the certainty the review behind it states")
    if body.kind == "preclinical":
        if level < 2:
            level = 2
        caps.append("indirectness: only animal or in-vitro studies, which give at most low certainty")
    insufficient = None
    # "Small" must be known: reviews that do not state how many people they pooled may hold many, so
    # a replicated body (two or more primary studies) resting on such reviews is rated down for
    # imprecision, not declared insufficient. Reviews of a single small trial add no one.
    human_studies = [a.study for a in body.human if not is_preclinical(a.study)]
    unsized_reviews = any(st.design in _REVIEWS and not st.n for st in human_studies)
    replicated = sum(1 for st in human_studies if is_primary(st)) >= 2
    small = participants(body.human) < OIS and not (unsized_reviews and replicated)
    if decision.verdict in ("supported", "contradicted") and level == 3 and small:
        insufficient = (f"Insufficient: the studies lean {decision.verdict}, but at very low certainty on a small "
                        f"body ({participants(body.human)} participants counted once): the evidence is very "
                        "uncertain")
    return Rating(level, start_why, tuple(d for _, d in downs), tuple(ups), tuple(caps), insufficient)


def strength_ceiling(claim: Claim, studies: Sequence[Assessment]) -> str:
    """The strongest grade the usable studies could ever earn (tests use it as an invariant).

    Their best design's starting certainty; observational evidence may be rated up two levels
    (GRADE 9); species-unstated studies alone lose one level; animal and in-vitro work alone
    gives at most low for a mechanism claim and nothing for a clinical one.
    """
    informative = [a for a in usable(studies) if a.direction.direction != "unclear"]
    body = select_body(claim, informative)
    if not body.studies or (claim.clinical and not body.human):
        return "very-low"
    best = min(start(claim, a.study)[0] for a in body.studies)
    if body.kind == "preclinical":
        return STRENGTHS[max(best, 2)]
    if not any(a.study.species in HUMAN_SPECIES for a in body.human):
        return STRENGTHS[min(3, best + 1)]
    return STRENGTHS[max(0, best - 2) if best == 2 else best]
