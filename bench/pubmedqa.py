"""Direction-judge benchmark on PubMedQA's expert-labelled questions (development half).

Usage: python bench/pubmedqa.py [PATH] [-v]
(default: $EVIDENCE_PUBMEDQA or ../shared/data/pubmedqa/pqal_dev.json relative to the repo)

For each item, ``judge_conclusion`` reads LONG_ANSWER (the abstract's own conclusion)
against QUESTION (as the statement, polarity guessed by ``infer_polarity``).
Gold: yes = supports, no = contradicts, maybe = mixed or unclear.
Reference points (Jin et al. 2019): always "yes" 0.552, a single human 0.780.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from evidence.grading.direction import infer_polarity, judge_conclusion  # noqa: E402

LABEL = {"supports": "yes", "contradicts": "no", "mixed": "maybe", "unclear": "maybe"}
CLASSES = ("yes", "no", "maybe")


def main(argv: list[str]) -> int:
    args = [a for a in argv[1:] if not a.startswith("-")]
    default = os.environ.get("EVIDENCE_PUBMEDQA", str(REPO.parent / "shared" / "data" / "pubmedqa" / "pqal_dev.json"))
    path = Path(args[0] if args else default)
    items = json.loads(path.read_text(encoding="utf-8"))
    confusion: Counter[tuple[str, str]] = Counter()
    for pmid, item in items.items():
        q = item["QUESTION"]
        d = judge_conclusion(q, item["LONG_ANSWER"], infer_polarity(q))
        gold, pred = item["final_decision"], LABEL[d.direction]
        confusion[gold, pred] += 1
        if "-v" in argv and gold != pred:
            print(f"{pmid} gold={gold} pred={pred} | {q}\n    {d.reason}\n    {item['LONG_ANSWER'][:300]}")
    total = sum(confusion.values())
    correct = sum(confusion[c, c] for c in CLASSES)
    f1s = []
    print(f"PubMedQA items: {total} ({path})")
    print("confusion (rows gold, columns predicted):")
    print(f"{'':8}" + "".join(f"{c:>8}" for c in CLASSES))
    for g in CLASSES:
        print(f"{g:8}" + "".join(f"{confusion[g, p]:>8}" for p in CLASSES))
    for c in CLASSES:
        tp = confusion[c, c]
        pred_n = sum(confusion[g, c] for g in CLASSES)
        gold_n = sum(confusion[c, p] for p in CLASSES)
        prec = tp / pred_n if pred_n else 0.0
        rec = tp / gold_n if gold_n else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        f1s.append(f1)
        print(f"{c:6} precision {prec:.3f} recall {rec:.3f} F1 {f1:.3f}")
    print(f"macro-F1: {sum(f1s) / len(f1s):.3f}")
    print(f"accuracy: {correct / total:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
