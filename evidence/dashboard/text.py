"""Text, links, colours and times as the dashboard shows them.

Safety: every piece of text that reaches HTML or Markdown (article text, quotes, PubMed
titles and abstracts) goes through ``html.escape`` (and Markdown escaping), so a record
whose title holds ``<script>`` shows as text.
"""

from __future__ import annotations

import html
import re
import shlex
import urllib.parse
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from evidence import sanitize
from evidence.models import doi_url as record_doi_url
from evidence.models import pubmed_url
from evidence.settings import Settings
from evidence.vocabulary import DESIGN_GROUPS, STRENGTHS, VERDICTS

__all__ = [
    "VERDICT_COLOURS", "DIRECTION_COLOURS", "DESIGN_COLOURS", "STALE_AFTER", "STRENGTH_SYMBOLS",
    "VERDICT_MEANINGS", "STRENGTH_MEANINGS", "verdict_style", "verdict_badge", "verdict_badge_html", "legend_html",
    "pubmed_url", "pubmed_search_url", "doi_url", "text_of", "md_escape", "parse_time", "readable_time",
    "staleness", "polarity_words", "run_help", "copy_button_html",
]

# Colours chosen to be told apart by colour-blind readers (Okabe-Ito based) and on white.
VERDICT_COLOURS = {"supported": "#009E73", "mixed": "#E69F00", "contradicted": "#D55E00",
                   "insufficient": "#999999"}
DIRECTION_COLOURS = {"supports": "#009E73", "contradicts": "#D55E00", "mixed": "#E69F00",
                     "unclear": "#999999"}
# Streamlit's coloured-text names for the verdict badge (st.badge / :color[...]).
_BADGE = {"supported": "green", "mixed": "orange", "contradicted": "red", "insufficient": "gray"}
# Study designs: one Okabe-Ito hue per family of designs (vocabulary.DESIGN_GROUPS), darker to
# lighter within a family, so trials, observational studies and opinion never look alike.
_GROUP_SHADES = {
    "syntheses": ("#0072B2", "#56B4E9"),  # blue, sky blue
    "trials": ("#007A59", "#33C49B"),  # bluish green
    "observational": ("#A86F00", "#E69F00", "#F5CD70"),  # orange
    "case reports": ("#A0457A", "#CC79A7"),  # reddish purple
    "guidance and opinion": ("#8F3E00", "#D55E00", "#F0A47A"),  # vermillion
    "laboratory": ("#B8A600", "#F0E442"),  # yellow
    "other": ("#999999",),  # grey
}
DESIGN_COLOURS: dict[str, str] = {design: _GROUP_SHADES[group][i] for group, designs in DESIGN_GROUPS.items()
                                  for i, design in enumerate(designs)}
# GRADE's certainty symbols: the more filled circles, the more certain.
STRENGTH_SYMBOLS = {"high": "⊕⊕⊕⊕", "moderate": "⊕⊕⊕◯", "low": "⊕⊕◯◯", "very-low": "⊕◯◯◯"}
VERDICT_MEANINGS = {
    "supported": "the best studies point the claim's way",
    "mixed": "the best studies disagree",
    "contradicted": "the best studies point the other way",
    "insufficient": "no usable study speaks clearly to the claim",
}
STRENGTH_MEANINGS = {  # GRADE's certainty levels in plain words
    "high": "very confident: further research is very unlikely to change it",
    "moderate": "fairly confident: further research may change it",
    "low": "limited confidence: further research is likely to change it",
    "very-low": "very little confidence: any estimate is very uncertain",
}
# How much of the verdict's colour a badge is filled with: a weak grade must look weak.
_STRENGTH_FILL = {"high": 1.0, "moderate": 0.65, "low": 0.35, "very-low": 0.12}
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


def verdict_style(verdict: str, strength: str = "high") -> str:
    """CSS for a verdict cell in a table: the verdict's colour, as full as the grade's strength."""
    colour = VERDICT_COLOURS.get(verdict, VERDICT_COLOURS["insufficient"])
    fill = _STRENGTH_FILL.get(strength, _STRENGTH_FILL["very-low"])
    return f"background-color: {colour}{round(fill * 255):02X}; color: #1f1f1f; font-weight: 600"


def verdict_badge(verdict: str) -> tuple[str, str]:
    """(label, Streamlit colour name) for a verdict."""
    return verdict, _BADGE.get(verdict, "gray")


def verdict_badge_html(verdict: str, strength: str, *, small: bool = False, title: str = "", label: str = "") -> str:
    """A verdict badge whose colour carries the strength: solid for high, pale and dashed for very-low.

    Made from the vocabularies, ``title`` and ``label`` (both escaped) only, for
    ``st.markdown(unsafe_allow_html=True)``.
    """
    colour = VERDICT_COLOURS.get(verdict, VERDICT_COLOURS["insufficient"])
    fill = _STRENGTH_FILL.get(strength, _STRENGTH_FILL["very-low"])
    border = "solid" if fill >= 0.35 else "dashed"
    label = label or f"{verdict} · {STRENGTH_SYMBOLS.get(strength, '')} {strength.replace('-', ' ')}"
    tip = title or f"{verdict}: {VERDICT_MEANINGS.get(verdict, '')}; {strength}: {STRENGTH_MEANINGS.get(strength, '')}"
    size = "font-size:.8rem;padding:0 .4rem" if small else "font-size:1rem;padding:.15rem .7rem"
    return (f'<span class="evidence-badge" data-verdict="{html.escape(verdict)}" '
            f'data-strength="{html.escape(strength)}" title="{html.escape(tip)}" '
            f"style=\"background:{colour}{round(fill * 255):02X};border:2px {border} {colour};color:#1f1f1f;"
            f'border-radius:.6rem;font-weight:600;white-space:nowrap;{size}">{html.escape(label)}</span>')


def legend_html(part: str = "both") -> str:
    """The key to verdicts (the colour) and strengths (how full the colour is), from the vocabularies.

    ``part``: "verdict", "strength" or "both" (side by side).
    """
    style = 'style="list-style:none;padding-left:0;margin:.2rem 0 0 0;line-height:1.9;font-size:.85rem"'
    verdicts = "".join(f"<li>{verdict_badge_html(v, 'high', small=True, label=v)} "
                       f"{html.escape(VERDICT_MEANINGS[v])}</li>" for v in VERDICTS)
    strengths = "".join(f"<li>{verdict_badge_html('supported', s, small=True)} "
                        f"{html.escape(STRENGTH_MEANINGS[s])}</li>" for s in STRENGTHS)
    blocks = {
        "verdict": f'<div class="evidence-legend-verdict"><strong>Verdict</strong> (the colour): what the best '
                   f"studies say<ul {style}>{verdicts}</ul></div>",
        "strength": f'<div class="evidence-legend-strength"><strong>Strength</strong> (how full the colour is): '
                    f"GRADE certainty<ul {style}>{strengths}</ul></div>",
    }
    if part in blocks:
        return blocks[part]
    return f'<div class="evidence-legend">{blocks["verdict"]}{blocks["strength"]}</div>'


def polarity_words(polarity: str, outcome: str | None = None) -> str:
    """What a claim asserts, in plain words, so a reader knows which findings support it."""
    what = outcome or "the outcome"
    words = {
        "effect": "it asserts an effect: studies that find the effect support it",
        "no-effect": "it asserts no effect or no harm: studies that find none support it",
        "increase": f"it asserts an increase in {what}: studies that find a rise support it",
        "decrease": f"it asserts a decrease in {what}: studies that find a fall support it",
    }
    return words.get(polarity, f"polarity {polarity}")


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 timestamp from the cache as an aware UTC datetime (None when absent or bad)."""
    if not value:
        return None
    try:
        t = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def readable_time(value: Any, tz: str | None = None, now: datetime | None = None) -> str:
    """A cache timestamp as a reader's local time: "24 Nov 2026, 02:58 CET (3 days ago)".

    ``tz`` is the reader's time zone (the browser's, ``st.context.timezone``); unknown or absent,
    the machine's local zone. With ``now``, how long ago it was.
    """
    t = parse_time(value)
    if t is None:
        return text_of(value) or "never"
    try:
        local = t.astimezone(ZoneInfo(tz)) if tz else t.astimezone()
    except (ZoneInfoNotFoundError, ValueError):
        local = t.astimezone()
    text = f"{local.day} {local:%b %Y, %H:%M} {local.tzname() or ''}".rstrip()
    if now is None:
        return text
    seconds = (now - t).total_seconds()
    if seconds < 60:
        ago = "just now"
    elif seconds < 3600:
        ago = f"{int(seconds // 60)} min ago"
    elif seconds < 86400:
        hours = int(seconds // 3600)
        ago = f"{hours} hour{'s' if hours != 1 else ''} ago"
    else:
        days = int(seconds // 86400)
        ago = f"{days} day{'s' if days != 1 else ''} ago"
    return f"{text} ({ago})"


def run_help(settings: Settings) -> str:
    """What to run to fill the cache the dashboard reads: the settings in effect, spelled out."""
    env = ""
    if settings.queries != Path("queries.yaml"):
        env += f"EVIDENCE_QUERIES={shlex.quote(str(settings.queries))} "
    if settings.cache != Path("cache/evidence.sqlite"):
        env += f"EVIDENCE_CACHE={shlex.quote(str(settings.cache))} "
    return (f"{env}evidence check      # validate the claims registry\n"
            f"{env}evidence refresh    # fetch the studies into {settings.cache}\n"
            f"{env}streamlit run app.py")


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


def copy_button_html(text: str, label: str, key: str) -> str:
    """A visible button that copies ``text`` (held escaped in a hidden textarea) to the clipboard.

    For ``st.html(..., unsafe_allow_javascript=True)``: the only script is ours, which binds the
    button (Streamlit's sanitiser drops inline handlers); ``text`` (citations with PubMed titles)
    is escaped and never becomes markup.
    """
    ident = "evidence-copy-" + re.sub(r"[^A-Za-z0-9_-]", "-", key)
    script = (
        "(() => { const b = document.querySelector('button[data-copies=\"" + ident + "\"]');"
        " if (!b || b.dataset.bound) return; b.dataset.bound = '1';"
        " b.addEventListener('click', () => navigator.clipboard.writeText("
        "document.getElementById('" + ident + "').value).then("
        "() => { b.textContent = 'Copied ✓'; }, () => { b.textContent = 'Copy failed: select the text and copy'; }));"
        " })();"
    )
    return (f'<div class="evidence-copy"><textarea id="{ident}" readonly hidden>{html.escape(text)}</textarea>'
            f'<button type="button" data-copies="{ident}" '
            f'style="border:1px solid #888;border-radius:.5rem;background:#fff;padding:.35rem .9rem;'
            f'font-weight:600;cursor:pointer">{html.escape(label)}</button></div><script>{script}</script>')
