"""Text, links, colours and times as the dashboard shows them.

Safety: every piece of text that reaches HTML or Markdown (article text, quotes, PubMed
titles and abstracts) goes through ``html.escape`` (and Markdown escaping), so a record
whose title holds ``<script>`` shows as text.
"""

from __future__ import annotations

import urllib.parse
from datetime import datetime, timedelta, timezone
from typing import Any

import pandas as pd

from evidence import sanitize
from evidence.models import doi_url as record_doi_url
from evidence.models import pubmed_url

__all__ = [
    "VERDICT_COLOURS", "DIRECTION_COLOURS", "STALE_AFTER", "verdict_style", "verdict_badge", "pubmed_url",
    "pubmed_search_url", "doi_url", "text_of", "md_escape", "parse_time", "staleness",
]

# Colours chosen to be told apart by colour-blind readers (Okabe-Ito based) and on white.
VERDICT_COLOURS = {"supported": "#009E73", "mixed": "#E69F00", "contradicted": "#D55E00",
                   "insufficient": "#999999"}
DIRECTION_COLOURS = {"supports": "#009E73", "contradicts": "#D55E00", "mixed": "#E69F00",
                     "unclear": "#999999"}
# Streamlit's coloured-text names for the verdict badge (st.badge / :color[...]).
_BADGE = {"supported": "green", "mixed": "orange", "contradicted": "red", "insufficient": "gray"}
STALE_AFTER = timedelta(days=7)


def pubmed_search_url(term: str) -> str:
    """The same search on the PubMed website, so a reader can check what we searched."""
    return "https://pubmed.ncbi.nlm.nih.gov/?term=" + urllib.parse.quote_plus(term)


def doi_url(doi: Any) -> str | None:
    """The DOI link of a frame cell (None and NaN mean no DOI)."""
    return record_doi_url(text_of(doi))


def text_of(value: Any) -> str:
    """A frame cell as text: "" for None and NaN (pandas' missing values), else ``str(value)``."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def md_escape(value: Any) -> str:
    """A frame cell made inert for ``st.markdown`` (the one rule: ``evidence.sanitize.md_escape``)."""
    return sanitize.md_escape(text_of(value))


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
