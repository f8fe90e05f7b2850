"""Judge free-text (claim, text) pairs with the very judge the refresh uses.

``evidence judge PAIRS.jsonl`` and ``bench/judgement.py`` come through here, so anyone can test
the direction judge on their own pairs and get what a refresh would say of a study whose
conclusion were that text. A pair becomes an ad-hoc ``Claim`` (``claim_from_text``) and a
``Record`` whose abstract is the text, labelled CONCLUSIONS so the judge reads all of it; then
``judge_direction`` decides, off-topic gate included.

``parse_pairs`` reads the JSON-lines format, one object a line::

    {"id": "p1", "claim": "Ketamine reduces suicidal ideation.", "text": "...", "polarity": "decrease"}

and reports the first bad line as ``FILE:LINE: what is wrong`` (a ``ConfigError``, exit code 2).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from evidence.errors import ConfigError
from evidence.grading.direction import Direction, infer_polarity, judge_direction
from evidence.models import AbstractSection, Claim, Record
from evidence.vocabulary import POLARITIES

__all__ = ["Pair", "claim_from_text", "judge_pair", "judge_pairs_file", "parse_pairs", "pair_result",
           "statement_kind"]

# A statement about a harm or about safety (side effects, risks, damage, dependence) is a safety
# claim; the judge then reads it as a harm, as it reads the registry's safety claims.
_HARM_OR_SAFETY = re.compile(
    r"\bside[- ]effects?\b|\badverse\b|\bharm(?:s|ful|less)?\b|\btoxic\w*|\bunsafe\b|\bsafe(?:ty|ly)?\b|"
    r"\brisks?\b|\bdamag\w*|\binjur\w*|\bcomplications?\b|\baddict\w*|\bdependen(?:ce|cy)\b|\babuse\b|"
    r"\bimpair\w*|\bcontraindicat\w*|\bworsen\w*|\btolerab\w*|\bwell[- ]tolerated\b",
    re.IGNORECASE,
)
# ...unless the statement claims that something lowers the harm ("reduces the risk of stroke"):
# that is a benefit, an efficacy claim.
_LOWERS_HARM = re.compile(
    r"\b(?:reduc|lower|decreas|prevent|protect|cut|halv|attenuat|mitigat|alleviat|reliev|revers)\w*\b",
    re.IGNORECASE,
)
# "reducing the side effects": the safety word is the harm lowered, still a benefit claim.
_LOWERED_HARM = re.compile(_LOWERS_HARM.pattern + r"\s+(?:\w+\s+){0,2}?(?:side[- ]effects?|adverse \w+)", re.IGNORECASE)
_SAFETY_WORD = re.compile(r"\bsafe(?:ty|ly)?\b|\bunsafe\b|\bside[- ]effects?\b|\badverse\b|\btoler", re.IGNORECASE)


def statement_kind(statement: str) -> str:
    """"safety" when a free-text statement reads as a harm or safety claim, else "efficacy"."""
    if not _HARM_OR_SAFETY.search(statement):
        return "efficacy"
    if _LOWERS_HARM.search(statement) and not _SAFETY_WORD.search(_LOWERED_HARM.sub(" ", statement)):
        return "efficacy"
    return "safety"


def claim_from_text(statement: str, polarity: str | None = None) -> Claim:
    """An ad-hoc Claim for one statement: id "pair", polarity given or inferred.

    Intervention and outcome stay empty: the judge takes the topic words from the statement.
    """
    if polarity is not None and polarity not in POLARITIES:
        raise ConfigError(f"unknown polarity {polarity!r}: use one of {', '.join(POLARITIES)}")
    statement = statement.strip()
    return Claim(
        id="pair",
        article="",
        quote=statement,
        statement=statement,
        kind=statement_kind(statement),
        query="",
        polarity=polarity or infer_polarity(statement),
    )


def judge_pair(statement: str, text: str, polarity: str | None = None) -> Direction:
    """How ``text`` reads against ``statement``: the refresh's judge on an ad-hoc claim and record."""
    text = text.strip()
    record = Record(
        pmid="pair",
        abstract=f"CONCLUSIONS: {text}" if text else "",
        abstract_sections=(AbstractSection("CONCLUSIONS", "CONCLUSIONS", text),) if text else (),
    )
    return judge_direction(claim_from_text(statement, polarity), record)


@dataclass(frozen=True)
class Pair:
    """One line of a pairs file."""

    id: str | int
    claim: str
    text: str
    polarity: str | None = None
    line: int = 0


def _pair(data: Any, where: str, line: int) -> Pair:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a JSON object with id, claim and text, got {type(data).__name__}")
    pair_id = data.get("id")
    if isinstance(pair_id, bool) or not isinstance(pair_id, (str, int)) or pair_id == "":
        raise ConfigError(f'{where}: "id" must be a non-empty string or an integer')
    for field in ("claim", "text"):
        value = data.get(field)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f'{where}: "{field}" must be a non-empty string (id {pair_id!r})')
    polarity = data.get("polarity")
    if polarity is not None and polarity not in POLARITIES:
        raise ConfigError(f'{where}: "polarity" {polarity!r} is not one of {", ".join(POLARITIES)} (id {pair_id!r})')
    return Pair(pair_id, data["claim"], data["text"], polarity, line)


def parse_pairs(text: str, source: str) -> list[Pair]:
    """Every pair of a JSON-lines text (blank lines skipped); the first bad line raises ConfigError.

    ``source`` names the file in messages ("pairs.jsonl:3: ..."). Nothing is judged before the
    whole file has been read, so a bad line never leaves half an output behind.
    """
    pairs: list[Pair] = []
    seen: dict[str | int, int] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        where = f"{source}:{number}"
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        pair = _pair(data, where, number)
        if pair.id in seen:
            raise ConfigError(f"{where}: duplicate id {pair.id!r} (first on line {seen[pair.id]})")
        seen[pair.id] = number
        pairs.append(pair)
    if not pairs:
        raise ConfigError(f'{source}: no pairs: expected one JSON object a line with "id", "claim" and "text"')
    return pairs


def pair_result(pair: Pair, direction: Direction) -> dict[str, Any]:
    """The output line of one judged pair."""
    return {
        "id": pair.id,
        "direction": direction.direction,
        "confidence": direction.confidence,
        "sentence": direction.sentence,
        "reason": direction.reason,
        "judge": direction.judge,
    }


def judge_pairs_file(text: str, source: str) -> str:
    """What ``evidence judge`` writes for a pairs file: one JSON line per pair, in the file's order.

    The whole file is checked first (``parse_pairs``), so a bad line raises before any judging.
    """
    pairs = parse_pairs(text, source)
    return "".join(json.dumps(pair_result(p, judge_pair(p.claim, p.text, p.polarity)), ensure_ascii=False) + "\n"
                   for p in pairs)
