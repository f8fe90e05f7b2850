"""The claim page's summary of findings, in GRADE's style: what decides the grade, at a glance.

From one claim's graded evidence (``ClaimEvidence``): the studies and participants of each
design with their directions, a one-line sentence ("2 RCTs (n=340) support; 1 cohort study
contradicts"), GRADE's steps from the starting certainty through each reason for rating down
or up, and what was set aside. Pure: evidence in, frames and strings out.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from evidence.grading.grade import Assessment, Grade
from evidence.grading.service import ClaimEvidence
from evidence.vocabulary import DIRECTIONS, HUMAN_SPECIES, STRENGTHS, TIERS, design_name

__all__ = ["SOF_COLUMNS", "certainty_steps", "findings_sentence", "set_aside_summary", "sof_markdown",
           "summary_of_findings", "usable"]

SOF_COLUMNS = ["design", "studies", "participants", "in humans", *DIRECTIONS]  # directions: how many point each way
_VERBS = {"supports": ("supports", "support"), "contradicts": ("contradicts", "contradict"),
          "mixed": ("is mixed", "are mixed"), "unclear": ("is unclear", "are unclear")}


def usable(evidence: ClaimEvidence) -> list[Assessment]:
    """The studies a grade may count: relevant, not retracted, not a notice (best first)."""
    return [a for a in evidence.assessments if a.relevant and not a.study.retracted and not a.study.notice]


def _by_design(items: Sequence[Assessment]) -> dict[str, list[Assessment]]:
    out: dict[str, list[Assessment]] = {}
    for a in sorted(items, key=lambda a: (TIERS.get(a.study.design, 99), a.study.design)):
        out.setdefault(a.study.design, []).append(a)
    return out


def _participants(items: Sequence[Assessment]) -> int | None:
    ns = [a.study.n for a in items if a.study.n]
    return sum(ns) if ns else None


def summary_of_findings(evidence: ClaimEvidence) -> pd.DataFrame:
    """One row per design of the usable studies (best tier first): studies, participants stated,
    how many were in humans, and how many point each way."""
    rows = []
    for design, items in _by_design(usable(evidence)).items():
        counts = {d: sum(a.direction.direction == d for a in items) for d in DIRECTIONS}
        rows.append({"design": design_name(design, len(items)), "studies": len(items),
                     "participants": _participants(items),
                     "in humans": sum(a.study.species in HUMAN_SPECIES for a in items), **counts})
    frame = pd.DataFrame(rows, columns=SOF_COLUMNS)
    return frame.astype({c: "Int64" for c in SOF_COLUMNS if c != "design"})


def sof_markdown(sof: pd.DataFrame) -> str:
    """The summary of findings as a compact Markdown table (design names and numbers only)."""
    head = "| " + " | ".join(SOF_COLUMNS) + " |"
    rule = "|" + "|".join([":---", *["---:"] * (len(SOF_COLUMNS) - 1)]) + "|"
    rows = ["| " + " | ".join("" if pd.isna(v) else str(v) for v in row) + " |"
            for row in sof[SOF_COLUMNS].itertuples(index=False)]
    return "\n".join([head, rule, *rows])


def _size(items: Sequence[Assessment]) -> str:
    n = _participants(items)
    return f" (n={n})" if n else ""


def findings_sentence(evidence: ClaimEvidence) -> str:
    """"2 RCTs (n=340) support; 1 cohort study (n=80) contradicts": the usable studies that speak
    to the claim, by design (best first) and direction, then how many are unclear."""
    kept = usable(evidence)
    parts = []
    for design, items in _by_design([a for a in kept if a.direction.direction != "unclear"]).items():
        groups = []
        for direction in DIRECTIONS:
            group = [a for a in items if a.direction.direction == direction]
            if group:
                one, many = _VERBS[direction]
                groups.append(f"{len(group)} {design_name(design, len(group))}{_size(group)} "
                              f"{one if len(group) == 1 else many}")
        parts.append(", ".join(groups))
    unclear = sum(a.direction.direction == "unclear" for a in kept)
    if unclear:
        parts.append(f"{unclear} {'study does' if unclear == 1 else 'studies do'} not speak clearly to the claim")
    if not parts:
        return "No usable study: nothing speaks to the claim yet."
    return "; ".join(parts) + "."


def set_aside_summary(evidence: ClaimEvidence) -> str:
    """What the grade does not count, counted by why: off topic, set aside by a reviewer, retracted."""
    off = by_reviewer = retracted = notices = 0
    for a in evidence.assessments:
        if a.study.retracted:
            retracted += 1
        elif a.study.notice:
            notices += 1
        elif not a.relevant:
            if a.relevance_reason.startswith("not relevant (reviewed"):
                by_reviewer += 1
            else:
                off += 1
    parts = [f"{n} {what}" for n, what in ((off, "judged off topic"), (by_reviewer, "set aside by a reviewer"),
                                           (retracted, "retracted"),
                                           (notices, "notices (not studies)")) if n]
    return ("Not counted: " + ", ".join(parts) + ".") if parts else ""


def certainty_steps(grade: Grade) -> list[tuple[str, str]]:
    """GRADE's steps as (mark, text): where the certainty started, each step down (⊖) or up (⊕),
    and where it ended. From ``Grade.factors``; an insufficient grade has none but its end."""
    marks = {"start": "▶", "down": "⊖", "up": "⊕"}
    words = {"start": "Starts", "down": "Rated down for", "up": "Rated up for"}
    steps = [(marks.get(kind, "·"), f"{words.get(kind, kind)}: {text}" if kind != "start" else f"Starts: {text}")
             for kind, text in grade.factors]
    if not steps and grade.reasons:  # insufficient: no GRADE steps, the grader says why instead
        steps.append(("▶", grade.reasons[-1].split(" -> ")[0]))
    level = STRENGTHS.index(grade.strength) if grade.strength in STRENGTHS else len(STRENGTHS) - 1
    steps.append(("=", f"Certainty {grade.strength} ({'⊕' * (4 - level)}{'◯' * level})"))
    return steps
