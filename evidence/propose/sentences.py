"""An article's text cut into units a claim can quote: sentences, headings, list items, clauses.

Every unit keeps its character span in the text, so a quote is always the article's own
words (``text[start:end]``), never a rewritten copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Unit", "split_units", "split_clauses", "list_items", "trim_span"]

# A line that starts like a list item: "- x", "* x", "• x", "1. x", "2) x".
_ITEM = re.compile(r"^\s*(?:[-*•‣▪]|\d{1,2}[.)])\s+")
# Abbreviations after which a full stop does not end the sentence.
_ABBREVIATIONS = frozenset({
    "e.g", "i.e", "etc", "vs", "dr", "mr", "mrs", "ms", "prof", "approx", "fig", "no", "st", "inc", "ltd",
    "jr", "sr", "al", "ca", "cf", "u.s", "u.k", "mg", "min", "hr", "hrs", "wk", "wks", "yr", "yrs",
    # months, as news datelines write them ("MONDAY, Feb. 15, 2016", "published online Feb. 15")
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
})
_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+|$)")


@dataclass(frozen=True)
class Unit:
    start: int
    end: int
    text: str
    role: str  # "sentence", "heading", "item" (a list item), "intro" (a sentence ending in ":" before items)
    paragraph: int  # index of the line it comes from
    items: tuple[Unit, ...] = ()  # an intro's list items


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) past surrounding whitespace and stray separators, keeping closing punctuation."""
    while start < end and (text[start].isspace() or text[start] in ",;:–—-"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;–—-"):
        end -= 1
    return start, end


def _sentences(line: str, offset: int) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in _END.finditer(line):
        before = line[start:m.start()].rsplit(None, 1)
        word = before[-1].lower().lstrip("(\"'“") if before else ""
        if m.group().startswith(".") and (word in _ABBREVIATIONS or re.fullmatch(r"[a-z]", word)):
            continue
        rest = line[m.end():].lstrip()
        if rest and not (rest[0].isupper() or rest[0].isdigit() or rest[0] in "\"'“‘("):
            continue  # "... 2 p.m. today": a lower-case word goes on with the same sentence
        out.append((start, m.end()))
        start = m.end()
    if line[start:].strip():
        out.append((start, len(line)))
    spans = []
    for s, e in out:
        s2, e2 = trim_span(line, s, e)
        if e2 > s2:
            spans.append((offset + s2, offset + e2))
    return spans


def _heading(line: str) -> bool:
    """A short line without the full stop a sentence ends with ("What Is Ketamine?" counts too)."""
    stripped = line.strip()
    words = stripped.split()
    if not words or len(words) > 14:
        return False
    if stripped.endswith("?") and len(words) <= 8 and sum(w[:1].isupper() for w in words) >= len(words) / 2:
        return True
    return not stripped.endswith((".", "!", "?", ":", ";", ",", '"', "”"))


def split_units(text: str) -> list[Unit]:
    """Sentences, headings and list items in reading order; a sentence ending in ':' owns the items after it."""
    units: list[Unit] = []
    pos = 0
    lines = text.split("\n")
    for index, line in enumerate(lines):
        start = pos
        pos += len(line) + 1
        if not line.strip():
            continue
        item = _ITEM.match(line)
        if item:
            # "1. Improved circulation: Cold water causes ... . This process ...": sentences of their own
            body = _sentences(text[start + item.end():start + len(line)], start + item.end())
            role = "item" if len(body) == 1 else "sentence"
            units += [Unit(s, e, text[s:e], role, index) for s, e in body]
            continue
        if _heading(line):
            s, e = trim_span(text, start, start + len(line))
            units.append(Unit(s, e, text[s:e], "heading", index))
            continue
        for s, e in _sentences(line, start):
            units.append(Unit(s, e, text[s:e], "sentence", index))
    return _attach_items(units)


def _attach_items(units: list[Unit]) -> list[Unit]:
    out: list[Unit] = []
    i = 0
    while i < len(units):
        unit = units[i]
        if unit.role == "sentence" and unit.text.endswith(":"):
            j = i + 1
            while j < len(units) and units[j].role == "item":
                j += 1
            if j > i + 1:
                out.append(Unit(unit.start, unit.end, unit.text, "intro", unit.paragraph, tuple(units[i + 1:j])))
                i = j
                continue
        out.append(unit)
        i += 1
    return out


# Boundaries between two assertions in one sentence. The contrast words come first: what
# follows "but" or "although" is asserted on its own; a leading "While X," is a concession.
_CLAUSE_BREAKS = re.compile(
    r",\s+(?=(?:but|although|though|whereas|yet|which is why)\s)|;\s+|:\s+(?=[A-Z])"
    r"|,\s+and\s+(?=(?:it|they|this|these)\s)"
)
_CONCESSION = re.compile(r"^(?:while|although|though|even though|whereas|despite)\b", re.I)
# A comma that opens an aside ("treatments, such as SSRIs, can ..."): neither it nor the comma
# that closes the aside ends a leading concession.
_ASIDE = re.compile(r"\s*(?:such as|including|like|e\.g\.|for example|which|who)\b", re.I)
# "While ... in anxiety, constipation, diarrhea or pain, people ...": after a comma, a short item followed
# by another comma or by "and"/"or" continues a list; the concession ends after the list.
_LIST_GOES_ON = re.compile(r"\s*(?:[\w'’\-]+\s+){0,2}[\w'’\-]+(?:,|\s+(?:and|or)\s)")


def _concession_end(piece: str) -> int | None:
    """Where a leading "While X," ends (just after its comma), or None."""
    if not _CONCESSION.match(piece):
        return None
    aside = False
    for m in re.finditer(r",", piece):
        if _ASIDE.match(piece, m.end()):
            aside = True
        elif aside:
            aside = False
        elif m.start() >= 8 and not _LIST_GOES_ON.match(piece, m.end()):
            return m.end()
    return None


def split_clauses(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """[(start, end, conceded)]: the clauses of text[start:end]; ``conceded`` marks a leading "While X," part."""
    piece = text[start:end]
    out: list[tuple[int, int, bool]] = []
    offset = 0
    concession = _concession_end(piece)
    if concession is not None:
        out.append((start, start + concession, True))
        offset = concession
    cut = offset
    for m in _CLAUSE_BREAKS.finditer(piece, offset):
        out.append((start + cut, start + m.start(), False))
        cut = m.end()
    out.append((start + cut, end, False))
    trimmed = []
    for s, e, conceded in out:
        s2, e2 = trim_span(text, s, e)
        if e2 > s2:
            trimmed.append((s2, e2, conceded))
    return trimmed


_LIST_SPLIT = re.compile(r",\s+(?:and\s+|or\s+)?|\s+(?:and|or)\s+")


def list_items(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The parts of an enumeration "A, B, and C" / "A, B or C" inside text[start:end]."""
    piece = text[start:end]
    items, cut = [], 0
    for m in _LIST_SPLIT.finditer(piece):
        items.append((start + cut, start + m.start()))
        cut = m.end()
    items.append((start + cut, end))
    return [trim_span(text, s, e) for s, e in items if text[s:e].strip()]
