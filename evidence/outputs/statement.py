"""What a writer pastes: the studies to cite for a claim, and a one-paragraph evidence statement.

``cited_studies`` is the one rule for which studies a claim's citations hold: by default the
evidence behind the verdict (the relevant studies, best first: what ``evidence export --claim``
writes), or every study. ``evidence_statement`` says in one paragraph what the grade says
(verdict, strength, the best evidence and its directions, each reason for rating down or up,
what was set aside), numbering the studies as the citation list does. It is built only from
the grade and its studies, never from titles or abstracts.
"""

from __future__ import annotations

from collections.abc import Sequence

from evidence.grading.grade import Assessment
from evidence.grading.service import ClaimEvidence
from evidence.vocabulary import DIRECTIONS, design_name

__all__ = ["CITE_SCOPES", "cited_studies", "citation_numbers", "evidence_statement"]

CITE_SCOPES = {
    "verdict": "the evidence behind the verdict (relevant studies, best first)",
    "all": "all studies, best first (off-topic ones included)",
}
_VERBS = {"supports": ("supports", "support"), "contradicts": ("contradicts", "contradict"),
          "mixed": ("is mixed", "are mixed"), "unclear": ("is unclear", "are unclear")}
_VERDICTS = {
    "supported": "supported",
    "contradicted": "contradicted",
    "mixed": "mixed: the best studies disagree",
    "insufficient": "insufficient: no usable study speaks clearly to it",
}


def cited_studies(evidence: ClaimEvidence, scope: str = "verdict") -> list[Assessment]:
    """The studies a claim's citations hold, best evidence first.

    "verdict": the relevant studies that are studies (not retraction notices or errata); retracted
    ones stay listed so an export can mark them, and are left out of citations by default.
    "all": every study linked to the claim.
    """
    if scope == "all":
        return list(evidence.assessments)
    return [a for a in evidence.assessments if a.relevant and not a.study.notice]


def citation_numbers(pmids: Sequence[str], cited: Sequence[str]) -> str:
    """"[1-3, 5]": the positions of ``pmids`` in the citation list ``cited`` (absent ones left out)."""
    where = {p: i for i, p in enumerate(cited, 1)}
    numbers = sorted({where[p] for p in pmids if p in where})
    if not numbers:
        return ""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts = [f"{r[0]}-{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs]
    return "[" + ", ".join(parts) + "]"


def _group(items: Sequence[Assessment], cited: Sequence[str], object_: str = "it") -> str:
    """"2 RCTs (n=340) [1, 2] support it": one design and direction."""
    design, direction = items[0].study.design, items[0].direction.direction
    ns = [a.study.n for a in items if a.study.n]
    size = f" (n={sum(ns)})" if ns else ""
    refs = citation_numbers([a.record.pmid for a in items], cited)
    one, many = _VERBS[direction]
    verb = one if len(items) == 1 else many
    tail = f" {object_}" if direction in ("supports", "contradicts") else ""
    return f"{len(items)} {design_name(design, len(items))}{size}{' ' + refs if refs else ''} {verb}{tail}"


def _groups(items: Sequence[Assessment], cited: Sequence[str]) -> list[str]:
    out = []
    designs = list(dict.fromkeys(a.study.design for a in sorted(items, key=lambda a: a.study.tier)))
    for design in designs:
        for direction in DIRECTIONS:
            group = [a for a in items if a.study.design == design and a.direction.direction == direction]
            if group:
                out.append(_group(group, cited))
    return out


def _join(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def evidence_statement(evidence: ClaimEvidence, cited: Sequence[str]) -> str:
    """One paragraph, ready to paste: the claim, its verdict and strength, the best evidence with
    its directions and citation numbers (positions in ``cited``, the citation list's PMIDs), the
    other studies the verdict rests on, each reason for rating down or up, and what was set aside."""
    g, claim = evidence.grade, evidence.claim
    by_pmid = {a.record.pmid: a for a in evidence.assessments}
    basis = [by_pmid[p] for p in g.basis if p in by_pmid]
    certainty = f"{g.strength.replace('-', ' ')} certainty of evidence (GRADE)"
    text = [f"Claim: \u201c{claim.statement.rstrip('.')}.\u201d Verdict: {_VERDICTS.get(g.verdict, g.verdict)}"
            + (f" ({certainty})." if g.verdict == "insufficient" else f", with {certainty}.")]
    if basis:
        top = min(a.study.tier for a in basis)
        best = [a for a in basis if a.study.tier == top]
        rest = [a for a in basis if a.study.tier != top]
        text.append(f"The best evidence: {_join(_groups(best, cited))}.")
        if rest:
            text.append(f"Other studies the verdict rests on: {_join(_groups(rest, cited))}.")
    downs = [t for kind, t in g.factors if kind == "down"]
    ups = [t for kind, t in g.factors if kind == "up"]
    if downs:
        text.append("Certainty was rated down for " + _join(downs) + ".")
    if ups:
        text.append("It was rated up for " + _join(ups) + ".")
    aside = sum(1 for a in evidence.assessments if not a.relevant)
    retracted = sum(1 for a in evidence.assessments if a.study.retracted)
    notes = []
    if aside:
        notes.append(f"{aside} stud{'y was' if aside == 1 else 'ies were'} set aside as not about the claim")
    if retracted:
        notes.append(f"{retracted} retracted stud{'y was' if retracted == 1 else 'ies were'} excluded")
    if notes:
        text.append(_join(notes).capitalize() + ".")
    reviewers = sorted({a.reviewed_by for a in evidence.assessments if a.reviewed_by})
    if g.reviewed:
        text.append(f"Reviewer decisions ({', '.join(reviewers)}) changed {len(g.reviewed)} of the studies' labels.")
    return " ".join(text)
