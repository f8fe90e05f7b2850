"""Study classification: what kind of study a PubMed record is, in whom, how large.

``classify(record)`` returns a :class:`StudyClass` whose every label carries the
reason it was given, so a reviewer can check it against the abstract.

Sources, best first: PubMed's publication types (set by NLM indexers), MeSH
descriptors and check tags, then the title and abstract text. The text rules matter:
recent records (status Publisher / In-Process / PubMed-not-MEDLINE) have no indexing
yet, and a randomised trial must still be recognised as one. The rules live in sibling
modules, one concern each: ``pubtypes`` (what PubMed's indexers say), ``designs`` (the words
of the record), ``species``, ``sample_size`` and ``appraisal`` (what a study says of its own
evidence).
"""

from __future__ import annotations

from dataclasses import dataclass

from evidence.grading.appraisal import limitations, stated_certainty
from evidence.grading.designs import design_of
from evidence.grading.pubtypes import design_from_publication_types
from evidence.grading.sample_size import sample_size
from evidence.grading.species import species_of
from evidence.models import Record
from evidence.vocabulary import RETRACTED_TYPE, RETRACTION_LINK, TIERS

__all__ = ["StudyClass", "classify", "design_from_publication_types"]


@dataclass(frozen=True)
class StudyClass:
    """Design, tier, species and size of one study, each with its reason."""

    design: str
    design_reason: str
    tier: int
    species: str
    species_reason: str
    n: int | None = None
    n_reason: str = ""
    retracted: bool = False
    retracted_reason: str = ""
    expression_of_concern: bool = False
    concern_reason: str = ""
    pooled: str | None = None  # for reviews: "rcts" or "observational" when the abstract says
    notice: bool = False  # a retraction notice, erratum or expression of concern itself
    # What the study says of its own evidence: the certainty a review states ("very-low-certainty
    # evidence" -> "very-low"), and self-declared limits ("pilot", "underpowered", "small sample").
    stated_certainty: str | None = None
    limitations: tuple[str, ...] = ()


# --- retraction ---------------------------------------------------------------------


def _retraction(record: Record) -> tuple[bool, str, bool, str]:
    signals = []
    if RETRACTED_TYPE in record.publication_types:
        signals.append(f'publication type "{RETRACTED_TYPE}"')
    links = [c for c in record.comments_corrections if c.ref_type == RETRACTION_LINK]
    if links:
        signals.append(
            "PubMed links a retraction notice (RetractionIn" + (f" PMID {links[0].pmid})" if links[0].pmid else ")")
        )
    if not signals and record.retracted:
        signals.append("marked retracted by the parser")
    concern_links = [c for c in record.comments_corrections if c.ref_type == "ExpressionOfConcernIn"]
    concern = ""
    if concern_links:
        concern = "PubMed links an expression of concern (ExpressionOfConcernIn" + (
            f" PMID {concern_links[0].pmid})" if concern_links[0].pmid else ")"
        )
    elif record.expression_of_concern:
        concern = "marked with an expression of concern by the parser"
    return bool(signals), "; ".join(signals), bool(concern), concern


def classify(record: Record) -> StudyClass:
    """Classify one record: design, tier, species, n, retraction; each with its reason."""
    # Species first from the words alone (laboratory work has no clinical design), then again
    # with the design known (a trial or a review of trials is a study of people).
    design, design_reason, pooled = design_of(record, species_of(record)[0])
    species, species_reason = species_of(record, design)
    n, n_reason = sample_size(record)
    retracted, retracted_reason, concern, concern_reason = _retraction(record)
    return StudyClass(
        design=design,
        design_reason=design_reason,
        tier=TIERS[design],
        species=species,
        species_reason=species_reason,
        n=n,
        n_reason=n_reason,
        retracted=retracted,
        retracted_reason=retracted_reason,
        expression_of_concern=concern,
        concern_reason=concern_reason,
        pooled=pooled,
        notice=design == "other" and "notice" in design_reason,
        stated_certainty=stated_certainty(record),
        limitations=limitations(record),
    )
