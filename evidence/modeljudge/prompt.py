"""Pure plumbing of the model-backed judge: the prompt, the request, and the checks on an answer.

No I/O happens here. A request is a value (``ChatRequest``: URL, JSON body, a summary for
messages) that holds no key, so it can be logged and tested as a table; the one sender in
``evidence.modeljudge.client`` adds the key as a header and sends it.

An answer is trusted only as far as it can be checked. The model must answer one JSON
object ``{"direction", "sentence", "confidence", "reason"}``; the sentence must occur
verbatim in the record's title or abstract (after whitespace, quote and dash forms are
normalised), so every direction the model decides points at words the study really wrote.
Anything else voids the answer (``Answer.valid`` False, ``problem`` says why) and the rules
decide. A reply that is not a chat completion at all is the endpoint's fault, not the
model's: that raises ``JudgeRejected`` instead, so a wrong URL never caches void answers.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from evidence.errors import ConfigError, JudgeRejected
from evidence.models import Claim, Record
from evidence.vocabulary import DIRECTIONS

__all__ = [
    "PROMPT_VERSION",
    "SYSTEM_PROMPT",
    "ChatRequest",
    "Answer",
    "chat_url",
    "origin",
    "claim_text",
    "abstract_hash",
    "answer_key",
    "build_messages",
    "build_request",
    "reply_content",
    "read_answer",
    "normalise",
    "quoted_in",
]

# Bump whenever SYSTEM_PROMPT, the user message or the answer checks change: it is part of every
# cached answer's key and of the direction labels' version, so a new prompt re-asks every pair.
PROMPT_VERSION = "1"
MAX_ABSTRACT_CHARS = 12_000  # a bound on what one request costs; PubMed abstracts rarely pass 5,000
MIN_QUOTE_WORDS = 4  # "the results" occurs in most abstracts and shows nothing
MAX_REASON_CHARS = 300
MAX_TOKENS = 1000  # the answer needs ~100 tokens; a reasoning model's <think> block counts against this too

SYSTEM_PROMPT = """\
You check a health claim against the abstract of one study. Decide what the study's own findings say about the claim:
- "supports": the study's results agree with the claim.
- "contradicts": the results go against the claim, including a clear null result where the claim asserts an effect, \
or an effect where the claim asserts none.
- "mixed": the results support one part of the claim and contradict another, or differ between outcomes the claim \
covers.
- "unclear": the study does not test the claim, reports no result on it, or its result is too uncertain to say.
Judge the study's findings, not its background or what it cites. Compare the numbers and time spans the claim asserts \
with the study's.
Answer with one JSON object and nothing else:
{"direction": "supports" | "contradicts" | "mixed" | "unclear", "sentence": "...", "confidence": 0.0 to 1.0, \
"reason": "..."}
"sentence" is the one sentence of the title or abstract that decides the direction, copied character for character \
(do not shorten, paraphrase or join sentences); it may be "" only when the direction is "unclear". "confidence" is \
how sure you are, from 0 to 1. "reason" says why in at most 25 words."""


@dataclass(frozen=True)
class ChatRequest:
    """One chat-completions request, ready to send; it never holds the key."""

    url: str
    body: dict[str, Any]
    summary: str  # what it asks, for messages: "PMID 123 for claim cystitis"


@dataclass(frozen=True)
class Answer:
    """The model's answer for one (claim, study) pair, or why it was void."""

    valid: bool
    direction: str = "unclear"
    sentence: str = ""
    confidence: float = 0.0
    rationale: str = ""
    problem: str = ""  # why the answer is void ("" when valid)

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "direction": self.direction, "sentence": self.sentence,
                "confidence": self.confidence, "rationale": self.rationale, "problem": self.problem}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        return cls(bool(data["valid"]), str(data["direction"]), str(data["sentence"]), float(data["confidence"]),
                   str(data.get("rationale", "")), str(data.get("problem", "")))


def _void(problem: str) -> Answer:
    return Answer(False, problem=problem)


# -- the endpoint ------------------------------------------------------------------------------


def origin(url: str) -> str:
    """scheme://host:port of a URL (the port made explicit), the unit the key is bound to."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme, 0)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{port}"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def chat_url(base: str, *, with_key: bool = False) -> str:
    """The chat-completions URL for EVIDENCE_JUDGE_URL: a base such as ``http://host:8000/v1``
    gains ``/chat/completions``; a URL already ending so is kept.

    Refuses what would leak the key: a key sent over plain http to a host other than this machine.
    """
    text = base.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"EVIDENCE_JUDGE_URL={text!r} is not an http(s) URL: set it to the endpoint's base, "
                          "e.g. http://127.0.0.1:11434/v1 or https://api.example.com/v1")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ConfigError("EVIDENCE_JUDGE_URL must not carry credentials, a query or a fragment: "
                          "put the key in EVIDENCE_JUDGE_KEY")
    if with_key and parts.scheme == "http" and not _loopback(parts.hostname):
        raise ConfigError(f"EVIDENCE_JUDGE_KEY would travel unencrypted to {origin(text)}: use https, "
                          "or a model on this machine")
    path = parts.path.rstrip("/")
    if not path.endswith("/chat/completions"):
        path += "/chat/completions"
    return f"{parts.scheme}://{parts.netloc}{path}"


# -- the prompt -------------------------------------------------------------------------------


def claim_text(claim: Claim) -> str:
    """The claim as the model reads it: the statement and the PICO fields it has."""
    lines = [f"Claim: {claim.statement.strip()}"]
    for label, value in (("Intervention", claim.intervention), ("Outcome", claim.outcome),
                         ("Population", claim.population), ("Comparator", claim.comparator)):
        if value and value.strip():
            lines.append(f"{label}: {value.strip()}")
    return "\n".join(lines)


def _study_text(record: Record) -> tuple[str, str]:
    abstract = record.abstract.strip()
    if len(abstract) > MAX_ABSTRACT_CHARS:
        abstract = abstract[:MAX_ABSTRACT_CHARS] + " [...]"
    return record.title.strip(), abstract


def abstract_hash(record: Record) -> str:
    """What the model read of the study: a revised abstract is asked about again."""
    title, abstract = _study_text(record)
    return hashlib.sha256(f"{title}\n{abstract}".encode()).hexdigest()


def answer_key(claim_text: str, pmid: str, abstract_sha: str, model: str, prompt_version: str = PROMPT_VERSION) -> str:
    """The cache key of one answer: no pair is asked twice of the same model with the same prompt."""
    fields = json.dumps([claim_text, pmid, abstract_sha, model, prompt_version], ensure_ascii=False)
    return hashlib.sha256(fields.encode()).hexdigest()


def build_messages(claim: Claim, record: Record) -> list[dict[str, str]]:
    title, abstract = _study_text(record)
    user = f"{claim_text(claim)}\n\nStudy (PMID {record.pmid})\nTitle: {title}\nAbstract: {abstract}"
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def build_request(url: str, model: str, claim: Claim, record: Record) -> ChatRequest:
    """The chat-completions request for one pair. Temperature 0: the same pair, the same answer."""
    body: dict[str, Any] = {
        "model": model,
        "messages": build_messages(claim, record),
        "temperature": 0,
        "max_tokens": MAX_TOKENS,
        # JSON mode (OpenAI, vLLM, llama.cpp, Ollama); a server without it still gets the shape in the prompt.
        "response_format": {"type": "json_object"},
    }
    return ChatRequest(url, body, f"PMID {record.pmid} for claim {claim.id}")


# -- the answer -------------------------------------------------------------------------------


def reply_content(body: bytes) -> str:
    """The assistant message's text from a chat-completions reply.

    A reply of another shape means the URL points at something else: ``JudgeRejected`` (not
    per pair), which switches the judge off for the run instead of voiding every answer.
    """
    try:
        data = json.loads(body.decode("utf-8"))
        content = data["choices"][0]["message"]["content"]
    except (UnicodeDecodeError, ValueError, KeyError, IndexError, TypeError):
        snippet = body[:80].decode("utf-8", "replace").strip()
        raise JudgeRejected(f"the endpoint's reply is not a chat completion ({snippet!r}): check "
                            "EVIDENCE_JUDGE_URL (an OpenAI-compatible base such as http://host:port/v1)") from None
    if not isinstance(content, str):
        return ""  # e.g. null content (a refusal): the model gave no answer, which voids it
    return content


_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.IGNORECASE)


def _json_object(content: str) -> Any:
    # Reasoning models think aloud before answering and many wrap JSON in a code fence.
    text = _FENCE.sub("", _THINK.sub("", content).strip()).strip()
    if not text.startswith("{") and "{" in text:
        text = text[text.index("{") : text.rindex("}") + 1]
    return json.loads(text)


def read_answer(content: str, record: Record) -> Answer:
    """Check the model's answer against the fixed shape and the record's own words."""
    try:
        data = _json_object(content)
    except ValueError:
        return _void(f"the answer is not JSON ({content.strip()[:60]!r})")
    if not isinstance(data, dict):
        return _void("the answer is not a JSON object")
    direction = data.get("direction")
    if not isinstance(direction, str) or direction.strip().lower() not in DIRECTIONS:
        return _void(f"direction {direction!r} is not one of {', '.join(DIRECTIONS)}")
    direction = direction.strip().lower()
    confidence = data.get("confidence")
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 <= confidence <= 1:
        return _void(f"confidence {confidence!r} is not a number from 0 to 1")
    sentence = data.get("sentence", "")
    if not isinstance(sentence, str):
        return _void("sentence is not a string")
    sentence = " ".join(sentence.split())
    if not sentence and direction != "unclear":
        return _void(f"no sentence quoted for {direction!r}")
    if sentence:
        if len(sentence.split()) < MIN_QUOTE_WORDS:
            return _void(f"the quoted sentence {sentence!r} is under {MIN_QUOTE_WORDS} words")
        if not quoted_in(sentence, record):
            return _void(f"the quoted sentence does not occur verbatim in PMID {record.pmid}: {sentence[:100]!r}")
    reason = data.get("reason", "")
    rationale = " ".join(reason.split())[:MAX_REASON_CHARS] if isinstance(reason, str) else ""
    return Answer(True, direction, sentence, round(float(confidence), 3), rationale)


_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
                         "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
                         "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"})


def normalise(text: str) -> str:
    """Text compared for "verbatim": Unicode-compatible forms, straight quotes, one dash, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_QUOTES).split())


def quoted_in(sentence: str, record: Record) -> bool:
    """True when ``sentence`` occurs in the record's title or abstract, up to spacing, quotes, dashes
    and the quote marks or final full stop a model may add or drop around it."""
    needle = normalise(sentence).strip("\"' ").rstrip(".").rstrip()
    haystack = normalise(f"{record.title} {record.abstract}")
    return bool(needle) and needle in haystack
