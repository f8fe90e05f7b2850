"""A claim's verdict from the whole body of evidence: a weighted tally of every study's direction.

Each study weighs by its design (Oxford CEBM 2011 levels), its size, the limits it states
about itself and whether it is direct evidence for the claim; mixed findings count half each
way. A side needs twice the other's weight to carry the verdict, otherwise it is mixed, so a
claim whose weighted body mostly contradicts it is never "supported", whatever its single best
study says. ``docs/grading.md`` section 3 states every rule with its source.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from evidence.grading.body import Assessment, Body, is_preclinical, is_primary
from evidence.models import Claim

__all__ = ["Decision", "Tally", "Weighed", "decide", "tally", "verdict_of", "weigh"]

# Weight by evidence tier (OCEBM 2011 levels as in vocabulary.TIERS): 1 systematic review or
# meta-analysis, 2 RCT, 3 non-randomised trial or cohort, 4 case-control, cross-sectional, case
# series; 5 and below (case reports, guidelines, narrative reviews, editorials) 0.5.
_TIER_WEIGHT = {1: 3.0, 2: 2.0, 3: 1.5, 4: 1.0}
_LOW_WEIGHT = 0.5
_OBSERVATIONAL = frozenset({"cohort", "case-control", "cross-sectional", "case-series"})
_SMALL = 50  # a primary study of fewer participants counts 0.6: a stand-in for its wider interval
_WEAK_CERTAINTY = frozenset({"low", "very-low"})
# Stated limits that are about precision (size, power, interval width) rather than bias: GRADE
# rates them under imprecision, never twice (GRADE 6), so they do not count as risk of bias.
_PRECISION_LIMIT = re.compile(r"pilot|underpowered|power|small|tiny|few |wide|interval|proof[- ]of[- ]concept|"
                              r"preliminary|sample size", re.IGNORECASE)
MAJORITY = 2.0  # a side carries the verdict with at least twice the other side's weight


@dataclass(frozen=True)
class Weighed:
    """One study's weight in the tally, the side it counts for and why its weight was reduced."""

    assessment: Assessment
    weight: float
    side: str  # supports, contradicts or mixed
    notes: tuple[str, ...] = ()
    figure_only: bool = False  # it contradicts the claim's number, not its effect
    limited: bool = False  # it states its own limits or a low certainty (halved for them)
    indirect: bool = False  # another population, dose, route or time point (halved for it)
    bias_limits: bool = False  # among its stated limits, some are about bias (not size or power)
    precision_limits: bool = False  # among its stated limits, some are about size, power or precision

    @property
    def raw(self) -> float:
        """The weight before the halvings for stated limits and indirectness."""
        return self.weight * (2 if self.limited else 1) * (2 if self.indirect else 1)


@dataclass(frozen=True)
class Tally:
    supports: float = 0.0
    contradicts: float = 0.0
    mixed: float = 0.0

    @property
    def for_(self) -> float:
        return self.supports + self.mixed / 2

    @property
    def against(self) -> float:
        return self.contradicts + self.mixed / 2

    def text(self) -> str:
        parts = [f"{name} {value:.1f}" for name, value in
                 (("supports", self.supports), ("contradicts", self.contradicts), ("mixed", self.mixed)) if value]
        return ", ".join(parts) or "nothing"


@dataclass(frozen=True)
class Decision:
    """The verdict with its tally, each study's weight and the rules that fired (plain English)."""

    verdict: str
    tally: Tally
    weighed: tuple[Weighed, ...]
    notes: tuple[str, ...] = ()


def weigh(claim: Claim, a: Assessment) -> Weighed:
    """How much one study counts for this claim, and for which side."""
    s, notes = a.study, []
    tier = s.tier
    if claim.harm and s.design in _OBSERVATIONAL:
        tier -= 1  # harms: observational designs are the proper evidence, one level up
    if not claim.clinical and is_preclinical(s) and s.design not in ("narrative-review", "editorial"):
        tier = 3  # for a mechanism claim a laboratory experiment is a direct, controlled test
    if s.design == "other" and s.n:
        tier = 4  # an unclassified record that reports data weighs as a case series
    weight = _TIER_WEIGHT.get(tier, _LOW_WEIGHT)
    if s.n and s.n < _SMALL and is_primary(s) and not is_preclinical(s):
        weight *= 0.6
        notes.append(f"small ({s.n} participants)")
    limited = bool(s.limitations) or s.stated_certainty in _WEAK_CERTAINTY
    if limited:
        weight *= 0.5
        stated = [*s.limitations, *([f"{s.stated_certainty} certainty"] if s.stated_certainty else [])]
        notes.append("limits it states: " + ", ".join(stated))
    if a.direction.scope:
        weight *= 0.5
        notes.append(f"indirect: {a.direction.scope}")
    side = a.direction.direction
    figure_only = a.direction.magnitude in ("smaller", "larger") and side in ("contradicts", "mixed")
    if figure_only:
        side = "mixed"  # a figure unlike the claim's does not say the effect is absent
    precision = [x for x in s.limitations if _PRECISION_LIMIT.search(x)]
    return Weighed(a, weight, side, tuple(notes), figure_only, limited, bool(a.direction.scope),
                   len(precision) < len(s.limitations), bool(precision))


def tally(weighed: Sequence[Weighed]) -> Tally:
    return Tally(*(sum(w.weight for w in weighed if w.side == side) for side in ("supports", "contradicts", "mixed")))


def verdict_of(t: Tally) -> str:
    """Supported or contradicted with a 2:1 weighted majority (mixed counting half each way), else mixed."""
    if t.supports and t.for_ >= MAJORITY * t.against:
        return "supported"
    if t.contradicts and t.against >= MAJORITY * t.for_:
        return "contradicted"
    if not (t.supports or t.contradicts or t.mixed):
        return "insufficient"
    return "mixed"


def _figure_check(weighed: Sequence[Weighed]) -> tuple[str | None, str]:
    """("overstated" | "understated" | "disputed" | None, reason) from the studies that report a figure."""
    as_claimed = sum(w.weight for w in weighed if w.assessment.direction.magnitude == "as-claimed")
    smaller = sum(w.weight for w in weighed if w.assessment.direction.magnitude == "smaller")
    larger = sum(w.weight for w in weighed if w.assessment.direction.magnitude == "larger")
    off = smaller + larger
    if not off or as_claimed >= MAJORITY * off:
        return None, ""
    what = "overstated" if smaller >= MAJORITY * larger else "understated" if larger >= MAJORITY * smaller \
        else "disputed"
    told = {"overstated": "smaller figures than the claim states",
            "understated": "larger figures than the claim states",
            "disputed": "figures both above and below the claim's"}[what]
    return what, (f"Figure check: {what}: the studies that report a figure mostly report {told} "
                  f"(weight {off:.1f} against {as_claimed:.1f} as claimed)")


def decide(claim: Claim, body: Body) -> Decision:
    """The verdict the whole body gives, with the species and figure checks."""
    human = tuple(weigh(claim, a) for a in body.human)
    pre = tuple(weigh(claim, a) for a in body.preclinical)
    weighed = human + pre
    total = tally(weighed)
    verdict, notes = verdict_of(total), []
    notes.append(f"Whole body, weighted by design, size, stated limits and directness: {total.text()} "
                 f"(mixed findings count half each way; a side needs twice the other's weight) -> {verdict}")
    # Two lines of data, not a review's summary of the other line: each side needs a primary study.
    if any(is_primary(w.assessment.study) for w in human) and any(is_primary(w.assessment.study) for w in pre):
        hv, pv = verdict_of(tally(human)), verdict_of(tally(pre))
        if hv != pv:
            verdict = "mixed"
            notes.append(f"Species check: human studies say {hv}, animal and in-vitro studies say {pv}: "
                         "the two lines of evidence disagree -> mixed")
    if claim.harm and any(w.assessment.study.design in _OBSERVATIONAL for w in weighed):
        notes.append("Harm claim: cohort, case-control, cross-sectional studies and case series weigh one "
                     "level higher, as the proper evidence for harms")
    figure, why = _figure_check(weighed)
    if figure:
        if verdict == "supported":
            verdict = "mixed"
            why += " -> mixed: the effect is supported, the figure is not"
        notes.append(why)
    if any(w.figure_only for w in weighed):
        count = sum(w.figure_only for w in weighed)
        notes.append(f"{count} stud{'y' if count == 1 else 'ies'} read against the claim for its figure "
                     "count as mixed: they report the effect, at another size")
    return Decision(verdict, total, weighed, tuple(notes))

