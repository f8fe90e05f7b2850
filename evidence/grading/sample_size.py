"""How many people a study had, read from its abstract, with the words it was read from.

Counted: participants, never trials, studies, reports or infusions (a review's n is its pooled
participants). Groups named together ("17 patients and 18 healthy volunteers", "20 users
compared with 20 controls") are summed. Rules in order: an explicit total ("a total of N
patients", "N patients were randomised"), summed groups, "n = N" (the largest), "N <people>"
(the largest), "x of N responded", then the same with number words ("Twenty-four patients").
"""

from __future__ import annotations

import re

from evidence.models import Record

__all__ = ["sample_size"]

_I = re.IGNORECASE
_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i > 1}
_DIGITS = r"\d{1,3}(?:[,\u2009 ]\d{3})+|\d+"
_WORD = (rf"(?:{'|'.join(_TENS)})(?:[- ](?:{'|'.join(list(_WORDS)[1:10])}))?|"
         rf"(?:{'|'.join(list(_WORDS)[2:])})")
_NUM = rf"({_DIGITS}|{_WORD})"
# Up to three describing words before the people ("47 depressed patients", "13 neuroleptic-free
# schizophrenia patients"), never a study noun or a number.
_MODIFIERS = r"(?:(?!(?:trials|studies|RCTs?|reports?|articles|infusions|doses|with|of|in|and|or|from)\b)" \
             r"[A-Za-z][\w/+-]* ){0,3}?"
_HEADS = (r"(?:patients|participants|subjects|volunteers|women|men|adults|children|infants|individuals|persons|"
          r"people|cases|neonates|adolescents|pregnancies|mothers|students|smokers|veterans|users|inpatients|"
          r"outpatients|respondents|twins|recipients|survivors)")
_PEOPLE = rf"{_MODIFIERS}{_HEADS}"
_N_TOTAL = re.compile(
    rf"(?:a total of|total of|overall,?|in total,?|altogether,?|including|included|enrolled|recruited|"
    rf"randomi[sz]ed)\s+{_NUM}\s+{_PEOPLE}"
    rf"|{_NUM}\s+{_PEOPLE}\s+(?:were|was|had been)\s+(?:randomi[sz]ed|randomly|enrolled|included|recruited|studied|"
    rf"analy[sz]ed|evaluated|assessed|followed)",
    _I,
)
# Two groups in one phrase: "17 patients and 18 healthy volunteers", "747 adults under 65 and
# 137 aged 65+", "Twenty users ... compared with 20 polydrug controls".
_GROUPS = re.compile(
    rf"\b{_NUM}\s+{_PEOPLE}\b(?:[^.;]{{0,130}}?\b(?:compared with|versus|vs\.?|than)|(?: [\w+<>()/-]+){{0,3}}? and)"
    rf"\s+{_NUM}\s+(?:{_MODIFIERS}(?:{_HEADS}|controls)\b|aged\b)",
    _I,
)
_N_EQ = re.compile(rf"\b[nN]\s*=\s*({_DIGITS})")
_N_BARE = re.compile(rf"\b({_DIGITS})\s+{_PEOPLE}\b(?!-years)", _I)
_N_OF = re.compile(rf"\b\d+ of ({_DIGITS}) (?:{_PEOPLE} )?(?:responded|reported|remitted|improved|completed|had|"
                   r"showed|were|developed)\b", _I)
_N_WORD = re.compile(rf"\b({_WORD})\s+{_PEOPLE}\b", _I)


def _to_int(s: str) -> int | None:
    if s[0].isdigit():
        return int(re.sub(r"[,\u2009 ]", "", s))
    total = 0
    for p in re.split(r"[- ]", s.lower()):
        if p in _TENS:
            total += _TENS[p]
        elif p in _WORDS:
            total += _WORDS[p]
        else:
            return None
    return total or None


def _plausible(value: int) -> bool:
    return 0 < value < 10_000_000 and not 1900 <= value <= 2100


def _quote(m: re.Match[str]) -> str:
    return m.group(0).strip()


def sample_size(record: Record) -> tuple[int | None, str]:
    """Number of participants and the words it was read from, or None and why not."""
    text = record.abstract
    if not text:
        return None, "no abstract"
    for m in _N_TOTAL.finditer(text):
        value = _to_int(next(g for g in m.groups() if g))
        if value is not None and _plausible(value):
            return value, f'abstract says "{_quote(m)}"'
    for m in _GROUPS.finditer(text):
        first, second = _to_int(m.group(1)), _to_int(m.group(2))
        if first is not None and second is not None and _plausible(first) and _plausible(second):
            return first + second, f'abstract says "{_quote(m)}" (the groups summed)'
    for pattern in (_N_EQ, _N_BARE, _N_OF, _N_WORD):
        found: list[tuple[int, re.Match[str]]] = []
        for m in pattern.finditer(text):
            value = _to_int(m.group(1))
            if value is not None and _plausible(value):
                found.append((value, m))
        if found:
            value, m = max(found, key=lambda x: x[0])
            extra = " (the largest n stated)" if pattern is _N_EQ and len(found) > 1 else ""
            return value, f'abstract says "{_quote(m)}"{extra}'
    return None, "the abstract states no number of participants"
