"""`evidence judge PAIRS.jsonl`: your own claim/text pairs through the refresh's direction judge.

The rows are clear-cut on purpose (a plain significant effect, a plain null finding, a text about
something else), so they hold for any sound judge; the wiring test checks that the command gives
exactly what ``judge_pair`` (the library) gives, so the CLI adds nothing of its own.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evidence import cli
from evidence.errors import ConfigError
from evidence.grading.pairs import claim_from_text, judge_pair, pair_result, parse_pairs, statement_kind

MIGRAINE = "Drug X reduces migraine frequency."

PAIRS = [
    # id, claim, text, polarity, expected direction
    ("effect", MIGRAINE, "Drug X significantly reduced migraine frequency compared with placebo.", None, "supports"),
    ("null", MIGRAINE, "Drug X did not reduce migraine frequency: there was no significant difference from "
     "placebo.", None, "contradicts"),
    ("off-topic", "Ketamine causes ulcerative cystitis.", "Statins lowered LDL cholesterol in elderly "
     "patients.", None, "unclear"),
    ("safe", "Ketamine is safe at subanaesthetic doses.", "Subanaesthetic ketamine was well tolerated, with no "
     "serious adverse events.", "no-effect", "supports"),
    (7, "Ketamine causes ulcerative cystitis.", "Ketamine use was significantly associated with ulcerative "
     "cystitis in recreational users.", None, "supports"),
]


def _write_pairs(path: Path, rows=PAIRS) -> Path:
    lines = []
    for pair_id, claim, text, polarity, _ in rows:
        line = {"id": pair_id, "claim": claim, "text": text}
        if polarity:
            line["polarity"] = polarity
        lines.append(json.dumps(line))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert err and "Traceback" not in "\n".join(err)
    return next(line for line in err if line.startswith("error:"))


def test_judge_writes_one_line_per_pair_with_the_expected_direction(tmp_path, capsys):
    pairs = _write_pairs(tmp_path / "pairs.jsonl")
    assert cli.main(["judge", str(pairs)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["id"] for o in out] == [row[0] for row in PAIRS]
    for got, (pair_id, *_, expected) in zip(out, PAIRS, strict=True):
        assert set(got) == {"id", "direction", "confidence", "sentence", "reason", "judge"}
        assert got["direction"] == expected, (pair_id, got["reason"])
        assert got["reason"] and got["judge"] and 0.0 <= got["confidence"] <= 1.0


def test_judge_output_is_exactly_what_the_library_judge_says(tmp_path, capsys):
    pairs = _write_pairs(tmp_path / "pairs.jsonl")
    out_path = tmp_path / "out" / "judged.jsonl"
    assert cli.main(["judge", str(pairs), "-o", str(out_path)]) == 0
    assert capsys.readouterr().out == ""
    got = [json.loads(line) for line in out_path.read_text(encoding="utf-8").splitlines()]
    want = [pair_result(p, judge_pair(p.claim, p.text, p.polarity))
            for p in parse_pairs(pairs.read_text(encoding="utf-8"), "x")]
    assert got == want


def test_off_topic_pair_is_unclear_with_its_reason():
    d = judge_pair("Ketamine causes ulcerative cystitis.", "Statins lowered LDL cholesterol in elderly patients.")
    assert d.direction == "unclear" and not d.on_topic and d.reason


def test_judge_reads_standard_input(monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"id": "s", "claim": MIGRAINE, "text": PAIRS[0][2]})))
    assert cli.main(["judge", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["direction"] == "supports"


@pytest.mark.parametrize("content, expected", [
    ('{"id": "a", "claim": "c", "text": "t"}\n{"id": "b", "claim": "c"\n', ":2: not valid JSON"),
    ('["a", "c", "t"]\n', ":1: expected a JSON object"),
    ('{"claim": "c", "text": "t"}\n', ':1: "id" must be'),
    ('{"id": "a", "text": "t"}\n', ':1: "claim" must be a non-empty string'),
    ('{"id": "a", "claim": "c", "text": "   "}\n', ':1: "text" must be a non-empty string'),
    ('{"id": "a", "claim": "c", "text": "t", "polarity": "positive"}\n', ':1: "polarity" \'positive\' is not one of'),
    ('{"id": "a", "claim": "c", "text": "t"}\n\n{"id": "a", "claim": "d", "text": "u"}\n', ":3: duplicate id 'a' (first on line 1)"),
    ("\n\n", ": no pairs"),
])
def test_a_bad_pairs_file_is_one_located_error_and_nothing_is_written(tmp_path, capsys, content, expected):
    pairs = tmp_path / "bad.jsonl"
    pairs.write_text(content, encoding="utf-8")
    out_path = tmp_path / "judged.jsonl"
    assert cli.main(["judge", str(pairs), "-o", str(out_path)]) == 2
    line = _error_line(capsys)
    assert line.startswith(f"error: {pairs}") and expected in line, line
    assert not out_path.exists()
    assert list(tmp_path.iterdir()) == [pairs]  # no temporary file left either


def test_a_bad_file_keeps_an_existing_output_untouched(tmp_path, capsys):
    pairs = tmp_path / "bad.jsonl"
    pairs.write_text("not json\n", encoding="utf-8")
    out_path = tmp_path / "judged.jsonl"
    out_path.write_text("earlier results\n", encoding="utf-8")
    assert cli.main(["judge", str(pairs), "-o", str(out_path)]) == 2
    assert out_path.read_text(encoding="utf-8") == "earlier results\n"
    assert f"{pairs}:1:" in _error_line(capsys)


@pytest.mark.parametrize("make", [
    lambda p: p,  # missing
    lambda p: (p.write_bytes(b'{"id": "a", "claim": "\xff", "text": "t"}\n'), p)[1],  # not UTF-8
])
def test_an_unreadable_pairs_file_is_a_config_error(tmp_path, capsys, make):
    path = make(tmp_path / "pairs.jsonl")
    assert cli.main(["judge", str(path)]) == 2
    assert str(path) in _error_line(capsys)


@pytest.mark.parametrize("statement, kind", [
    ("Ketamine reduces depressive symptoms.", "efficacy"),
    ("Ketamine reduces the risk of suicide.", "efficacy"),
    ("Repeated ketamine use can cause bladder damage.", "safety"),
    ("Ketamine's side effects resolve within hours.", "safety"),
    ("Long-term ketamine use impairs memory.", "safety"),
    ("Ketamine is safe for patients with heart disease.", "safety"),
    ("Ketamine can lead to addiction.", "safety"),
])
def test_statement_kind(statement, kind):
    assert statement_kind(statement) == kind
    assert claim_from_text(statement).kind == kind


def test_claim_from_text_infers_polarity_unless_given():
    assert claim_from_text("Ketamine does not impair memory.").polarity == "no-effect"
    assert claim_from_text("Ketamine improves mood.").polarity == "effect"
    claim = claim_from_text("Ketamine lowers glutamate release.", "decrease")
    assert claim.polarity == "decrease" and claim.id == "pair"
    assert not claim.intervention and not claim.outcome


def test_claim_from_text_rejects_an_unknown_polarity():
    with pytest.raises(ConfigError, match="unknown polarity"):
        claim_from_text("Ketamine improves mood.", "positive")
