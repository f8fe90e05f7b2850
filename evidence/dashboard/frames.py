"""Frames the dashboard shows: the overview and a claim's studies, and their filters.

Pure data shaping: every function takes claims, grades or frames and returns a frame, so
each can be tested without Streamlit. Columns have explicit dtypes: an integer column with
missing values is ``Int64``, never float.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from evidence.dashboard.text import doi_url, pubmed_url
from evidence.grading.service import ClaimEvidence, ClaimGrade
from evidence.models import Claim
from evidence.vocabulary import DESIGNS, STRENGTHS, TIERS, VERDICTS

__all__ = [
    "STUDY_COLUMNS", "TABLE_COLUMNS", "TITLE_LINK_TEXT", "title_link", "studies_frame", "overview_frame",
    "design_columns", "filter_overview",
    "design_counts_long", "filter_studies", "studies_table",
]

STUDY_COLUMNS = ["pmid", "title", "year", "journal", "doi", "design", "design_reason", "tier", "species",
                 "species_reason", "n", "n_reason", "direction", "direction_sentence", "direction_reason", "judge",
                 "retracted", "retracted_reason", "relevant", "relevance_reason", "reviewed_by", "abstract"]
# The studies table's columns, in the order a reader needs them: what decides the grade first.
TABLE_COLUMNS = ["design", "direction", "deciding sentence", "n", "species", "retracted", "reviewed by", "title",
                 "year", "journal", "pubmed", "doi"]


def studies_frame(evidence: ClaimEvidence) -> pd.DataFrame:
    """One row per study, best evidence first."""
    rows = [
        {"pmid": a.record.pmid, "title": a.record.title, "year": a.record.year, "journal": a.record.journal,
         "doi": a.record.doi, "design": a.study.design, "design_reason": a.study.design_reason,
         "tier": a.study.tier, "species": a.study.species, "species_reason": a.study.species_reason,
         "n": a.study.n, "n_reason": a.study.n_reason, "direction": a.direction.direction,
         "direction_sentence": a.direction.sentence, "direction_reason": a.direction.reason,
         "judge": a.direction.judge, "retracted": a.study.retracted, "retracted_reason": a.study.retracted_reason,
         "relevant": a.relevant, "relevance_reason": a.relevance_reason, "reviewed_by": a.reviewed_by,
         "abstract": a.record.abstract}
        for a in evidence.assessments
    ]
    return pd.DataFrame(rows, columns=STUDY_COLUMNS).astype({"n": "Int64", "year": "Int64", "tier": "Int64"})


def overview_frame(claims: Sequence[Claim], grades: Mapping[str, ClaimGrade | ClaimEvidence],
                   last_refreshed: Mapping[str, Any]) -> pd.DataFrame:
    """One row per claim: its grade, counts by design, newest study year and last refresh.

    ``last_refreshed`` maps a claim id to its last successful refresh (the cache's claim state).
    """
    rows = []
    for claim in claims:
        found = grades.get(claim.id)
        cg = ClaimGrade.of(found) if isinstance(found, ClaimEvidence) else found
        counts = dict(cg.grade.counts_by_design) if cg else {}
        rows.append({
            "id": claim.id, "article": claim.article, "kind": claim.kind, "statement": claim.statement,
            "quote": claim.quote, "verdict": cg.grade.verdict if cg else "insufficient",
            "strength": cg.grade.strength if cg else "very-low", "studies": cg.studies if cg else 0,
            "newest_year": cg.newest_year if cg else None, "last_refreshed": last_refreshed.get(claim.id),
            **{f"n_{design}": count for design, count in counts.items()},
        })
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.astype({"studies": "Int64", "newest_year": "Int64",
                         **{c: "Int64" for c in frame.columns if c.startswith("n_")}})


def design_columns(frame: pd.DataFrame) -> list[str]:
    """The overview's count-by-design columns (``n_rct``...), in tier order."""
    return [f"n_{design}" for design in DESIGNS if f"n_{design}" in frame.columns]


def _design_of(column: str) -> str:
    return column.removeprefix("n_")


def filter_overview(frame: pd.DataFrame, *, articles: Iterable[str] = (), kinds: Iterable[str] = (),
                    verdicts: Iterable[str] = (), strengths: Iterable[str] = (),
                    sort: str = "verdict", search: str = "") -> pd.DataFrame:
    """Rows matching every non-empty filter, sorted by verdict, strength, newest study or id.

    ``search`` keeps claims whose id, statement or quote holds every word of it (any case).
    """
    out = frame
    words = search.lower().split()
    if words and not out.empty:
        hay = (out["id"].astype(str) + " " + out["statement"].fillna("").astype(str) + " "
               + out["quote"].fillna("").astype(str)).str.lower()
        keep = pd.Series(True, index=out.index)
        for word in words:
            keep &= hay.str.contains(word, regex=False)
        out = out[keep]
    for column, wanted in (("article", articles), ("kind", kinds), ("verdict", verdicts),
                           ("strength", strengths)):
        wanted = list(wanted)
        if wanted and column in out.columns:
            out = out[out[column].isin(wanted)]
    keys: dict[str, tuple[list[str], list[bool]]] = {
        "verdict": (["_v", "_s", "id"], [True, True, True]),
        "strength": (["_s", "_v", "id"], [True, True, True]),
        "newest": (["newest_year", "id"], [False, True]),
        "studies": (["studies", "id"], [False, True]),
        "id": (["id"], [True]),
    }
    by, ascending = keys.get(sort, keys["verdict"])
    out = out.assign(
        _v=out["verdict"].map({v: i for i, v in enumerate(VERDICTS)}).fillna(99) if "verdict" in out else 0,
        _s=out["strength"].map({s: i for i, s in enumerate(STRENGTHS)}).fillna(99) if "strength" in out else 0,
    )
    by = [c for c in by if c in out.columns]
    out = out.sort_values(by, ascending=ascending[: len(by)], na_position="last", kind="stable")
    return out.drop(columns=["_v", "_s"]).reset_index(drop=True)


def design_counts_long(frame: pd.DataFrame) -> pd.DataFrame:
    """Overview counts as long rows (id, design, tier, count) for a stacked bar; zero counts dropped."""
    cols = design_columns(frame)
    if frame.empty or not cols:
        return pd.DataFrame({"id": [], "design": [], "tier": [], "count": []})
    long = frame[["id", *cols]].melt(id_vars="id", var_name="design", value_name="count")
    long["design"] = long["design"].map(_design_of)
    long["count"] = pd.to_numeric(long["count"], errors="coerce").fillna(0).astype(int)
    long = long[long["count"] > 0]
    long["tier"] = long["design"].map(TIERS)
    return long.reset_index(drop=True)


def filter_studies(frame: pd.DataFrame, *, designs: Iterable[str] = (), species: Iterable[str] = (),
                   directions: Iterable[str] = (), years: tuple[int, int] | None = None,
                   search: str = "") -> pd.DataFrame:
    """Studies matching every non-empty filter; the order (best evidence first) is kept.

    ``search`` matches a PMID exactly or a case-insensitive phrase of the title or journal.
    """
    out = frame
    search = search.strip()
    if search:
        hay = out["title"].fillna("").astype(str) + " " + out["journal"].fillna("").astype(str)
        out = out[(out["pmid"].astype(str) == search) | hay.str.contains(search, case=False, regex=False)]
    for column, wanted in (("design", designs), ("species", species), ("direction", directions)):
        wanted = list(wanted)
        if wanted:
            out = out[out[column].isin(wanted)]
    if years is not None:
        lo, hi = years
        year = pd.to_numeric(out["year"], errors="coerce")
        out = out[(year >= lo) & (year <= hi)]
    return out


def title_link(pmid: Any, title: Any) -> str:
    """The title as a link cell: the PubMed URL with the title in its fragment, shown by
    ``TITLE_LINK_TEXT`` (st.dataframe links show a regex group of their URL, drawn as text)."""
    return f"{pubmed_url(str(pmid))}#{' '.join(str(title or '').split())}"


TITLE_LINK_TEXT = r"https://pubmed\.ncbi\.nlm\.nih\.gov/\d+/#(.*)"


def studies_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns for ``st.dataframe`` (``TABLE_COLUMNS``): what decides the grade first (design,
    direction, the sentence that decided it), then size, species, retraction and reviewer, then
    the title linked to PubMed, and the PubMed and DOI links.

    st.dataframe renders every cell as text, so PubMed titles stay inert.
    """
    if frame.empty:
        return pd.DataFrame(columns=TABLE_COLUMNS)
    reviewed = frame["reviewed_by"] if "reviewed_by" in frame else pd.Series([None] * len(frame), index=frame.index)
    direction = [d if rel else f"{d} (set aside)" for d, rel in
                 zip(frame["direction"], frame["relevant"] if "relevant" in frame else [True] * len(frame),
                     strict=True)]
    return pd.DataFrame({
        "design": frame["design"],
        "direction": direction,
        "deciding sentence": frame["direction_sentence"].fillna("").astype(str),
        "n": pd.to_numeric(frame["n"], errors="coerce").astype("Int64"),
        "species": frame["species"],
        "retracted": ["RETRACTED" if r else "" for r in frame["retracted"].fillna(False)],
        "reviewed by": reviewed.fillna("").astype(str),
        "title": [title_link(p, t) for p, t in zip(frame["pmid"], frame["title"], strict=True)],
        "year": pd.to_numeric(frame["year"], errors="coerce").astype("Int64"),
        "journal": frame["journal"].fillna("").astype(str),
        "pubmed": [pubmed_url(p) for p in frame["pmid"]],
        "doi": [doi_url(d) for d in frame["doi"]],
    }, columns=TABLE_COLUMNS).reset_index(drop=True)
