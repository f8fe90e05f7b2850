"""The digest in sentences: "What's new" on the dashboard and the quiet refresh's one line.

Built only from ``build_digest``'s dict, so the dashboard, ``evidence digest`` and
``evidence refresh --quiet`` always give the same counts. Each sentence keeps the PMIDs it
names apart from its text, so a page can link them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evidence.vocabulary import DESIGNS, design_name

__all__ = ["COUNT_MEANINGS", "NewsItem", "changed", "digest_line", "digest_news", "headline"]

# What each of the digest's counts counts, said wherever a count is shown.
COUNT_MEANINGS = {
    "new_studies": "studies a claim gained (a record found by two claims is new to both)",
    "grade_changes": "claims whose verdict or strength moved (a claim's first grade is not a change)",
    "retracted": "studies retracted in the window, or already retracted when they arrived",
    "revised": "records whose PubMed XML changed",
}


@dataclass(frozen=True)
class NewsItem:
    """One sentence of the digest: ``kind`` new-studies, grade-change, first-grade, retracted or
    revised; the claim it is about (if one); its plain text; the PMIDs it names, to be linked."""

    kind: str
    claim_id: str | None
    text: str
    pmids: tuple[str, ...] = ()
    more: int = 0  # PMIDs counted but not listed


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def changed(digest: Mapping[str, Any]) -> bool:
    """True when the digest holds any change (a first grade always comes with new studies)."""
    return any(digest["counts"].values()) or bool(digest["first_grades"])


def headline(digest: Mapping[str, Any]) -> str:
    """The digest's four counts in one sentence (the same numbers ``evidence digest`` prints)."""
    c = digest["counts"]
    claims = len(digest["new_studies"])
    across = " for " + _plural(claims, "claim", "claims") if claims else ""
    return (f"{_plural(c['new_studies'], 'new study', 'new studies')}{across}, "
            f"{_plural(c['grade_changes'], 'grade change', 'grade changes')}, "
            f"{_plural(c['retracted'], 'retraction', 'retractions')}, "
            f"{_plural(c['revised'], 'revised record', 'revised records')}.")


def _designs(studies: Sequence[Mapping[str, Any]]) -> str:
    counts = Counter(s["design"] for s in studies)
    order = sorted(counts, key=lambda d: DESIGNS.index(d) if d in DESIGNS else len(DESIGNS))
    return ", ".join(f"{counts[d]} {design_name(d, counts[d])}" for d in order)


def _grade(g: Mapping[str, Any]) -> str:
    return f"{g['verdict']} ({g['strength']})"


def _change_text(g: Mapping[str, Any]) -> str:
    before, after = g["before"], g["after"]
    if g["verdict_changed"]:
        text = f"{g['claim_id']}: the verdict changed from {_grade(before)} to {_grade(after)}"
    else:
        text = (f"{g['claim_id']}: still {after['verdict']}, the strength changed from {before['strength']} "
                f"to {after['strength']}")
    was, now = before.get("best_design"), after.get("best_design")
    if now and was and now != was:
        text += f"; its best evidence is now {design_name(now, 2)} (was {design_name(was, 2)})"
    elif now:
        text += f"; its best evidence: {design_name(now, 2)}"
    return text + "."


def digest_news(digest: Mapping[str, Any]) -> list[NewsItem]:
    """The digest as sentences, grade changes first, then new studies, retractions, revisions and
    first grades (a claim's first grade is reported as such, never as a change)."""
    out = [NewsItem("grade-change", g["claim_id"], _change_text(g)) for g in digest["grade_changes"]]
    for claim in digest["new_studies"]:
        described = claim["studies"]
        shown = [s["pmid"] for s in described]
        more = len(claim.get("more_pmids", ()))
        text = f"{_plural(claim['total'], 'new study', 'new studies')} for {claim['claim_id']}"
        if described:
            text += f", {_designs(described)}" + (f" among the {len(described)} best described" if more else "")
        retracted = sum(1 for s in described if s["retracted"])
        if retracted:
            text += f" ({retracted} already retracted)"
        out.append(NewsItem("new-studies", claim["claim_id"], text + ":", tuple(shown), more))
    for r in digest["retracted"]:
        how = "is now retracted" if r["how"] == "newly-retracted" else "was already retracted when it arrived"
        claims = ", ".join(r["claims"]) or "no claim"
        out.append(NewsItem("retracted", None, f"A study {how} ({claims}): it no longer counts in any grade.",
                            (r["pmid"],)))
    for r in digest["revised"]:
        claims = ", ".join(r["claims"]) or "no claim"
        out.append(NewsItem("revised", None, f"PubMed revised a record ({claims}):", (r["pmid"],)))
    for g in digest["first_grades"]:
        text = f"{g['claim_id']} was graded for the first time: {_grade(g)} (a first grade, not a change)."
        out.append(NewsItem("first-grade", g["claim_id"], text))
    return out


def digest_line(digest: Mapping[str, Any], path: str | None = None) -> str:
    """One line for a scheduled job's log: the run, its counts, the claims that gained studies or
    changed grade, where the digest is."""
    w = digest["window"]
    head = f"run {w['run_id']} {w['status']}" if w["kind"] == "run" else "digest"
    gained = ", ".join(f"{c['claim_id']} {c['total']}" for c in digest["new_studies"][:5])
    if len(digest["new_studies"]) > 5:
        gained += ", ..."
    moved = ", ".join(g["claim_id"] for g in digest["grade_changes"][:5])
    c = digest["counts"]
    text = (f"{head}: {_plural(c['new_studies'], 'new study', 'new studies')}" + (f" ({gained})" if gained else "")
            + f", {_plural(c['grade_changes'], 'grade change', 'grade changes')}" + (f" ({moved})" if moved else "")
            + f", {_plural(c['retracted'], 'retraction', 'retractions')}, "
            f"{_plural(c['revised'], 'revised record', 'revised records')}")
    return text + (f"; digest: {path}" if path else "")
