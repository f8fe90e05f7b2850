"""The article view: each claim's quote found in the article text and highlighted by verdict."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from evidence.dashboard.text import VERDICT_COLOURS
from evidence.registry import QUOTE_MAP

__all__ = ["QuoteMark", "find_quote_span", "highlight_article"]


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
    for i, ch in enumerate(text.translate(QUOTE_MAP)):
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
