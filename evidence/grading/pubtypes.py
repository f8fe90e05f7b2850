"""What PubMed's indexers say a record is: publication types and MeSH design headings.

NLM indexers type each MEDLINE record (Randomized Controlled Trial, Meta-Analysis, Review,
Case Reports...) and tag observational designs with MeSH headings (Cohort Studies...). These
are the best evidence of a design when present; ``designs`` reads the words when they are not.
"""

from __future__ import annotations

__all__ = ["MESH_DESIGN", "design_from_publication_types"]

_NOTICE_TYPES = ("Retraction of Publication", "Published Erratum", "Expression of Concern", "Retraction Notice")
_TRIAL_TYPES = ("Controlled Clinical Trial", "Clinical Trial", "Clinical Trial, Phase I", "Clinical Trial, Phase II",
                "Clinical Trial, Phase III", "Clinical Trial, Phase IV", "Pragmatic Clinical Trial",
                "Equivalence Trial", "Adaptive Clinical Trial", "Clinical Trial, Veterinary")
# Ordered: the first match decides. A meta-analysis tagged "Review" is a meta-analysis.
_PT_ORDER: tuple[tuple[str, str], ...] = (
    ("Meta-Analysis", "meta-analysis"), ("Systematic Review", "systematic-review"),
    ("Randomized Controlled Trial", "rct"), ("Randomized Controlled Trial, Veterinary", "rct"),
    *((t, "non-randomized-trial") for t in _TRIAL_TYPES),
    ("Practice Guideline", "guideline"), ("Guideline", "guideline"),
    ("Consensus Development Conference, NIH", "guideline"), ("Consensus Development Conference", "guideline"),
    ("Case Reports", "case-report"), ("Review", "narrative-review"),
    ("Editorial", "editorial"), ("Comment", "editorial"), ("Letter", "editorial"),
)
_OTHER_TYPES = ("News", "Newspaper Article", "Interview", "Biography", "Portrait", "Historical Article",
                "Congress", "Bibliography", "Patient Education Handout", "Personal Narrative", "Video-Audio Media")


def design_from_publication_types(pts: tuple[str, ...] | list[str]) -> tuple[str, str] | None:
    """The design PubMed's own publication types imply, or None when they say nothing.

    Used by ``classify`` and, as ground truth, by ``bench/designs.py``.
    """
    for pt in pts:
        if pt in _NOTICE_TYPES:
            return "other", f'publication type "{pt}": a notice, not a study'
    for name, design in _PT_ORDER:
        if name in pts:
            return design, f'publication type "{name}"'
    for name in _OTHER_TYPES:
        if name in pts:
            return "other", f'publication type "{name}"'
    return None


# MeSH design headings, weaker than the trial and review cues of the text.
MESH_DESIGN: tuple[tuple[str, str], ...] = (
    ("Case-Control Studies", "case-control"), ("Cohort Studies", "cohort"), ("Prospective Studies", "cohort"),
    ("Longitudinal Studies", "cohort"), ("Retrospective Studies", "cohort"), ("Follow-Up Studies", "cohort"),
    ("Cross-Sectional Studies", "cross-sectional"),
)
