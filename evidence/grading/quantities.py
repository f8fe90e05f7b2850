"""Numbers in a study's text compared with the numbers a claim asserts.

A claim such as "up to about 70% of patients respond within hours or days" asserts a
proportion and an onset; "improvement lasts weeks to months" a duration. A study that
reports "48% responded" speaks to the first; "half had relapsed by day 14" to the last.
This module finds such figures (with the words they qualify, skipping the comparator arm's
figure) and says how each compares: "as-claimed", "smaller" or "larger". Pure functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from evidence.grading.lexicon import COMPARATOR
from evidence.models import Quantity

__all__ = ["Figure", "proportions", "times", "compare_proportion", "compare_time", "to_hours", "HOURS"]

_I = re.IGNORECASE
HOURS = {"minutes": 1 / 60, "hours": 1.0, "days": 24.0, "weeks": 168.0, "months": 730.0, "years": 8760.0}
_UNIT = {"min": "minutes", "mins": "minutes", "minute": "minutes", "minutes": "minutes", "h": "hours", "hr": "hours",
         "hrs": "hours", "hour": "hours", "hours": "hours", "d": "days", "day": "days", "days": "days",
         "wk": "weeks", "wks": "weeks", "week": "weeks", "weeks": "weeks", "month": "months", "months": "months",
         "mo": "months", "year": "years", "years": "years", "yr": "years", "yrs": "years"}
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "twelve": 12, "a": 1, "an": 1, "a few": 3, "several": 3, "few": 3}
_FRACTIONS = {"half": 50.0, "a half": 50.0, "one half": 50.0, "a third": 33.3, "one third": 33.3, "one-third": 33.3,
              "a quarter": 25.0, "one quarter": 25.0, "one-quarter": 25.0, "two thirds": 66.7, "two-thirds": 66.7,
              "three quarters": 75.0, "three-quarters": 75.0, "most": 60.0, "majority": 60.0}


@dataclass(frozen=True)
class Figure:
    """One figure found in the text: its value (percent, or hours for times) and the words around it."""

    value: float
    text: str  # the figure as written, for the reason
    context: str  # the words it qualifies
    comparator: bool  # the figure belongs to the comparator arm ("28% with midazolam")


_PERCENT = re.compile(r"(\d{1,3}(?:\.\d+)?)\s?(?:%|percent\b|per cent\b)", _I)
_FRACTION = re.compile(r"\b(?:roughly |about |nearly |almost |around |over |more than |less than )?"
                       r"(" + "|".join(sorted(map(re.escape, _FRACTIONS), key=len, reverse=True)) + r")\b", _I)
_TIME = re.compile(
    r"\b(\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|a few|several|an|a)"
    r"(?:\s?(?:-|to|–)\s?(\d+(?:\.\d+)?))?\s?-?(min|mins|minutes?|h|hr|hrs|hours?|d|days?|wks?|weeks?|mo|months?|"
    r"yrs?|years?)\b", _I)
_DAY_N = re.compile(r"\b(day|week|month)\s(\d+(?:\.\d+)?)\b", _I)
# Spans without a number: "within hours", "in minutes", "over weeks" (a typical value of the unit).
_VAGUE = re.compile(r"\b(?:within|in|after|over|for|take|takes|taking|lasting)\s+(?:a\s+few\s+)?"
                    r"(minutes|hours|days|weeks|months)\b", _I)
_VAGUE_HOURS = {"minutes": 0.5, "hours": 6.0, "days": 72.0, "weeks": 336.0, "months": 1460.0}


_ANY_FIGURE = re.compile(r"\d{1,3}(?:\.\d+)?\s?(?:%|percent\b|per cent\b)", _I)


def _window(text: str, start: int, end: int, before: int = 60, after: int = 90) -> str:
    """The words a figure qualifies: back to the previous figure or clause, on to the next figure."""
    previous = [m.end() for m in _ANY_FIGURE.finditer(text, 0, start)]
    lo = max(0, text.rfind(";", 0, start) + 1, start - before, previous[-1] if previous else 0)
    following = _ANY_FIGURE.search(text, end)
    stops = [i for i in (text.find(";", end), text.find(". ", end), following.start() if following else -1) if i >= 0]
    return text[lo:min(min(stops, default=len(text)), end + after)]


def _is_comparator(text: str, start: int, end: int) -> bool:
    """A figure followed (or just preceded) by the comparator arm's name belongs to that arm."""
    after = text[end:end + 30]
    before = text[max(0, start - 25):start]
    if COMPARATOR.search(after.split(",")[0].split(";")[0]) and not re.search(r"\bvs\.?\b|\bversus\b", after[:4], _I):
        return True
    return bool(re.search(r"(?:vs\.?|versus|compared with|than|on|with)\s+(?:\w+\s+){0,2}$", before, _I)
                and COMPARATOR.search(before))


def proportions(text: str) -> list[Figure]:
    """Percentages and spoken fractions ("roughly half", "a third"), each with its context."""
    out: list[Figure] = []
    for m in _PERCENT.finditer(text):
        value = float(m.group(1))
        if value > 100:
            continue
        comparator = _is_comparator(text, m.start(), m.end())
        out.append(Figure(value, m.group(0), _window(text, m.start(), m.end()), comparator))
    for m in _FRACTION.finditer(text):
        value = _FRACTIONS[m.group(1).lower()]
        out.append(Figure(value, m.group(0).strip(), _window(text, m.start(), m.end()),
                          _is_comparator(text, m.start(), m.end())))
    return out


def to_hours(value: float, unit: str) -> float:
    return value * HOURS[unit]


def times(text: str) -> list[Figure]:
    """Time spans ("within 2 hours", "by day 14", "over 12 weeks"), in hours, each with its context."""
    out: list[Figure] = []
    for m in _TIME.finditer(text):
        raw = m.group(1).lower()
        number = _WORD_NUMBERS.get(raw)
        value = float(m.group(2) or raw) if number is None else float(number)
        unit = _UNIT.get(m.group(3).lower().rstrip("s"), _UNIT.get(m.group(3).lower()))
        if unit is None or (m.group(3).lower() in ("h", "d") and number is not None):
            continue
        out.append(Figure(to_hours(value, unit), m.group(0), _window(text, m.start(), m.end()), False))
    for m in _DAY_N.finditer(text):
        unit = {"day": "days", "week": "weeks", "month": "months"}[m.group(1).lower()]
        out.append(Figure(to_hours(float(m.group(2)), unit), m.group(0), _window(text, m.start(), m.end()), False))
    for m in _VAGUE.finditer(text):
        out.append(Figure(_VAGUE_HOURS[m.group(1).lower()], m.group(0), _window(text, m.start(), m.end()), False))
    return out


def _about(figure_context: str, of: str) -> bool:
    """The figure's context names what the claim counts ("response", "non-response", "improvement")."""
    if not of:
        return True
    stems = [w[:6] for w in re.findall(r"[a-z]{4,}", of.lower())]
    context = figure_context.lower()
    return any(s in context for s in stems)


_NEGATED_OF = re.compile(r"\bnon[- ]?|\bnot\b|\bfail|\bresistan|\bunrespons", _I)


def compare_proportion(quantity: Quantity, text: str) -> tuple[str, Figure] | None:
    """How the study's figure for what the claim counts compares with the claim's proportion.

    "as-claimed" within 10% of the claimed value (or on the claimed side of an up-to / at-least
    / at-most bound), "smaller" or "larger" otherwise. A claim about non-response ("a third do
    not respond") is compared with 100 minus a reported response or remission rate when the
    study gives only those. None when the text reports no figure for it.
    """
    figures = [f for f in proportions(text) if not f.comparator]
    negated = bool(_NEGATED_OF.search(quantity.of))
    chosen: Figure | None = None
    value = 0.0
    for f in figures:
        if _about(f.context, quantity.of):
            chosen, value = f, f.value
            break
    if chosen is None and negated:
        for f in figures:
            if re.search(r"respon|remi[st]|improv", f.context, _I):
                chosen, value = f, 100.0 - f.value
                break
    if chosen is None:
        return None
    position = _position(quantity, value)
    close = value >= quantity.value * 0.85 and quantity.bound in ("up-to", "about")
    if (position == "as-claimed" and _explicitly_below(quantity, text)) or (position == "smaller" and close):
        position = "close"  # below the claimed figure, but near it
    return position, chosen


def _explicitly_below(quantity: Quantity, text: str) -> bool:
    """The study itself says its figure is below the claimed one ("but below 70%", "not 70%")."""
    value = f"{quantity.value:g}"
    below = r"\b(?:below|under|short of|less than|not|lower than)\s+(?:the\s+)?(?:claimed\s+)?"
    return bool(re.search(below + rf"{value}\s?%", text, _I))


def _position(quantity: Quantity, value: float) -> str:
    claimed, top = quantity.value, quantity.value_to
    if quantity.bound == "between" and top is not None:
        return "as-claimed" if claimed * 0.9 <= value <= top * 1.1 else ("smaller" if value < claimed else "larger")
    if quantity.bound in ("up-to", "at-most", "within"):
        return "as-claimed" if value >= claimed * 0.9 and (quantity.bound == "up-to" or value <= claimed * 1.1) \
            else ("smaller" if value < claimed else "larger")
    if quantity.bound == "at-least":
        return "as-claimed" if value >= claimed * 0.9 else "smaller"
    return "as-claimed" if abs(value - claimed) <= 0.1 * claimed else ("smaller" if value < claimed else "larger")


def compare_time(quantity: Quantity, figure_hours: float) -> str:
    """"as-claimed", "smaller" (sooner/shorter) or "larger" (later/longer) for a time quantity."""
    claimed = to_hours(quantity.value, quantity.unit)
    if quantity.bound == "between" and quantity.value_to is not None:
        top = to_hours(quantity.value_to, quantity.unit)
        return "as-claimed" if claimed * 0.9 <= figure_hours <= top * 1.1 else (
            "smaller" if figure_hours < claimed else "larger")
    if quantity.bound in ("within", "up-to", "at-most"):
        return "as-claimed" if figure_hours <= claimed * 1.1 else "larger"
    if quantity.bound == "at-least":
        return "as-claimed" if figure_hours >= claimed * 0.9 else "smaller"
    return "as-claimed" if abs(figure_hours - claimed) <= 0.25 * claimed else (
        "smaller" if figure_hours < claimed else "larger")
