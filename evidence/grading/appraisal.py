"""What a study says of its own evidence: the certainty it states, the limits it declares.

A review that rates its evidence with GRADE says so ("very-low-certainty evidence", "GRADE
certainty was low", "low-quality evidence"); a study that knows its limits names them
("pilot", "underpowered", "uncontrolled", "too limited for firm conclusions"). The grader
weighs both; here they are only read, never inferred.
"""

from __future__ import annotations

import re

from evidence.models import Record
from evidence.vocabulary import STRENGTHS

__all__ = ["limitations", "stated_certainty"]

_I = re.IGNORECASE
_LEVEL = r"(high|moderate|low|very[- ]low)"
# GRADE's four levels, as reviews word them; "quality of evidence" is the pre-2013 GRADE term.
_CERTAINTY = (
    re.compile(rf"\b{_LEVEL}[- ]certainty\b|\b{_LEVEL}[- ]quality(?=[- ](?:of (?:the )?)?(?:evidence|studies|trials|"
               rf"RCTs|data)\b)", _I),
    re.compile(rf"\b(?:GRADE )?(?:certainty|quality) (?:of (?:the )?evidence )?(?:was|is|were|as|rated|graded|"
               rf"judged)(?: rated| judged| graded)?(?: as)? {_LEVEL}\b", _I),
)
_LIMITS = re.compile(
    r"\bpilot\b|\bunderpowered\b|\bproof[- ]of[- ]concept\b|\bopen[- ]label\b|, uncontrolled\b|"
    r"\buncontrolled (?:[\w-]+ ){0,2}(?:trials?|stud(?:y|ies)|design|series|data|reports?)\b|"
    r"\bno control group\b|\bpreliminary\b|\bhigh risk of bias\b|\b(?:very )?wide confidence intervals?\b|"
    r"\b(?:small|tiny|very small)\s+(?:[\w-]+\s+){0,2}?(?:samples?|stud(?:y|ies)|trials?|RCTs?|reports?|"
    r"crossovers?|cohorts?|series|numbers? of (?:patients|participants))\b|"
    r"\b(?:evidence base|sample(?: size)?|data|evidence) (?:was|were|is|are) (?:very |too )?(?:small|limited|sparse|"
    r"scarce)(?: for firm conclusions)?|\btoo (?:limited|few|small|sparse) (?:for|to)(?: \w+){0,3}? conclusions?\b",
    _I,
)


def stated_certainty(record: Record) -> str | None:
    """The lowest GRADE certainty the abstract states ("very-low", "low", ...), or None."""
    levels = [next(g for g in m.groups() if g).lower().replace(" ", "-")
              for pattern in _CERTAINTY for m in pattern.finditer(record.abstract)]
    return max(levels, key=STRENGTHS.index) if levels else None


def limitations(record: Record) -> tuple[str, ...]:
    """Self-declared limits, each the short phrase the abstract uses, in order, once each."""
    seen: dict[str, str] = {}
    for m in _LIMITS.finditer(f"{record.title}\n{record.abstract}"):
        phrase = " ".join(m.group(0).split())
        seen.setdefault(phrase.lower(), phrase)
    return tuple(seen.values())
