"""The article view: each claim's quote found in the article text and highlighted by verdict."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from evidence.dashboard.text import VERDICT_COLOURS, verdict_badge_html
from evidence.registry import QUOTE_MAP

__all__ = ["QuoteMark", "article_blocks", "find_quote_span", "highlight_article"]


@dataclass(frozen=True)
class QuoteMark:
    claim_id: str
    quote: str
    verdict: str
    href: str  # where the highlight links (the claim page)
    statement: str = ""  # shown when the pointer rests on the claim's tag
    strength: str = ""


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


_MD_HEADING = re.compile(r"^(#{1,6})\s+(\S.*?)\s*$")
_BULLET = re.compile(r"^\s*[-*\u2022]\s+")


def _title_line(line: str) -> bool:
    """A short line in Title Case without closing punctuation: a heading of a plain-text article."""
    words = line.split()
    if not words or len(words) > 12 or len(line) > 90 or line.rstrip()[-1] in ".,;:!\"'\u201d\u2019)":
        return False
    content = [w for w in words if len(w.strip("()&\u2013-")) >= 4]
    return bool(content) and all(w.strip("(\"\u201c")[:1].isupper() or w[:1].isdigit() for w in content)


def article_blocks(text: str) -> list[tuple[str, int, int, int]]:
    """The article as blocks (kind, start, end, level): "heading" (Markdown ``#`` lines, or short
    Title Case lines), "item" (``-`` bullets) and "para"; offsets are the content's span in ``text``.

    A plain-text heading followed directly by another heading is a section (level 2), else a
    subsection (level 3).
    """
    lines = []
    pos = 0
    for raw in text.split("\n"):
        lines.append((pos, pos + len(raw), raw))
        pos += len(raw) + 1
    kinds: list[tuple[str, int, int, int]] = []
    for start, end, raw in lines:
        if not raw.strip():
            continue
        lead = len(raw) - len(raw.lstrip())
        m, bullet = _MD_HEADING.match(raw), _BULLET.match(raw)
        if m:
            kinds.append(("heading", start + m.start(2), start + m.end(2), min(6, len(m.group(1)) + 1)))
        elif bullet:
            kinds.append(("item", start + bullet.end(), end, 0))
        elif _title_line(raw):
            kinds.append(("heading", start + lead, start + len(raw.rstrip()), 0))
        else:
            kinds.append(("para", start + lead, end, 0))
    out = []
    for i, (kind, start, end, level) in enumerate(kinds):
        if kind == "heading" and level == 0:
            following = kinds[i + 1][0] if i + 1 < len(kinds) else ""
            level = 2 if following == "heading" else 3
        out.append((kind, start, end, level))
    return out


def _tag(m: QuoteMark) -> str:
    tip = f"{m.claim_id}: {m.statement}" if m.statement else m.claim_id
    tip += f" ({m.verdict}{', ' + m.strength if m.strength else ''})"
    badge = verdict_badge_html(m.verdict, m.strength or "very-low", small=True, title=tip,
                               label=f"{m.claim_id}: {m.verdict}")
    return (f'<sup class="evidence-tag"><a href="{html.escape(m.href)}" target="_self" title="{html.escape(tip)}" '
            f'style="text-decoration:none;margin-left:2px">{badge}</a></sup>')


def highlight_article(text: str, marks: Sequence[QuoteMark]) -> tuple[str, list[str]]:
    """The article as HTML with each claim's quote highlighted in its verdict colour.

    Headings render as headings and bullets as a list (``article_blocks``). Overlapping quotes
    (a claim quoting part of another's sentence) share one highlight, coloured by the first
    claim, followed by a linked tag per claim: the tag shows the claim's id and verdict, its
    colour as full as the grade's strength, and the claim's statement on hover. Returns (html,
    ids of claims whose quote was not found). Every piece of text is escaped; the only markup
    is ours (div, h2-h6, p, ul, li, mark, a, sup, span).
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

    def render(a: int, b: int) -> str:
        """Text [a, b) escaped, with the parts of highlights that fall in it."""
        parts, pos = [], a
        for start, end, members in clusters:
            lo, hi = max(start, a), min(end, b)
            if lo >= hi:
                continue
            parts.append(html.escape(text[pos:lo]))
            colour = _colour(members[0].verdict)
            tags = "".join(_tag(m) for m in members) if end <= b else ""
            parts.append(
                f'<mark style="background:{colour}33;border-bottom:3px solid {colour};padding:0 2px" '
                f'title="{html.escape("; ".join(f"{m.claim_id}: {m.statement or m.verdict}" for m in members))}">'
                f'<a href="{html.escape(members[0].href)}" target="_self" style="color:inherit;text-decoration:none">'
                f"{html.escape(text[lo:hi])}</a>{tags}</mark>"
            )
            pos = hi
        parts.append(html.escape(text[pos:b]))
        return "".join(parts)

    out: list[str] = []
    in_list = False
    for kind, start, end, level in article_blocks(text):
        if kind != "item" and in_list:
            out.append("</ul>")
            in_list = False
        if kind == "heading":
            out.append(f'<h{level} style="margin:1.2rem 0 .4rem">{render(start, end)}</h{level}>')
        elif kind == "item":
            if not in_list:
                out.append('<ul style="margin:0 0 .8rem">')
                in_list = True
            out.append(f"<li>{render(start, end)}</li>")
        else:
            out.append(f'<p style="margin:0 0 .8rem">{render(start, end)}</p>')
    if in_list:
        out.append("</ul>")
    return f'<div class="evidence-article" style="line-height:1.6">{"".join(out)}</div>', missing
def _colour(verdict: str) -> str:
    return VERDICT_COLOURS.get(verdict, VERDICT_COLOURS["insufficient"])
