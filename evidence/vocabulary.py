"""The words the tool judges with: directions, verdicts, strengths, designs, species, kinds.

One definition each; every other module (grading, outputs, dashboard, registry, importers)
imports them from here, so a list can never drift between the report and the dashboard.
Orders matter: each tuple is best (or most common) first, and sorting uses its index.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "DIRECTIONS",
    "VERDICTS",
    "STRENGTHS",
    "TIERS",
    "DESIGNS",
    "DESIGN_GROUPS",
    "SPECIES",
    "HUMAN_SPECIES",
    "PRECLINICAL_SPECIES",
    "KINDS",
    "CLINICAL_KINDS",
    "POLARITIES",
    "VALENCES",
    "MODALITIES",
    "QUANTITY_KINDS",
    "BOUNDS",
    "UNITS",
    "RETRACTED_TYPE",
    "RETRACTION_LINK",
    "design_name",
    "is_retracted",
    "rank",
]

# A study's finding as read against one claim.
DIRECTIONS: tuple[str, ...] = ("supports", "contradicts", "mixed", "unclear")
# A claim's verdict, and the certainty of its evidence (GRADE's four levels), best first.
VERDICTS: tuple[str, ...] = ("supported", "mixed", "contradicted", "insufficient")
STRENGTHS: tuple[str, ...] = ("high", "moderate", "low", "very-low")

# Evidence tiers, best first, after the Oxford CEBM 2011 levels (1 systematic review
# of trials, 2 RCT, 3 non-randomised controlled / cohort, 4 case-control, case series,
# 5 mechanism-based reasoning) with opinion pieces and unclassified records below.
TIERS: dict[str, int] = {
    "meta-analysis": 1,
    "systematic-review": 1,
    "rct": 2,
    "non-randomized-trial": 3,
    "cohort": 3,
    "case-control": 4,
    "cross-sectional": 4,
    "case-series": 4,
    "case-report": 5,
    "guideline": 5,
    "animal": 5,  # laboratory experiments: OCEBM level 5, mechanism-based evidence
    "in-vitro": 5,
    "narrative-review": 6,
    "editorial": 6,
    "other": 7,
}
DESIGNS: tuple[str, ...] = tuple(TIERS)
# Designs in families a reader tells apart at a glance (charts give each family its own hue).
DESIGN_GROUPS: dict[str, tuple[str, ...]] = {
    "syntheses": ("meta-analysis", "systematic-review"),
    "trials": ("rct", "non-randomized-trial"),
    "observational": ("cohort", "case-control", "cross-sectional"),
    "case reports": ("case-series", "case-report"),
    "guidance and opinion": ("guideline", "narrative-review", "editorial"),
    "laboratory": ("animal", "in-vitro"),
    "other": ("other",),
}
# (singular, plural) as reasons and summaries print them.
_DESIGN_NAMES: dict[str, tuple[str, str]] = {
    "meta-analysis": ("meta-analysis", "meta-analyses"),
    "systematic-review": ("systematic review", "systematic reviews"),
    "rct": ("RCT", "RCTs"),
    "non-randomized-trial": ("non-randomised trial", "non-randomised trials"),
    "cohort": ("cohort study", "cohort studies"),
    "case-control": ("case-control study", "case-control studies"),
    "cross-sectional": ("cross-sectional study", "cross-sectional studies"),
    "case-series": ("case series", "case series"),
    "case-report": ("case report", "case reports"),
    "guideline": ("guideline", "guidelines"),
    "animal": ("animal study", "animal studies"),
    "in-vitro": ("in-vitro study", "in-vitro studies"),
    "narrative-review": ("narrative review", "narrative reviews"),
    "editorial": ("editorial/letter", "editorials/letters"),
    "other": ("other record", "other records"),
}

SPECIES: tuple[str, ...] = ("human", "animal", "in-vitro", "mixed", "unknown")
HUMAN_SPECIES: tuple[str, ...] = ("human", "mixed")  # "mixed": the record includes human data
PRECLINICAL_SPECIES: tuple[str, ...] = ("animal", "in-vitro")

# What kind of proposition a claim is. Mechanism and pharmacology are not "clinical":
# animal and in-vitro work may inform them; clinical claims rest on human studies only.
KINDS: tuple[str, ...] = ("mechanism", "pharmacology", "pathophysiology", "efficacy", "safety", "epidemiology")
CLINICAL_KINDS: frozenset[str] = frozenset(KINDS) - {"mechanism", "pharmacology"}
POLARITIES: tuple[str, ...] = ("effect", "no-effect", "increase", "decrease")
# Whether the claimed effect is good or bad for the patient ("reduces pain": benefit;
# "impairs memory": harm). Harm claims are read with a harm lexicon and graded with
# observational designs as their proper evidence.
VALENCES: tuple[str, ...] = ("benefit", "harm")
# How the article asserts it: plainly, hedged ("may", "is thought to"), as the sole account
# ("works by"), or as a rule of practice ("contraindicated", "should not be given").
MODALITIES: tuple[str, ...] = ("asserted", "hedged", "exclusive", "normative")
# Numbers a claim asserts, compared with the numbers a study reports.
QUANTITY_KINDS: tuple[str, ...] = ("proportion", "onset", "duration")
BOUNDS: tuple[str, ...] = ("about", "up-to", "at-least", "at-most", "within", "between")
UNITS: tuple[str, ...] = ("%", "minutes", "hours", "days", "weeks", "months", "years")

# How PubMed marks a retracted paper: a publication type, or a link to the notice.
RETRACTED_TYPE = "Retracted Publication"
RETRACTION_LINK = "RetractionIn"


def is_retracted(publication_types: Iterable[str], link_kinds: Iterable[str]) -> bool:
    """True when PubMed types the record as retracted or links a retraction notice to it."""
    return RETRACTED_TYPE in tuple(publication_types) or RETRACTION_LINK in tuple(link_kinds)


def design_name(design: str, count: int = 1) -> str:
    """"RCT" / "RCTs", "cohort study" / "cohort studies": a design as prose names it."""
    singular, plural = _DESIGN_NAMES.get(design, (design, design))
    return singular if count == 1 else plural


def rank(vocabulary: tuple[str, ...], value: str) -> int:
    """Position of ``value`` in an ordered vocabulary (unknown values sort last)."""
    return vocabulary.index(value) if value in vocabulary else len(vocabulary)
