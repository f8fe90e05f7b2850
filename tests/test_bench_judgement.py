"""bench/judgement.py's arithmetic and its data handling (the figures themselves live in docs/benchmarks.md).

The key here is a tiny made-up one in the expert key's format, for claims read from queries.yaml
at test time: it shows the bench runs on any half of the key (other claim ids, other PMIDs).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from evidence.grading.classify import classify
from evidence.grading.direction import judge_direction
from evidence.pubmed.xml_parser import parse_pubmed_xml
from evidence.registry import load_registry

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

import judgement_key  # noqa: E402
import judgement_pairs  # noqa: E402

XML = """<?xml version="1.0" ?>
<PubmedArticleSet><PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">90000001</PMID>
<Article PubModel="Print"><Journal><JournalIssue CitedMedium="Print"><PubDate><Year>2020</Year></PubDate></JournalIssue>
<Title>J Test</Title></Journal><ArticleTitle>A made-up trial for the bench test</ArticleTitle><Abstract>
<AbstractText Label="CONCLUSIONS" NlmCategory="CONCLUSIONS">{finding}</AbstractText></Abstract><Language>eng</Language>
<PublicationTypeList><PublicationType UI="D016449">Randomized Controlled Trial</PublicationType></PublicationTypeList>
</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>
"""


def _make_key(tmp_path: Path) -> tuple[Path, list[str]]:
    claims = load_registry(REPO / "queries.yaml").claims[:2]
    a, b = claims[0].id, claims[1].id
    finding = "Ketamine significantly reduced symptoms compared with placebo."
    pairs = [
        {"claim": a, "pmid": "90000001", "title": "A made-up trial for the bench test", "year": 2020, "journal": "J Test",
         "expert_direction": "supports", "expert_design": "rct", "expert_species": "human", "n": 10,
         "pubmed_publication_types": ["Randomized Controlled Trial"], "finding": finding, "doi": None},
        {"claim": a, "pmid": None, "title": "An untyped cohort", "year": 2019, "journal": "J Test",
         "expert_direction": "contradicts", "expert_design": "cohort", "expert_species": "human", "n": 50,
         "pubmed_publication_types": [], "finding": "Ketamine did not change outcomes in this cohort.", "doi": None},
        {"claim": b, "pmid": "90000001", "title": "A made-up trial for the bench test", "year": 2020, "journal": "J Test",
         "expert_direction": "mixed", "expert_design": "rct", "expert_species": "human", "n": 10,
         "pubmed_publication_types": ["Randomized Controlled Trial"], "finding": finding, "doi": None},
    ]
    verdicts = [{"claim": a, "expert_verdict": "unsupported"}, {"claim": b, "expert_verdict": "partly supported"},
                {"claim": "not-a-claim-of-the-registry", "expert_verdict": "supported"}]
    key = tmp_path / "key"
    key.mkdir()
    (key / "pairs.jsonl").write_text("".join(json.dumps(p) + "\n" for p in pairs), encoding="utf-8")
    (key / "verdicts.jsonl").write_text("".join(json.dumps(v) + "\n" for v in verdicts), encoding="utf-8")
    (key / "records.xml").write_text(XML.format(finding=finding), encoding="utf-8")
    return key, [a, b]


def _bench(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("EVIDENCE_")} | {"PYTHONPATH": str(REPO), **env}
    return subprocess.run([sys.executable, str(REPO / "bench" / "judgement.py"), *args], capture_output=True,
                          text=True, env=full, cwd=REPO, timeout=300)


@pytest.mark.parametrize("expert, tool, expected", [
    ("supported", "supported", "agree"),
    ("partly supported", "mixed", "agree"),
    ("partly supported", "contradicted", "disagree"),
    ("contradicted", "mixed", "near-miss"),
    ("contradicted", "supported", "UNFORGIVABLE"),
    ("unsupported", "insufficient", "agree"),
    ("unsupported", "contradicted", "agree"),
    ("unsupported", "supported", "UNFORGIVABLE"),
    ("insufficient", "mixed", "disagree"),
])
def test_verdict_mapping_follows_the_key_readme(expert, tool, expected):
    assert judgement_key.agreement(expert, tool) == expected


def test_scores_accuracy_macro_f1_and_baseline():
    confusion = Counter({("yes", "yes"): 6, ("yes", "no"): 2, ("no", "no"): 1, ("no", "yes"): 1})
    s = judgement_pairs.Scores("t", ("yes", "no"), confusion, Counter(), "yes")
    assert s.accuracy == pytest.approx(0.7)
    # yes: P 6/7, R 6/8; no: P 1/3, R 1/2
    f_yes, f_no = 2 * (6 / 7) * (6 / 8) / (6 / 7 + 6 / 8), 2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2)
    assert s.macro_f1 == pytest.approx((f_yes + f_no) / 2)
    assert s.baseline == pytest.approx(0.8)


def test_the_key_part_runs_on_any_key_in_the_format(tmp_path):
    key, (a, b) = _make_key(tmp_path)
    out = _bench({"EVIDENCE_EXPERT_KEY": str(key)}, "--only", "key", "--json", "-")
    assert out.returncode == 0, out.stderr
    assert "not-a-claim-of-the-registry" in out.stdout and "skipped" in out.stdout
    result = json.loads(out.stdout[out.stdout.index("\n{") + 1:])["key"]
    assert result["claims"] == 2 and result["pairs"] == 3
    # The same judge and classifier, called directly, give the bench's counts.
    registry = load_registry(REPO / "queries.yaml")
    record = parse_pubmed_xml((key / "records.xml").read_bytes())[0][0].record
    tool = [judge_direction(registry.claim(a), record).direction, judge_direction(registry.claim(b), record).direction]
    untyped_pair = json.loads((key / "pairs.jsonl").read_text(encoding="utf-8").splitlines()[1])
    untyped = judgement_key._record_without_pmid(untyped_pair, 2)
    tool.append(judge_direction(registry.claim(a), untyped).direction)
    assert result["directions_agree"] == (tool[0] == "supports") + (tool[1] == "mixed") + (tool[2] == "contradicts")
    assert untyped.abstract_sections[0].text == untyped_pair["finding"] and not untyped.publication_types
    assert result["designs_typed"] == [2 * (classify(record).design == "rct"), 2]
    assert result["designs_untyped"][1] == 1
    assert [c["claim"] for c in result["per_claim"]] == [a, b]


def test_each_part_is_skipped_with_a_message_when_its_data_is_absent(tmp_path):
    missing = tmp_path / "nothing-here"
    out = _bench({"EVIDENCE_EXPERT_KEY": str(missing), "EVIDENCE_PUBMEDQA": str(missing / "pqal_dev.json")})
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert f"expert key not found at {missing}" in text
    assert "PubMedQA not found" in text and "EVIDENCE_PUBMEDQA" in text
    assert "HealthVer not found (set EVIDENCE_HEALTHVER" in text


def test_healthver_reader_maps_labels_and_rejects_other_files(tmp_path):
    good = tmp_path / "healthver_dev.csv"
    good.write_text("id,evidence,claim,label,topic_ip,question\n1,Some evidence.,A claim.,Refutes,t,q\n"
                    "2,Other evidence.,A claim.,Neutral,t,q\n", encoding="utf-8")
    assert [i.gold for i in judgement_pairs.healthver_items(good)] == ["contradicts", "neutral"]
    bad = tmp_path / "other.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="not a HealthVer file"):
        judgement_pairs.healthver_items(bad)
