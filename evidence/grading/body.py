"""The body of evidence for one claim: which assessed studies count, and which are set aside.

GRADE rates a *body* of evidence, not its best study (GRADE Handbook 5.1). This module
decides what is in that body: retracted papers, notices and studies not about the claim are
excluded and listed; studies whose direction is unclear are shown but do not count; animal
and in-vitro work counts only for claims that are not clinical (mechanism, pharmacology).
``docs/grading.md`` section 2 states each rule with its source.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from evidence.grading.classify import StudyClass
from evidence.grading.direction import Direction
from evidence.models import Claim, Record
from evidence.vocabulary import HUMAN_SPECIES, PRECLINICAL_SPECIES

__all__ = ["Assessment", "Body", "excluded", "is_preclinical", "is_primary", "select_body", "usable"]

# Designs that report no data of their own: syntheses and opinion. Everything else is a primary
# study (an "other" record counts as one when it is a lab experiment or states how many it
# studied: it reports data).
_SECONDARY = frozenset({"meta-analysis", "systematic-review", "narrative-review", "guideline", "editorial"})


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
class Body:
    """The informative studies a claim's verdict rests on, split by where they come from.

    ``kind``: "human" (human or mixed human/animal studies, with species-unstated ones),
    "species-unstated" (no study says it was in humans), "preclinical" (animal and in-vitro
    work only) or "human+preclinical" (a mechanism or pharmacology claim with both).
    ``set_aside`` are animal and in-vitro studies a clinical claim does not count.
    """

    kind: str
    human: tuple[Assessment, ...]  # human, mixed and species-unstated studies
    preclinical: tuple[Assessment, ...]
    set_aside: tuple[Assessment, ...] = ()

    @property
    def studies(self) -> tuple[Assessment, ...]:
        return self.human + self.preclinical


def is_preclinical(study: StudyClass) -> bool:
    """Animal or in-vitro work, by species or by design."""
    return study.species in PRECLINICAL_SPECIES or study.design in ("animal", "in-vitro")


def is_primary(study: StudyClass) -> bool:
    """A study that reports its own data (not a synthesis, guideline or opinion piece)."""
    if study.design in _SECONDARY:
        return False
    if study.design == "other":  # a lab experiment, or a record that reports data
        return bool(study.n) or study.species in PRECLINICAL_SPECIES
    return True


def usable(studies: Sequence[Assessment]) -> list[Assessment]:
    """Studies that may count: relevant, not retracted, not a notice."""
    return [a for a in studies if a.relevant and not a.study.retracted and not a.study.notice]


def excluded(studies: Sequence[Assessment]) -> list[tuple[str, str]]:
    """(pmid, why) for each study that never counts: retracted, a notice, or not about the claim."""
    out: list[tuple[str, str]] = []
    for a in studies:
        if a.study.retracted:
            out.append((a.record.pmid, f"retracted: {a.study.retracted_reason}"))
        elif a.study.notice:
            out.append((a.record.pmid, f"a notice, not a study: {a.study.design_reason}"))
        elif not a.relevant:
            out.append((a.record.pmid, a.relevance_reason or "not relevant"))
    return out


def select_body(claim: Claim, informative: Sequence[Assessment]) -> Body:
    """The body of evidence for this claim, from its usable studies whose direction is not unclear.

    Species-unstated studies count with the human ones (most are clinical papers whose abstract
    never says "patients"); they are rated down for indirectness only when no study is human.
    Clinical claims never rest on animal or in-vitro work: it is set aside and listed. For
    mechanism and pharmacology claims it is direct evidence and counts alongside human studies.
    """
    pre = tuple(a for a in informative if is_preclinical(a.study))
    human = tuple(a for a in informative if not is_preclinical(a.study))
    if claim.clinical:
        if not human:
            return Body("preclinical", (), (), pre)
        kind = "human" if any(a.study.species in HUMAN_SPECIES for a in human) else "species-unstated"
        return Body(kind, human, (), pre)
    if human and pre:
        return Body("human+preclinical", human, pre)
    if human:
        return Body("human" if any(a.study.species in HUMAN_SPECIES for a in human) else "species-unstated", human, ())
    return Body("preclinical", (), pre)
