"""The model judge at the command line: `evidence report` and `evidence refresh` with EVIDENCE_JUDGE_*
pointed at the loopback stand-in. The report names who decided each direction; an endpoint that
fails for the whole run leaves the rules in charge with one warning line and a normal exit; the
key appears nowhere but in the stand-in's Authorization header.
"""

from __future__ import annotations

import functools
import json
import logging

import pytest

from evidence import cli
from evidence.modeljudge import ChatClient
from evidence.registry import load_registry, search_term
from tests.judge_server import FakeChat
from tests.modeljudge_support import (
    KEY,
    MODEL,
    OFF_TOPIC,
    ON_TOPIC,
    answer,
    conclusion,
    fake_records,
    seeded_cache,
    write_queries,
)
from tests.ncbi_server import FakeNCBI

OFF_LINE = "the rules decide the remaining directions"


@pytest.fixture()
def setup(tmp_path, monkeypatch):
    """A queries.yaml with the one claim, a cache holding its three studies, and the stand-in."""
    queries = write_queries(tmp_path / "reg")
    cache = tmp_path / "cache" / "evidence.sqlite"
    seeded_cache(cache).close()
    # Retries without waiting: the stand-in's faults are instant, real backoff would only slow the test.
    monkeypatch.setattr("evidence.grading.judges.ChatClient",
                        functools.partial(ChatClient, backoff=0.001, timeout=0.5, connect_timeout=0.5))
    with FakeChat(answers={ON_TOPIC[0]: answer("supports", conclusion(ON_TOPIC[0]), 0.8, "lower scores"),
                           ON_TOPIC[1]: answer("mixed", conclusion(ON_TOPIC[1]), 0.6, "no gain over midazolam")}
                  ) as chat:
        monkeypatch.setenv("EVIDENCE_JUDGE_URL", chat.base_url)
        monkeypatch.setenv("EVIDENCE_JUDGE_MODEL", MODEL)
        monkeypatch.setenv("EVIDENCE_JUDGE_KEY", KEY)
        monkeypatch.setenv("EVIDENCE_JUDGE_INTERVAL", "0")
        yield ["--queries", str(queries), "--cache", str(cache)], chat


def _report(args, capsys, fmt="json"):
    code = cli.main([*args, "report", "--format", fmt])
    out, err = capsys.readouterr()
    assert code == 0 and "Traceback" not in err, err
    return out, err


def test_the_report_names_the_judge_of_each_direction_and_asks_each_pair_once(setup, capsys):
    args, chat = setup
    out, err = _report(args, capsys)
    studies = {s["pmid"]: s for s in json.loads(out)["claims"][0]["studies"]}
    assert {p: studies[p]["direction_judge"] for p in studies} == {
        ON_TOPIC[0]: f"model {MODEL}", ON_TOPIC[1]: f"model {MODEL}", OFF_TOPIC: "rules"}
    assert studies[ON_TOPIC[1]]["direction"] == "mixed"
    assert studies[ON_TOPIC[1]]["direction_reason"].startswith(f"model {MODEL}: no gain over midazolam")
    assert sorted(e.pmid for e in chat.log) == sorted(ON_TOPIC) and f"model {MODEL}: 2 directions decided" in err
    markdown, _ = _report(args, capsys, "md")
    assert f"| mixed (model {MODEL}) |" in markdown
    assert len(chat.log) == 2  # the second report was answered from the cache


def test_an_endpoint_down_for_the_whole_run_leaves_the_rules_with_one_warning(setup, capsys, caplog):
    args, chat = setup
    chat.inject("500", times=100)
    with caplog.at_level(logging.WARNING):
        out, err = _report(args, capsys)
    studies = json.loads(out)["claims"][0]["studies"]
    assert {s["direction_judge"] for s in studies} == {"rules"}
    assert all("unavailable this run" in s["direction_reason"] for s in studies if s["pmid"] in ON_TOPIC)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and OFF_LINE in warnings[0]
    assert len(chat.log) == 3  # one pair's attempts, then no more requests this run


def test_a_misconfigured_judge_is_a_one_line_error(setup, capsys, monkeypatch):
    args, _ = setup
    monkeypatch.delenv("EVIDENCE_JUDGE_MODEL")
    assert cli.main([*args, "report"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "EVIDENCE_JUDGE_MODEL" in err and err.count("\n") == 1


def test_a_report_with_a_judge_on_a_missing_cache_says_so_and_creates_nothing(setup, capsys, tmp_path):
    args, chat = setup
    missing = tmp_path / "nowhere" / "evidence.sqlite"
    assert cli.main([*args[:3], str(missing), "report"]) == 1
    assert "no cache at" in capsys.readouterr().err and not missing.parent.exists() and chat.log == []


def test_refresh_judges_with_the_model_and_survives_its_endpoint_failing(setup, capsys, caplog, tmp_path,
                                                                        monkeypatch):
    args, chat = setup
    args = [*args[:3], str(tmp_path / "fresh" / "evidence.sqlite")]  # an empty cache: the refresh fills it
    registry = load_registry(args[1])
    records = fake_records()
    with FakeNCBI(records, {search_term(registry.claims[0]): [r.pmid for r in records]}) as ncbi:
        monkeypatch.setenv("NCBI_EUTILS_URL", ncbi.url)
        monkeypatch.setattr("evidence.pubmed.client.INTERVAL_NO_KEY", 0.0)  # FakeNCBI needs no pacing
        chat.inject("stall", times=3)
        chat.stall_seconds = 1.0
        caplog.set_level(logging.WARNING)
        code = cli.main([*args, "refresh", "--json", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0 and json.loads(out)["status"] == "ok" and "Traceback" not in err, err
    assert [r.levelname for r in caplog.records if OFF_LINE in r.getMessage()] == ["WARNING"]
    assert len(chat.log) == 3  # the stalled pair's attempts; the second pair was never sent
    # The next report asks the pairs the refresh could not settle, and the model now decides them.
    out, _ = _report(args, capsys)
    judges = {s["pmid"]: s["direction_judge"] for s in json.loads(out)["claims"][0]["studies"]}
    assert [judges[p] for p in ON_TOPIC] == [f"model {MODEL}"] * 2 and len(chat.log) == 5


def test_the_key_appears_nowhere_but_in_the_authorization_header(setup, capsys, caplog, tmp_path, monkeypatch):
    args, chat = setup
    caplog.set_level(logging.DEBUG)
    chat.inject("500")  # a retry, logged with its request
    _report(["-v", *args], capsys)
    monkeypatch.setenv("EVIDENCE_JUDGE_MODEL", "another-13b")  # re-asks every pair...
    chat.inject("401-echo")  # ...of a server that echoes the credentials in its error
    _, err = _report(["-v", *args], capsys)
    assert {e.headers.get("Authorization") for e in chat.log} == {f"Bearer {KEY}"}  # the key was in play
    logs = caplog.text + " ".join(repr(r.args) + r.getMessage() for r in caplog.records)
    assert "Bearer ***" in logs and "HTTP 401" in logs  # the echoing error was logged, scrubbed
    assert KEY not in logs and KEY not in err
    for path in (tmp_path / "cache").rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


def test_the_dashboard_shows_the_models_cached_directions_and_never_asks(setup, capsys, monkeypatch):
    """With EVIDENCE_JUDGE_* set, the dashboard grades as the refresh and report did (the model's
    cached answers), offline: a dashboard must not spend the endpoint's budget or wait on it."""
    from pathlib import Path

    app_testing = pytest.importorskip("streamlit.testing.v1")
    args, chat = setup
    _report(args, capsys)  # asks the stand-in once per pair and caches the answers
    asked = len(chat.log)
    chat.inject("500", times=100)  # any request from here on would fail, and be logged
    monkeypatch.setenv("EVIDENCE_QUERIES", args[1])
    monkeypatch.setenv("EVIDENCE_CACHE", args[3])
    at = app_testing.AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=60)
    at.query_params["page"], at.query_params["claim"] = "claim", "mood"
    at.run()
    assert not at.exception, at.exception
    shown = "\n".join(str(e.value) for kind in ("markdown", "caption") for e in getattr(at, kind))
    assert f"(model {MODEL} judge)" in shown
    assert f"model {MODEL}: lower scores (the rules read supports)" in shown  # the selected study's answer
    assert len(chat.log) == asked
