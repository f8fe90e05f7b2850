"""Who decides a study's direction: the rules (the default), or a language model the rules keep in check.

The rules judge first, always. A study they set aside as off topic, or one without an
abstract, is never put to the model: relevance stays the rules' call, and an answer must
quote the abstract. For the rest, a configured ``ModelJudge`` asks its endpoint
(``evidence.modeljudge``) and

- a valid answer decides: ``Direction(judge="model <name>", reason="model <name>: <why>...")``;
- a void answer (not the JSON shape, a sentence not in the abstract...) leaves the rules'
  direction, whose reason then says the model's answer was void and why;
- no answer (the endpoint failed, the run's cap was reached, or ``offline``) leaves the rules'
  direction too, but that pair is "unsettled": it is asked again on a later run.

Answers, void ones included, are cached in the cache's ``labels`` table (kind
``model-answer``) under a key of (claim text, PMID, abstract hash, model, prompt version), so
no pair is put to the same model with the same prompt twice. When the endpoint fails past
its retries, the judge is switched off for the rest of the run with one warning line; the
run itself goes on with the rules.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from evidence.errors import ConfigError, JudgeError, JudgeRejected
from evidence.grading.direction import Direction, judge_direction
from evidence.modeljudge.client import DEFAULT_INTERVAL, DEFAULT_MAX_REQUESTS, ChatClient
from evidence.modeljudge.prompt import (
    PROMPT_VERSION,
    Answer,
    abstract_hash,
    answer_key,
    build_request,
    claim_text,
    read_answer,
    reply_content,
)
from evidence.models import Claim, Record
from evidence.settings import Settings

if TYPE_CHECKING:
    from evidence.cache import Cache

__all__ = ["ANSWER_KIND", "ModelJudge", "decide_direction"]

ANSWER_KIND = "model-answer"  # the cache's labels kind for the model's answers
MAX_PAIR_FAILURES = 3  # consecutive per-request refusals (HTTP 400...) before the judge gives up for the run


class ModelJudge:
    """The model-backed judge for one run (CLI command, job); see the module docstring.

    ``offline``: only cached answers are used and nothing is sent (a dashboard can show the
    model's directions without reaching the network).
    """

    def __init__(self, client: ChatClient, *, offline: bool = False, logger: logging.Logger | None = None):
        self.client = client
        self.offline = offline
        self.name = f"model {client.model}"
        # Part of the direction labels' version: another model or prompt re-judges every pair.
        self.version = f"{PROMPT_VERSION}:{hashlib.sha256(client.model.encode()).hexdigest()[:10]}"
        self.log = logger or logging.getLogger("evidence.modeljudge")
        self.down = ""  # why the judge is off for the rest of this run ("" while it is on)
        self.stats: Counter[str] = Counter()  # asked, cached, valid, void, unanswered, set-aside
        self._memo: dict[str, Answer] = {}  # this run's answers, for a cache that is read-only or absent
        self._pair_failures = 0

    def __repr__(self) -> str:
        return f"ModelJudge({self.client!r}, offline={self.offline})"

    @classmethod
    def from_settings(cls, settings: Settings, *, offline: bool = False,
                      logger: logging.Logger | None = None) -> ModelJudge | None:
        """The judge EVIDENCE_JUDGE_* configure, or None (the rules alone) when EVIDENCE_JUDGE_URL is unset."""
        if not settings.judge_url:
            return None
        if not settings.judge_model:
            raise ConfigError("EVIDENCE_JUDGE_URL is set but EVIDENCE_JUDGE_MODEL is not: name the model the "
                              "endpoint serves (e.g. EVIDENCE_JUDGE_MODEL=llama3.1:8b), or unset EVIDENCE_JUDGE_URL")
        interval = _number("EVIDENCE_JUDGE_INTERVAL", settings.judge_interval, DEFAULT_INTERVAL, float)
        cap = int(_number("EVIDENCE_JUDGE_MAX_REQUESTS", settings.judge_max_requests, DEFAULT_MAX_REQUESTS, int))
        client = ChatClient(settings.judge_url, settings.judge_model, settings.judge_key, min_interval=interval,
                            max_requests=cap, logger=logger)
        return cls(client, offline=offline, logger=logger)

    def summary(self) -> str:
        """One line for the end of a run: what the model decided and what fell back to the rules."""
        s = self.stats
        line = (f"{self.name}: {s['valid']} directions decided, {s['void']} answers void (the rules decided), "
                f"{s['asked']} asked, {s['cached']} from the cache, {s['unanswered']} unanswered (the rules decided)")
        return line + ("; off for the rest of the run (the warning above says why)" if self.down else "")

    # -- asking ---------------------------------------------------------------------------

    def _switch_off(self, why: str) -> None:
        self.down = why
        self.log.warning("%s; the rules decide the remaining directions of this run", why)

    def _ask(self, claim: Claim, record: Record) -> Answer | None:
        """The model's answer, or None when it gave none (the judge may then be off for the run)."""
        if self.down or self.offline:
            return None
        try:
            body = self.client.send(build_request(self.client.url, self.client.model, claim, record))
            answer = read_answer(reply_content(body), record)
        except JudgeRejected as exc:
            if not exc.per_pair:
                self._switch_off(str(exc))
                return None
            self._pair_failures += 1
            self.log.warning("%s", exc)
            if self._pair_failures >= MAX_PAIR_FAILURES:
                self._switch_off(f"model judge ({self.client.model}): {self._pair_failures} requests in a row "
                                 "refused; check EVIDENCE_JUDGE_URL and EVIDENCE_JUDGE_MODEL")
            return None
        except JudgeError as exc:
            self._switch_off(str(exc))
            return None
        self._pair_failures = 0
        self.stats["asked"] += 1
        if not answer.valid:
            self.log.debug("%s: answer void for %s: %s", self.name, f"PMID {record.pmid}, claim {claim.id}",
                          answer.problem)
        return answer

    def answers(self, claim: Claim, records: Sequence[Record], cache: Cache | None = None) -> dict[str, Answer]:
        """Answers for ``records`` (cached first, the rest asked and cached); pairs without one are left out."""
        text = claim_text(claim)
        keys = {r.pmid: answer_key(text, r.pmid, abstract_hash(r), self.client.model) for r in records}
        stored = cache.get_labels(ANSWER_KIND, list(keys.values()), PROMPT_VERSION) if cache is not None else {}
        out: dict[str, Answer] = {}
        for record in records:
            key = keys[record.pmid]
            if key in self._memo or key in stored:
                out[record.pmid] = self._memo.get(key) or Answer.from_dict(stored[key])
                self.stats["cached"] += 1
                continue
            answer = self._ask(claim, record)
            if answer is None:
                continue
            self._memo[key] = answer
            if cache is not None:  # at once: an interrupted run keeps what it paid for
                cache.put_labels(ANSWER_KIND, {key: answer.to_dict()}, PROMPT_VERSION)
            out[record.pmid] = answer
        return out

    # -- deciding -------------------------------------------------------------------------

    def decide(self, rules: Direction, answer: Answer | None) -> Direction:
        """The direction from the rules' and the model's answer (None: the model gave none)."""
        if answer is None:
            why = f"no cached answer from {self.name}" if self.offline else f"{self.name} unavailable this run"
            return dataclasses.replace(rules, reason=f"{rules.reason}; {why}: the rules decided")
        if not answer.valid:
            return dataclasses.replace(rules, reason=f"{rules.reason}; {self.name}'s answer void "
                                                      f"({answer.problem}): the rules decided")
        why = answer.rationale or "the quoted sentence"
        return dataclasses.replace(rules, direction=answer.direction, sentence=answer.sentence,
                                   confidence=answer.confidence, judge=self.name,
                                   reason=f"{self.name}: {why} (the rules read {rules.direction})")

    def directions(self, claim: Claim, records: Sequence[Record], rules: Mapping[str, Direction],
                   cache: Cache | None = None) -> tuple[dict[str, Direction], frozenset[str]]:
        """Each record's direction, and the PMIDs left unsettled (no answer: ask again another run).

        ``rules`` holds the rules' direction of every record; studies they set aside as off
        topic, and records without an abstract, keep it and are not put to the model.
        """
        askable = [r for r in records if rules[r.pmid].on_topic and r.abstract.strip()]
        self.stats["set-aside"] += len(records) - len(askable)
        found = self.answers(claim, askable, cache)
        for answer in found.values():
            self.stats["valid" if answer.valid else "void"] += 1
        unsettled = frozenset(r.pmid for r in askable if r.pmid not in found)
        self.stats["unanswered"] += len(unsettled)
        out = {r.pmid: rules[r.pmid] for r in records}
        out.update({r.pmid: self.decide(rules[r.pmid], found.get(r.pmid)) for r in askable})
        return out, unsettled


def decide_direction(claim: Claim, record: Record, judge: ModelJudge | None = None, *,
                     rules: Direction | None = None, cache: Cache | None = None) -> Direction:
    """One study's direction for one claim: the rules', or the model's when ``judge`` answers validly.

    ``rules`` may be passed precomputed; ``cache`` keeps and reuses the model's answers (without
    one, answers last only as long as the judge).
    """
    rules = rules if rules is not None else judge_direction(claim, record)
    if judge is None:
        return rules
    decided, _ = judge.directions(claim, [record], {record.pmid: rules}, cache)
    return decided[record.pmid]


def _number(name: str, text: str, default: float, kind: type[float] | type[int]) -> float:
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        value = -1
    if value < 0:
        whole = "whole " if kind is int else ""
        raise ConfigError(f"{name}={text!r} is not a non-negative {whole}number: fix or unset it "
                          f"(default {default:g})")
    return value
