"""Does a learned layer over the rules' cues earn its place? (issue 11, "a learned layer only where
it earns its place"). A logistic regression over interpretable features of the rules' reading is
trained on public labelled pairs and scored on data it was not trained on, beside the rules.

Features (each names a cue, so a learned reason could still name it): the rules' direction
(one-hot) and confidence, whether they found the text on topic and a number to compare, the summed
"for" and "against" weights of the text's clauses read against the claim, their hedge count and
flags (qualified, partial, noncommit, unmeasured, caution, hedged), and the claim's word overlap
with the text. Labels on three classes: supports, contradicts, neutral (mixed or unclear).

Data, each read from a path in the environment and skipped with a message when absent:
  $EVIDENCE_PUBMEDQA      PubMedQA dev half (pqal_dev.json); default ../shared/data/pubmedqa
  $EVIDENCE_HEALTHVER     healthver_dev.csv (healthver_test.csv beside it); github:sarrouti/HealthVer
  $EVIDENCE_EXPERT_KEY    the expert key (pairs.jsonl, records.xml); default ../shared/data/expert-key

Needs scikit-learn, which the product does not (``pip install scikit-learn``). Nothing is
written: the figures and the decision are in docs/benchmarks.md ("Learned layer").

    python bench/learned_layer.py
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evidence.grading.direction import judge_direction  # noqa: E402 - the rules, as the refresh runs them
from evidence.grading.pairs import claim_from_text  # noqa: E402
from evidence.grading.reading import clauses, read_clause, sentences, shape_of  # noqa: E402
from evidence.grading.relevance import concepts, stems  # noqa: E402
from evidence.models import AbstractSection, Claim, Record  # noqa: E402

DIRECTIONS = ("supports", "contradicts", "mixed", "unclear")
FLAGS = ("qualified", "partial", "noncommit", "unmeasured", "caution", "hedged")
CLASS = {"supports": 0, "contradicts": 1, "mixed": 2, "unclear": 2}  # three classes: neutral = mixed or unclear

Item = tuple[Claim, str, int]  # (claim, text, gold class)


def features(claim: Claim, text: str) -> tuple[list[float], int]:
    """The feature vector of one pair and the rules' own class for it."""
    c, shape = concepts(claim), shape_of(claim)
    for_ = against = hedges = 0.0
    flags: set[str] = set()
    for sentence in sentences(text):
        for clause in clauses(sentence):
            r = read_clause(clause, shape, c)
            for_, against, hedges = for_ + r.for_, against + r.against, hedges + r.hedges
            flags |= r.flags
    record = Record(pmid="0", abstract=text, abstract_sections=(AbstractSection("CONCLUSIONS", "CONCLUSIONS", text),))
    rules = judge_direction(claim, record)
    overlap = len(stems(claim.statement) & stems(text)) / (len(stems(claim.statement)) or 1)
    x = [for_, against, (for_ - against) / (for_ + against + 1), hedges, overlap, rules.confidence,
         float(rules.on_topic), float(rules.magnitude is not None)]
    x += [float(f in flags) for f in FLAGS] + [float(rules.direction == d) for d in DIRECTIONS]
    return x, CLASS[rules.direction]


def pubmedqa() -> list[Item] | str:
    path = Path(os.environ.get("EVIDENCE_PUBMEDQA", ROOT.parent / "shared/data/pubmedqa")) / "pqal_dev.json"
    if not path.exists():
        return f"PubMedQA skipped: {path} not found (set EVIDENCE_PUBMEDQA)"
    gold = {"yes": 0, "no": 1, "maybe": 2}
    items = json.loads(path.read_text(encoding="utf-8")).values()
    return [(claim_from_text(i["QUESTION"]), i["LONG_ANSWER"], gold[i["final_decision"]]) for i in items]


def healthver(split: str) -> list[Item] | str:
    dev = os.environ.get("EVIDENCE_HEALTHVER")
    if not dev:
        return f"HealthVer {split} skipped: set EVIDENCE_HEALTHVER to healthver_dev.csv"
    path = Path(dev).with_name(f"healthver_{split}.csv")
    if not path.exists():
        return f"HealthVer {split} skipped: {path} not found"
    gold = {"Supports": 0, "Refutes": 1, "Neutral": 2}
    with path.open(encoding="utf-8", newline="") as f:
        return [(claim_from_text(r["claim"]), r["evidence"], gold[r["label"]]) for r in csv.DictReader(f)]


def expert_key() -> list[Item] | str:
    from evidence.pubmed.xml_parser import parse_pubmed_xml
    from evidence.registry import load_registry

    key = Path(os.environ.get("EVIDENCE_EXPERT_KEY", ROOT.parent / "shared/data/expert-key"))
    if not (key / "pairs.jsonl").exists():
        return f"expert key skipped: {key}/pairs.jsonl not found (set EVIDENCE_EXPERT_KEY)"
    registry = load_registry(os.environ.get("EVIDENCE_QUERIES", ROOT / "queries.yaml"))
    parsed, _ = parse_pubmed_xml((key / "records.xml").read_bytes())
    abstracts = {p.record.pmid: p.record.abstract for p in parsed}
    pairs = [json.loads(line) for line in (key / "pairs.jsonl").read_text(encoding="utf-8").splitlines() if line]
    return [(registry.claim(p["claim"]), abstracts.get(p["pmid"] or "", "") or p["finding"],
             CLASS[p["expert_direction"]]) for p in pairs]


def _matrix(items: Iterable[Item]) -> tuple[list[list[float]], list[int], list[int]]:
    xs, gold, rules = [], [], []
    for claim, text, label in items:
        x, r = features(claim, text)
        xs.append(x)
        gold.append(label)
        rules.append(r)
    return xs, gold, rules


def _accuracy(predicted: Iterable[int], gold: list[int]) -> float:
    return sum(p == g for p, g in zip(predicted, gold, strict=True)) / len(gold)


def main() -> int:
    try:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
    except ImportError:
        print("learned layer skipped: scikit-learn is not installed (pip install scikit-learn)")
        return 0
    loaders: dict[str, Callable[[], list[Item] | str]] = {
        "PubMedQA dev": pubmedqa, "HealthVer test": lambda: healthver("test"),
        "HealthVer dev": lambda: healthver("dev"), "expert key": expert_key}
    data = {}
    for name, load in loaders.items():
        items = load()
        if isinstance(items, str):
            print(items)
            continue
        data[name] = _matrix(items)
        print(f"{name}: {len(items)} pairs, the rules {_accuracy(data[name][2], data[name][1]):.3f} (3 classes)")
    print("\n| trained on | scored on | rules | learned |\n|---|---|---:|---:|")
    for train in ("PubMedQA dev", "HealthVer test"):
        if train not in data:
            continue
        model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
        model.fit(data[train][0], data[train][1])
        for test in data:
            if test != train:
                xs, gold, rules = data[test]
                print(f"| {train} | {test} | {_accuracy(rules, gold):.3f} | {_accuracy(model.predict(xs), gold):.3f} |")
    if "PubMedQA dev" in data:  # two folds within PubMedQA: the learned layer's best case, one distribution
        xs, gold, rules = data["PubMedQA dev"]
        half = len(gold) // 2
        folds = [(range(half), range(half, len(gold))), (range(half, len(gold)), range(half))]
        scores = []
        for train_ix, test_ix in folds:
            model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
            model.fit([xs[i] for i in train_ix], [gold[i] for i in train_ix])
            scores.append(_accuracy(model.predict([xs[i] for i in test_ix]), [gold[i] for i in test_ix]))
        print(f"| PubMedQA dev, half | the other half (mean of 2 folds) | {_accuracy(rules, gold):.3f} | "
              f"{sum(scores) / 2:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
