"""The claim/text parts of bench/judgement.py: PubMedQA dev and HealthVer, through ``judge_pair``.

Every item goes through ``evidence.grading.pairs.judge_pair``, the path ``evidence judge`` takes
(an ad-hoc claim from the statement, the text as the abstract's CONCLUSIONS, the refresh's
``judge_direction`` with its off-topic gate).

- PubMedQA (``$EVIDENCE_PUBMEDQA``, default ``../shared/data/pubmedqa/pqal_dev.json``): QUESTION
  is the statement (polarity inferred), LONG_ANSWER the text. Gold yes = supports, no =
  contradicts, maybe = mixed or unclear. Baseline: always the most common gold class.
- HealthVer (``$EVIDENCE_HEALTHVER``, the path of healthver_dev.csv; healthver_test.csv is read
  from the same folder when present): claim against evidence. Gold Supports = supports, Refutes =
  contradicts, Neutral = mixed or unclear. Baseline: always "neutral".
"""

from __future__ import annotations

import csv
import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidence.grading.pairs import judge_pair

REPO = Path(__file__).resolve().parents[1]

PUBMEDQA_CLASSES = ("yes", "no", "maybe")
PUBMEDQA_LABEL = {"supports": "yes", "contradicts": "no", "mixed": "maybe", "unclear": "maybe"}
HEALTHVER_CLASSES = ("supports", "contradicts", "neutral")
HEALTHVER_GOLD = {"Supports": "supports", "Refutes": "contradicts", "Neutral": "neutral"}
HEALTHVER_LABEL = {"supports": "supports", "contradicts": "contradicts", "mixed": "neutral", "unclear": "neutral"}


def pubmedqa_path() -> Path:
    default = REPO.parent / "shared" / "data" / "pubmedqa" / "pqal_dev.json"
    return Path(os.environ.get("EVIDENCE_PUBMEDQA", str(default)))


def healthver_paths() -> list[Path]:
    """healthver_dev.csv ($EVIDENCE_HEALTHVER) and, beside it, healthver_test.csv, those that exist."""
    value = os.environ.get("EVIDENCE_HEALTHVER")
    if not value:
        return []
    dev = Path(value)
    return [p for p in (dev, dev.with_name("healthver_test.csv")) if p.is_file()]


@dataclass
class Scores:
    """A confusion matrix over fixed classes, and what it gives."""

    name: str
    classes: tuple[str, ...]
    confusion: Counter[tuple[str, str]]  # (gold, predicted) -> count
    raw: Counter[str]  # the judge's own four directions
    baseline_class: str  # the class a trivial baseline always answers

    @property
    def total(self) -> int:
        return sum(self.confusion.values())

    @property
    def accuracy(self) -> float:
        return sum(self.confusion[c, c] for c in self.classes) / self.total if self.total else 0.0

    def per_class(self) -> dict[str, dict[str, float]]:
        out = {}
        for c in self.classes:
            tp = self.confusion[c, c]
            predicted = sum(self.confusion[g, c] for g in self.classes)
            gold = sum(self.confusion[c, p] for p in self.classes)
            precision = tp / predicted if predicted else 0.0
            recall = tp / gold if gold else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            out[c] = {"gold": gold, "predicted": predicted, "precision": precision, "recall": recall, "f1": f1}
        return out

    @property
    def macro_f1(self) -> float:
        return sum(v["f1"] for v in self.per_class().values()) / len(self.classes)

    @property
    def baseline(self) -> float:
        gold = sum(self.confusion[self.baseline_class, p] for p in self.classes)
        return gold / self.total if self.total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": self.total,
            "accuracy": round(self.accuracy, 3),
            "macro_f1": round(self.macro_f1, 3),
            "baseline": {"always": self.baseline_class, "accuracy": round(self.baseline, 3)},
            "confusion": {g: {p: self.confusion[g, p] for p in self.classes} for g in self.classes},
            "per_class": {c: {k: round(v, 3) for k, v in d.items()} for c, d in self.per_class().items()},
            "raw_directions": dict(self.raw),
        }

    def print(self) -> None:
        print(f"{self.name}: {self.total} items")
        print("  rows gold, columns predicted: " + "".join(f"{c:>12}" for c in self.classes))
        for g in self.classes:
            gold_n = sum(self.confusion[g, p] for p in self.classes)
            print(f"  {f'{g} ({gold_n})':<29}" + "".join(f"{self.confusion[g, p]:>12}" for p in self.classes))
        for c, d in self.per_class().items():
            print(f"  {c:<12} precision {d['precision']:.3f} recall {d['recall']:.3f} F1 {d['f1']:.3f}")
        print(f"  accuracy {self.accuracy:.3f}, macro-F1 {self.macro_f1:.3f}; "
              f"always {self.baseline_class!r} {self.baseline:.3f}")
        print("  the judge's directions: " + ", ".join(f"{k} {v}" for k, v in self.raw.most_common()))


@dataclass(frozen=True)
class Item:
    id: str
    statement: str
    text: str
    gold: str


def score(name: str, items: Iterable[Item], classes: tuple[str, ...], label: dict[str, str], baseline: str | None,
          verbose: bool) -> Scores:
    """Judge every item through ``judge_pair`` and count; ``baseline`` None: the most common gold class."""
    confusion: Counter[tuple[str, str]] = Counter()
    raw: Counter[str] = Counter()
    for item in items:
        d = judge_pair(item.statement, item.text)
        predicted = label[d.direction]
        confusion[item.gold, predicted] += 1
        raw[d.direction] += 1
        if verbose and predicted != item.gold:
            print(f"  {item.id} gold {item.gold}, predicted {predicted} ({d.direction}) | {item.statement[:150]}\n"
                  f"      {d.reason}\n      text: {item.text[:300]}")
    if baseline is None:
        gold_counts = Counter(g for g, _ in confusion.elements())
        baseline = max(classes, key=lambda c: gold_counts[c])
    return Scores(name, classes, confusion, raw, baseline)


def pubmedqa_items(path: Path) -> list[Item]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [Item(pmid, v["QUESTION"], v["LONG_ANSWER"], v["final_decision"]) for pmid, v in data.items()]


def run_pubmedqa(path: Path, verbose: bool = False) -> Scores:
    return score("PubMedQA dev", pubmedqa_items(path), PUBMEDQA_CLASSES, PUBMEDQA_LABEL, None, verbose)


def healthver_items(path: Path) -> list[Item]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    missing = {"id", "evidence", "claim", "label"} - set(rows[0] if rows else ())
    if missing:
        raise SystemExit(f"{path}: not a HealthVer file (missing columns: {', '.join(sorted(missing))})")
    return [Item(r["id"], r["claim"], r["evidence"], HEALTHVER_GOLD[r["label"].strip()]) for r in rows]


def run_healthver(path: Path, verbose: bool = False) -> Scores:
    split = path.stem.replace("healthver_", "")
    return score(f"HealthVer {split}", healthver_items(path), HEALTHVER_CLASSES, HEALTHVER_LABEL, "neutral", verbose)
