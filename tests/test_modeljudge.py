"""The optional model-backed judge: pure prompt and answer checks, then the sender and the judge
against a loopback stand-in (tests/judge_server.py) that answers well, badly, slowly or not at all.

What is asserted comes from the stand-in's log (what it received) and from the rules' own
directions for the same records, never from numbers written here.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import time

import pytest

from evidence.errors import ConfigError, JudgeRejected
from evidence.grading.direction import judge_direction
from evidence.grading.judges import ANSWER_KIND, ModelJudge, decide_direction
from evidence.grading.labels import direction_version
from evidence.grading.service import assess_claims
from evidence.modeljudge import ChatClient
from evidence.modeljudge.prompt import (
    PROMPT_VERSION,
    abstract_hash,
    answer_key,
    build_request,
    chat_url,
    claim_text,
    read_answer,
    reply_content,
)
from evidence.pubmed.client import Pacer
from evidence.settings import Settings
from tests.fakes import FakeClock
from tests.judge_server import FakeChat
from tests.modeljudge_support import (
    CLAIM,
    KEY,
    MODEL,
    OFF_TOPIC,
    ON_TOPIC,
    RECORDS,
    answer,
    conclusion,
    fast_judge,
    record,
    seeded_cache,
)

R1, R2 = record(ON_TOPIC[0]), record(ON_TOPIC[1])
RULES = {r.pmid: judge_direction(CLAIM, r) for r in RECORDS}

# -- pure: the URL, the request, the answer ----------------------------------------------------


@pytest.mark.parametrize("base, key, expected", [
    ("http://127.0.0.1:11434/v1", None, "http://127.0.0.1:11434/v1/chat/completions"),
    ("http://localhost:8000/v1/", "k", "http://localhost:8000/v1/chat/completions"),
    ("https://api.example.org/v1/chat/completions", "k", "https://api.example.org/v1/chat/completions"),
    ("http://[::1]:9000", "k", "http://[::1]:9000/chat/completions"),
    ("http://gpu-box.lan:8000/v1", None, "http://gpu-box.lan:8000/v1/chat/completions"),  # no key: nothing to leak
])
def test_chat_url(base, key, expected):
    assert chat_url(base, with_key=key is not None) == expected


@pytest.mark.parametrize("base, key, says", [
    ("ftp://host/v1", None, "not an http(s) URL"),
    ("127.0.0.1:8000/v1", None, "not an http(s) URL"),
    ("http://gpu-box.lan:8000/v1", "k", "unencrypted"),  # a key in clear text across the network
    ("https://user:pw@api.example.org/v1", "k", "credentials"),
    ("https://api.example.org/v1?api-key=abc", "k", "query"),
])
def test_chat_url_refuses_what_would_leak_or_cannot_work(base, key, says):
    with pytest.raises(ConfigError, match=re.escape(says)):
        chat_url(base, with_key=key is not None)


FIRST = conclusion(ON_TOPIC[0])


@pytest.mark.parametrize("content, valid, direction, problem", [
    (json.dumps(answer("supports", FIRST)), True, "supports", ""),
    ("```json\n" + json.dumps(answer("contradicts", FIRST)) + "\n```", True, "contradicts", ""),
    ("<think>The trial says it works.</think>\n" + json.dumps(answer("mixed", FIRST)), True, "mixed", ""),
    ("Sure! " + json.dumps(answer("Supports", FIRST)), True, "supports", ""),  # prose around it, capitalised
    (json.dumps(answer("supports", FIRST.replace("compared with", "compared  with\n"))), True, "supports", ""),
    (json.dumps(answer("supports", FIRST.rstrip("."))), True, "supports", ""),  # the full stop dropped
    (json.dumps(answer("supports", "\u201c" + FIRST + "\u201d")), True, "supports", ""),  # curly quotes added
    (json.dumps(answer("unclear", "")), True, "unclear", ""),
    ('{"direction": "supports", "sentence": "Ketamine', False, "", "not JSON"),
    ("I think it supports the claim.", False, "", "not JSON"),
    ("[1, 2]", False, "", "not a JSON object"),
    (json.dumps(answer("agrees", FIRST)), False, "", "is not one of"),
    (json.dumps(answer("supports", FIRST, confidence=1.5)), False, "", "confidence"),
    (json.dumps(answer("supports", FIRST, confidence=True)), False, "", "confidence"),
    (json.dumps({**answer("supports", FIRST), "confidence": "high"}), False, "", "confidence"),
    (json.dumps(answer("supports", "")), False, "", "no sentence"),
    (json.dumps(answer("supports", "Ketamine reduced symptoms.")), False, "", "under 4 words"),
    (json.dumps(answer("supports", "Ketamine clearly reduced depressive symptoms compared with placebo.")),
     False, "", "does not occur verbatim"),
    (json.dumps(answer("unclear", "Ketamine cured every patient of depression for good.")), False, "", "verbatim"),
])
def test_read_answer(content, valid, direction, problem):
    got = read_answer(content, R1)
    assert got.valid is valid
    if valid:
        assert got.direction == direction and not got.problem
    else:
        assert problem in got.problem and got.direction == "unclear"


@pytest.mark.parametrize("body", [b"<html>nginx</html>", b'{"data": []}', b'{"choices": []}', b"\xff\xfe"])
def test_a_reply_that_is_not_a_chat_completion_is_the_endpoints_fault(body):
    with pytest.raises(JudgeRejected, match="not a chat completion") as caught:
        reply_content(body)
    assert not caught.value.per_pair  # a wrong URL: stop asking, never cache void answers


def test_null_content_is_a_void_answer_not_an_endpoint_fault():
    content = reply_content(b'{"choices": [{"message": {"role": "assistant", "content": null}}]}')
    assert not read_answer(content, R1).valid


def test_the_answer_key_changes_with_each_of_its_five_parts():
    parts = [claim_text(CLAIM), R1.pmid, abstract_hash(R1), MODEL, PROMPT_VERSION]
    base = answer_key(*parts)
    for i in range(5):
        changed = list(parts)
        changed[i] += "x"
        assert answer_key(*changed) != base
    revised = dataclasses.replace(R1, abstract=R1.abstract + " Erratum.")
    assert abstract_hash(revised) != abstract_hash(R1)


def test_a_request_is_a_value_with_the_claim_and_study_but_never_the_key():
    client = ChatClient("https://api.example.org/v1", MODEL, KEY)
    req = build_request(client.url, MODEL, CLAIM, R1)
    user = req.body["messages"][1]["content"]
    assert req.body["model"] == MODEL and req.body["temperature"] == 0
    assert CLAIM.statement in user and R1.abstract in user and f"PMID {R1.pmid}" in user
    assert KEY not in repr(req) + json.dumps(req.body) and KEY not in repr(client)


def test_settings_keep_the_key_out_of_repr_and_the_judge_needs_a_model():
    env = {"EVIDENCE_JUDGE_URL": "http://127.0.0.1:9/v1", "EVIDENCE_JUDGE_KEY": KEY}
    assert KEY not in repr(Settings.from_env(env))
    with pytest.raises(ConfigError, match="EVIDENCE_JUDGE_MODEL"):
        ModelJudge.from_settings(Settings.from_env(env))
    assert ModelJudge.from_settings(Settings.from_env({})) is None  # the rules alone, the default
    with pytest.raises(ConfigError, match="EVIDENCE_JUDGE_INTERVAL"):
        ModelJudge.from_settings(Settings.from_env({**env, "EVIDENCE_JUDGE_MODEL": "m",
                                                    "EVIDENCE_JUDGE_INTERVAL": "fast"}))
    judge = ModelJudge.from_settings(Settings.from_env({**env, "EVIDENCE_JUDGE_MODEL": "m",
                                                        "EVIDENCE_JUDGE_MAX_REQUESTS": "7"}))
    assert judge is not None and judge.client.max_requests == 7 and KEY not in repr(judge)
    with pytest.raises(ConfigError, match="EVIDENCE_JUDGE_KEY") as caught:
        ChatClient("https://api.example.org/v1", MODEL, KEY + " \u00e9")  # pasted with junk: refused, not quoted
    assert KEY not in str(caught.value)


# -- against the loopback stand-in ---------------------------------------------------------------


@pytest.fixture()
def chat():
    with FakeChat() as server:
        yield server


def test_a_good_answer_decides_and_the_key_goes_only_as_a_bearer_header(chat):
    chat.answers[R2.pmid] = answer("mixed", conclusion(R2.pmid), 0.7, "no difference from the active control")
    judge = fast_judge(chat.base_url)
    got = decide_direction(CLAIM, R2, judge)
    assert (got.direction, got.sentence, got.confidence) == ("mixed", conclusion(R2.pmid), 0.7)
    assert got.judge == f"model {MODEL}" and got.reason.startswith(f"model {MODEL}: no difference")
    assert RULES[R2.pmid].direction in got.reason  # what the rules read stays visible
    assert [e.headers.get("Authorization") for e in chat.log] == [f"Bearer {KEY}"]
    assert chat.log[0].path == "/v1/chat/completions" and chat.log[0].body["model"] == MODEL


@pytest.mark.parametrize("content, why", [
    ('{"direction": "supports", "sentence": ', "not JSON"),
    (json.dumps(answer("contradicts", "Ketamine had no effect on depressive symptoms at all.")), "verbatim"),
])
def test_a_malformed_or_misquoting_answer_is_void_and_the_rules_decide(chat, tmp_path, content, why):
    chat.answers[R1.pmid] = content
    with seeded_cache(tmp_path / "c.sqlite", [R1]) as cache:
        got = decide_direction(CLAIM, R1, fast_judge(chat.base_url), cache=cache)
        assert (got.direction, got.sentence, got.judge) == (RULES[R1.pmid].direction, RULES[R1.pmid].sentence,
                                                            "rules")
        assert "answer void" in got.reason and why in got.reason and "the rules decided" in got.reason
        stored = cache.get_labels(ANSWER_KIND, [answer_key(claim_text(CLAIM), R1.pmid, abstract_hash(R1), MODEL)],
                                  PROMPT_VERSION)
        assert [v["valid"] for v in stored.values()] == [False]  # void is cached: not asked again
        decide_direction(CLAIM, R1, fast_judge(chat.base_url), cache=cache)
    assert len(chat.log) == 1


def test_429_is_retried_after_a_pause_then_answered(chat):
    chat.inject("429", times=2)
    chat.answers[R1.pmid] = answer("supports", FIRST)
    sleeps: list[float] = []
    judge = fast_judge(chat.base_url, backoff=0.25, sleeps=sleeps, jitter=lambda: 0.0)
    got = decide_direction(CLAIM, R1, judge)
    assert got.judge == f"model {MODEL}" and len(chat.log) == 3 and not judge.down
    assert sleeps == [0.25, 0.5]  # exponential backoff (the stand-in's Retry-After: 0 asks for no more)


def test_500_past_the_retry_budget_switches_the_judge_off_with_one_warning(chat, caplog):
    chat.inject("500", times=10)
    judge = fast_judge(chat.base_url, max_retries=2)
    with caplog.at_level(logging.WARNING, logger="evidence.modeljudge"):
        decided, unsettled = judge.directions(CLAIM, RECORDS, RULES)
    assert len(chat.log) == 3  # one pair, three attempts; then nothing more is sent
    assert unsettled == set(ON_TOPIC) and judge.down and "HTTP 500" in judge.down
    for pmid in ON_TOPIC:
        assert decided[pmid].direction == RULES[pmid].direction and decided[pmid].judge == "rules"
        assert "unavailable this run" in decided[pmid].reason
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "remaining directions" in warnings[0]  # the retries log at debug
    assert "HTTP 500 (after 3 attempts)" in warnings[0]


def test_a_stall_times_out_and_the_rules_decide(chat):
    chat.stall_seconds = 2.0
    chat.inject("stall", times=5)
    judge = fast_judge(chat.base_url, timeout=0.2, max_retries=1)
    started = time.monotonic()
    got = decide_direction(CLAIM, R1, judge)
    assert time.monotonic() - started < 1.5  # bounded by the timeout, not by the stall
    assert got.judge == "rules" and "no answer within 0.2 s" in judge.down and len(chat.log) == 2


def test_a_cross_origin_redirect_is_refused_and_the_other_host_gets_nothing():
    with FakeChat(default=answer("unclear", "")) as other, FakeChat() as chat:
        chat.redirect_to = other.base_url + "/chat/completions"
        chat.inject("redirect", times=3)
        judge = fast_judge(chat.base_url)
        got = decide_direction(CLAIM, R1, judge)
        assert got.judge == "rules" and "redirected" in judge.down and other.origin[7:] in judge.down
        assert other.log == [] and len(chat.log) == 1  # not followed, not retried


def test_off_topic_studies_and_missing_abstracts_are_never_put_to_the_model(chat):
    no_abstract = dataclasses.replace(R1, pmid="99990199", abstract="", abstract_sections=())
    records = [*RECORDS, no_abstract]
    rules = {r.pmid: judge_direction(CLAIM, r) for r in records}
    decided, _ = fast_judge(chat.base_url).directions(CLAIM, records, rules)
    assert sorted(e.pmid for e in chat.log) == sorted(ON_TOPIC)
    assert decided[OFF_TOPIC] == rules[OFF_TOPIC] and not decided[OFF_TOPIC].on_topic
    assert decided[no_abstract.pmid] == rules[no_abstract.pmid]


def test_a_second_run_is_answered_from_the_cache_and_another_model_is_asked_again(chat, tmp_path):
    chat.answers.update({R1.pmid: answer("supports", FIRST), R2.pmid: "not json at all"})
    with seeded_cache(tmp_path / "c.sqlite") as cache:
        first = assess_claims([CLAIM], cache, judge=fast_judge(chat.base_url))[CLAIM.id]
        assert len(chat.log) == 2
        judges = {a.record.pmid: a.direction.judge for a in first.assessments}
        assert judges == {R1.pmid: f"model {MODEL}", R2.pmid: "rules", OFF_TOPIC: "rules"}
        again = fast_judge(chat.base_url)
        second = assess_claims([CLAIM], cache, judge=again)[CLAIM.id]
        assert len(chat.log) == 2 and second.grade == first.grade  # no request: labels and answers cached
        other = fast_judge(chat.base_url, model="another-13b")
        assert direction_version(CLAIM, other) != direction_version(CLAIM, again) != direction_version(CLAIM)
        assess_claims([CLAIM], cache, judge=other)
        assert len(chat.log) == 4 and {e.body["model"] for e in chat.log[2:]} == {"another-13b"}


def test_answers_alone_spare_the_requests_when_the_labels_are_recomputed(chat, tmp_path, monkeypatch):
    chat.answers[R1.pmid] = answer("supports", FIRST)
    with seeded_cache(tmp_path / "c.sqlite") as cache:
        assess_claims([CLAIM], cache, judge=fast_judge(chat.base_url))
        monkeypatch.setattr("evidence.grading.labels.label_version", lambda: "rules-changed")
        again = fast_judge(chat.base_url)
        evidence = assess_claims([CLAIM], cache, judge=again)[CLAIM.id]
    assert len(chat.log) == 2 and again.stats["cached"] == 2 and again.stats["asked"] == 0
    assert {a.record.pmid: a.direction.judge for a in evidence.assessments}[R1.pmid] == f"model {MODEL}"


def test_unanswered_pairs_are_asked_again_on_the_next_run(chat, tmp_path):
    chat.inject("500", times=3)
    with seeded_cache(tmp_path / "c.sqlite") as cache:
        down = fast_judge(chat.base_url, max_retries=2)
        assess_claims([CLAIM], cache, judge=down)
        assert down.down and down.stats["unanswered"] == 2
        up = fast_judge(chat.base_url)
        evidence = assess_claims([CLAIM], cache, judge=up)[CLAIM.id]
    assert up.stats["asked"] == 2 and len(chat.log) == 5
    judges = {a.record.pmid: a.direction.judge for a in evidence.assessments}
    assert [judges[p] for p in ON_TOPIC] == [f"model {MODEL}"] * 2


def test_requests_are_paced_and_capped_per_run(chat):
    clock = FakeClock()
    client = ChatClient(chat.base_url, MODEL, KEY, pacer=Pacer(2.0, sleep=clock.sleep, clock=clock.clock),
                        max_requests=2, sleep=clock.sleep, clock=clock.clock, timeout=0.5)
    judge = ModelJudge(client)
    many = [dataclasses.replace(R1, pmid=f"9999020{i}") for i in range(4)]
    rules = {r.pmid: judge_direction(CLAIM, r) for r in many}
    _, unsettled = judge.directions(CLAIM, many, rules)
    assert len(chat.log) == 2 and clock.sleeps == [2.0]  # the second start waited the interval
    assert len(unsettled) == 2 and "cap of 2 requests" in judge.down


def test_per_pair_refusals_skip_the_pair_until_three_in_a_row(chat):
    chat.inject("400", times=1)
    judge = fast_judge(chat.base_url)
    _, unsettled = judge.directions(CLAIM, RECORDS, RULES)
    assert unsettled == {R1.pmid} and not judge.down and len(chat.log) == 2  # the next pair was still asked
    chat.inject("400", times=5)
    many = [dataclasses.replace(R1, pmid=f"9999030{i}") for i in range(5)]
    _, unsettled = judge.directions(CLAIM, many, {r.pmid: judge_direction(CLAIM, r) for r in many})
    assert len(unsettled) == 5 and "3 requests in a row" in judge.down and len(chat.log) == 5


def test_offline_uses_cached_answers_and_sends_nothing(chat, tmp_path):
    chat.answers[R1.pmid] = answer("supports", FIRST)
    with seeded_cache(tmp_path / "c.sqlite") as cache:
        decide_direction(CLAIM, R1, fast_judge(chat.base_url), cache=cache)
        offline = fast_judge(chat.base_url, offline=True)
        assert decide_direction(CLAIM, R1, offline, cache=cache).judge == f"model {MODEL}"
        assert "no cached answer" in decide_direction(CLAIM, R2, offline, cache=cache).reason
    assert len(chat.log) == 1
