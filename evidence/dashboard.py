"""View-model for the Streamlit dashboard: pure data shaping, safe HTML and charts.

``app.py`` only wires these functions to widgets. Nothing here reads the cache or the
network: every function takes frames or records and returns frames, strings or Altair
charts, so each can be tested without Streamlit.

Safety: every piece of text that reaches HTML or Markdown (article text, quotes, PubMed
titles and abstracts) goes through ``html.escape`` (and Markdown escaping), so a record
whose title holds ``<script>`` shows as text.
"""

from __future__ import annotations

import html
import re
import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import altair as alt
import pandas as pd

from evidence.grading.classify import DESIGNS, TIERS
from evidence.registry import _QUOTE_MAP

__all__ = [
    "VERDICT_COLOURS", "DIRECTION_COLOURS", "verdict_style", "STRENGTH_ORDER", "VERDICT_ORDER", "STALE_AFTER",
    "pubmed_url", "pubmed_search_url", "doi_url", "md_escape", "text_of", "staleness", "parse_time",
    "design_columns", "filter_overview", "design_counts_long", "design_bar_chart",
    "filter_studies", "studies_table", "pyramid_chart", "timeline_chart",
    "QuoteMark", "find_quote_span", "highlight_article", "new_studies", "grade_changes",
    "verdict_badge",
]

# Colours chosen to be told apart by colour-blind readers (Okabe-Ito based) and on white.
VERDICT_COLOURS = {"supported": "#009E73", "mixed": "#E69F00", "contradicted": "#D55E00",
                   "insufficient": "#999999"}
DIRECTION_COLOURS = {"supports": "#009E73", "contradicts": "#D55E00", "mixed": "#E69F00",
                     "unclear": "#999999"}
VERDICT_ORDER = ("supported", "mixed", "contradicted", "insufficient")
STRENGTH_ORDER = ("high", "moderate", "low", "very-low")
# Streamlit's coloured-text names for the verdict badge (st.badge / :color[...]).
_BADGE = {"supported": "green", "mixed": "orange", "contradicted": "red", "insufficient": "gray"}
STALE_AFTER = timedelta(days=7)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:])")  # < > & are left to html.escape


# --- links and text -----------------------------------------------------------------

def pubmed_url(pmid: str) -> str:
    return f"https://pubmed.ncbi.nlm.nih.gov/{urllib.parse.quote(str(pmid))}/"


def pubmed_search_url(term: str) -> str:
    """The same search on the PubMed website, so a reader can check what we searched."""
    return "https://pubmed.ncbi.nlm.nih.gov/?term=" + urllib.parse.quote_plus(term)


def doi_url(doi: Any) -> str | None:
    doi = text_of(doi)
    return f"https://doi.org/{urllib.parse.quote(doi, safe='/():;')}" if doi else None


def text_of(value: Any) -> str:
    """A frame cell as text: "" for None and NaN (pandas' missing values), else ``str(value)``."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def md_escape(value: Any) -> str:
    """Text from PubMed or an article made inert for ``st.markdown``: HTML-escaped, Markdown-escaped."""
    # Markdown escapes first, so the entities html.escape then writes (&lt;) stay whole.
    return html.escape(_MD_SPECIAL.sub(r"\\\1", text_of(value)), quote=False)


def verdict_style(verdict: str) -> str:
    """CSS for a verdict cell in a table: the verdict's colour as a badge."""
    colour = VERDICT_COLOURS.get(verdict, VERDICT_COLOURS["insufficient"])
    return f"background-color: {colour}; color: white; font-weight: 600"


def verdict_badge(verdict: str) -> tuple[str, str]:
    """(label, Streamlit colour name) for a verdict."""
    return verdict, _BADGE.get(verdict, "gray")


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 timestamp from the cache as an aware UTC datetime (None when absent or bad)."""
    if not value:
        return None
    try:
        t = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def staleness(last_run: dict[str, Any] | None, now: datetime) -> str | None:
    """A warning when the last refresh ended over ``STALE_AFTER`` ago; None when fresh."""
    if not last_run:
        return None
    ended = parse_time(last_run.get("ended_at") or last_run.get("started_at"))
    if ended is None:
        return None
    age = now - ended
    if age <= STALE_AFTER:
        return None
    return (f"The cache is stale: the last refresh was {age.days} days ago ({ended:%Y-%m-%d %H:%M} UTC). "
            "Run `evidence refresh` to bring in new studies.")


# --- overview -----------------------------------------------------------------------

def design_columns(frame: pd.DataFrame) -> list[str]:
    """The overview's count-by-design columns, in tier order (accepts ``rct`` or ``n_rct`` names)."""
    out = []
    for design in DESIGNS:
        for name in (design, f"n_{design}", f"{design}_count", f"count_{design}"):
            if name in frame.columns:
                out.append(name)
                break
    return out


def _design_of(column: str) -> str:
    for design in DESIGNS:
        if column in (design, f"n_{design}", f"{design}_count", f"count_{design}"):
            return design
    return column


def filter_overview(frame: pd.DataFrame, *, articles: Iterable[str] = (), kinds: Iterable[str] = (),
                    verdicts: Iterable[str] = (), strengths: Iterable[str] = (),
                    sort: str = "verdict") -> pd.DataFrame:
    """Rows matching every non-empty filter, sorted by verdict, strength, newest study or id."""
    out = frame
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
        _v=out["verdict"].map({v: i for i, v in enumerate(VERDICT_ORDER)}).fillna(99) if "verdict" in out else 0,
        _s=out["strength"].map({s: i for i, s in enumerate(STRENGTH_ORDER)}).fillna(99) if "strength" in out else 0,
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


def design_bar_chart(frame: pd.DataFrame) -> alt.Chart:
    """One horizontal stacked bar per claim: its studies by design, best tiers first."""
    long = design_counts_long(frame)
    order = [d for d in DESIGNS if d in set(long["design"])]
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("id:N", title=None, sort=list(frame["id"]), axis=alt.Axis(labelLimit=260)),
            x=alt.X("count:Q", title="studies"),
            color=alt.Color("design:N", sort=order, scale=alt.Scale(scheme="viridis"), title="design"),
            order=alt.Order("tier:Q"),
            tooltip=["id", "design", "count"],
        )
        .properties(height=max(60, 24 * long["id"].nunique()))
    )


# --- claim page ---------------------------------------------------------------------

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


def studies_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns for ``st.dataframe``: links to PubMed and DOI, direction with its sentence.

    st.dataframe renders every cell as text, so PubMed titles stay inert.
    """
    if frame.empty:
        return pd.DataFrame(columns=["pubmed", "title", "year", "journal", "design", "species", "n",
                                     "direction", "deciding sentence", "retracted", "reviewed by", "doi"])
    reviewed = frame["reviewed_by"] if "reviewed_by" in frame else pd.Series([None] * len(frame), index=frame.index)
    return pd.DataFrame({
        "pubmed": [pubmed_url(p) for p in frame["pmid"]],
        "title": frame["title"].fillna("").astype(str),
        "year": pd.to_numeric(frame["year"], errors="coerce").astype("Int64"),
        "journal": frame["journal"].fillna("").astype(str),
        "design": frame["design"],
        "species": frame["species"],
        "n": pd.to_numeric(frame["n"], errors="coerce").astype("Int64"),
        "direction": frame["direction"],
        "deciding sentence": frame["direction_sentence"].fillna("").astype(str),
        "retracted": ["RETRACTED" if r else "" for r in frame["retracted"].fillna(False)],
        "reviewed by": reviewed.fillna("").astype(str),
        "doi": [doi_url(d) for d in frame["doi"]],
    }).reset_index(drop=True)


def pyramid_chart(frame: pd.DataFrame) -> alt.Chart:
    """The evidence pyramid: studies per design, best tier on top, coloured by direction."""
    counts = (frame.assign(tier=frame["design"].map(TIERS))
              .groupby(["design", "tier", "direction"], as_index=False).size().rename(columns={"size": "count"}))
    order = [d for d in DESIGNS if d in set(counts["design"])]
    return (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            y=alt.Y("design:N", sort=order, title=None, axis=alt.Axis(labelLimit=200)),
            x=alt.X("count:Q", title="studies"),
            color=alt.Color("direction:N", scale=alt.Scale(domain=list(DIRECTION_COLOURS),
                                                           range=list(DIRECTION_COLOURS.values()))),
            tooltip=["design", "tier", "direction", "count"],
        )
        .properties(height=max(160, 44 * len(order)))  # room for every design label
    )


def timeline_chart(frame: pd.DataFrame) -> alt.Chart:
    """Studies per publication year, stacked by design."""
    data = frame.assign(year=pd.to_numeric(frame["year"], errors="coerce")).dropna(subset=["year"])
    counts = data.groupby(["year", "design"], as_index=False).size().rename(columns={"size": "count"})
    counts["year"] = counts["year"].astype(int)
    order = [d for d in DESIGNS if d in set(counts["design"])]
    return (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="year"),
            y=alt.Y("count:Q", title="studies"),
            color=alt.Color("design:N", sort=order, scale=alt.Scale(scheme="viridis")),
            tooltip=["year", "design", "count"],
        )
        .properties(height=220)
    )


# --- article view -------------------------------------------------------------------

@dataclass(frozen=True)
class QuoteMark:
    claim_id: str
    quote: str
    verdict: str
    href: str  # where the highlight links (the claim page)


def _normalized_with_map(text: str) -> tuple[str, list[int]]:
    """The registry's normalisation (straight quotes, collapsed whitespace) with, for each
    normalised character, the index of the original character it came from."""
    chars: list[str] = []
    index: list[int] = []
    pending_space = False
    for i, ch in enumerate(text.translate(_QUOTE_MAP)):
        if ch.isspace():
            pending_space = bool(chars)
            continue
        if pending_space:
            chars.append(" ")
            index.append(i - 1)
            pending_space = False
        chars.append(ch)
        index.append(i)
    return "".join(chars), index


def find_quote_span(text: str, quote: str) -> tuple[int, int] | None:
    """(start, end) of ``quote`` in ``text``, matched as ``quote_in_text`` matches; None if absent."""
    norm_text, index = _normalized_with_map(text)
    norm_quote, _ = _normalized_with_map(quote)
    if not norm_quote:
        return None
    at = norm_text.find(norm_quote)
    if at < 0:
        return None
    return index[at], index[at + len(norm_quote) - 1] + 1


def highlight_article(text: str, marks: Sequence[QuoteMark]) -> tuple[str, list[str]]:
    """The article as HTML with each claim's quote highlighted in its verdict colour.

    Overlapping quotes (a claim quoting part of another's sentence) share one highlight,
    coloured by the first claim, followed by a linked tag per claim. Returns (html, ids of
    claims whose quote was not found). Every piece of text is escaped; the only markup is
    ours (div, mark, a, sup).
    """
    spans: list[tuple[int, int, QuoteMark]] = []
    missing: list[str] = []
    for m in marks:
        span = find_quote_span(text, m.quote)
        if span is None:
            missing.append(m.claim_id)
        else:
            spans.append((span[0], span[1], m))
    spans.sort(key=lambda s: (s[0], -s[1]))
    clusters: list[tuple[int, int, list[QuoteMark]]] = []
    for start, end, m in spans:
        if clusters and start < clusters[-1][1]:
            first, last, members = clusters[-1]
            clusters[-1] = (first, max(last, end), [*members, m])
        else:
            clusters.append((start, end, [m]))
    parts: list[str] = []
    pos = 0
    for start, end, members in clusters:
        parts.append(html.escape(text[pos:start]))
        colour = _colour(members[0].verdict)
        tags = "".join(
            f'<sup><a href="{html.escape(m.href)}" target="_self" style="color:{_colour(m.verdict)};'
            f'font-weight:600;text-decoration:none"> [{html.escape(m.claim_id)}: {html.escape(m.verdict)}]</a></sup>'
            for m in members)
        parts.append(
            f'<mark style="background:{colour}33;border-bottom:3px solid {colour};padding:0 2px" '
            f'title="{html.escape(", ".join(f"{m.claim_id}: {m.verdict}" for m in members))}">'
            f'<a href="{html.escape(members[0].href)}" target="_self" style="color:inherit;text-decoration:none">'
            f"{html.escape(text[start:end])}</a>{tags}</mark>"
        )
        pos = end
    parts.append(html.escape(text[pos:]))
    body = "".join(parts)
    return f'<div class="evidence-article" style="white-space:pre-wrap;line-height:1.6">{body}</div>', missing


def _colour(verdict: str) -> str:
    return VERDICT_COLOURS.get(verdict, VERDICT_COLOURS["insufficient"])


# --- what's new ---------------------------------------------------------------------

def new_studies(changes: pd.DataFrame, titles: pd.DataFrame | None = None) -> pd.DataFrame:
    """Claim-level changes (new studies, revisions, retractions) joined to record titles."""
    if changes.empty:
        return changes
    out = changes.copy()
    if titles is not None and not titles.empty:
        out = out.merge(titles.drop_duplicates("pmid")[["pmid", "title", "year"]], on="pmid", how="left")
    return out.sort_values("at", ascending=False, kind="stable").reset_index(drop=True)


def grade_changes(history: pd.DataFrame, since: str | None) -> pd.DataFrame:
    """Each claim's verdict/strength changes snapshotted at or after ``since`` (ISO; None: all).

    A claim's first snapshot is a change from "(none)". Compares each snapshot to the
    claim's previous one, so a snapshot equal to the one before is not a change.
    """
    cols = ["claim_id", "at", "from_verdict", "from_strength", "verdict", "strength"]
    if history.empty:
        return pd.DataFrame(columns=cols)
    h = history.sort_values("id", kind="stable").copy()
    h["from_verdict"] = h.groupby("claim_id")["verdict"].shift().fillna("(none)")
    h["from_strength"] = h.groupby("claim_id")["strength"].shift().fillna("(none)")
    changed = h[(h["verdict"] != h["from_verdict"]) | (h["strength"] != h["from_strength"])]
    if since:
        changed = changed[changed["at"] >= since]
    return changed[cols].sort_values("at", ascending=False, kind="stable").reset_index(drop=True)
