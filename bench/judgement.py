"""How well the whole judgement (directions, designs, verdicts) agrees with people who read the studies.

Usage (from the repository root):

    python bench/judgement.py [--verbose] [--json PATH] [--only key|pubmedqa|healthver ...]

Three parts, each skipped with a message when its data is absent:

(a) the expert key ($EVIDENCE_EXPERT_KEY, default ../shared/data/expert-key; claims from
    $EVIDENCE_QUERIES, default queries.yaml): each claim given exactly the expert's studies;
    directions and designs per pair, verdicts per claim under the key's mapping, the count of
    "supported" where the experts say contradicted or unsupported, and the verdicts again with
    the expert's directions fed in as reviewer annotations (judge errors vs aggregation errors).
    Point $EVIDENCE_EXPERT_KEY at the held-out half to check it the same way.
(b) PubMedQA dev ($EVIDENCE_PUBMEDQA, default ../shared/data/pubmedqa/pqal_dev.json).
(c) HealthVer ($EVIDENCE_HEALTHVER = path of healthver_dev.csv; healthver_test.csv beside it too).

(b) and (c) go through ``judge_pair``, the path of ``evidence judge``. --verbose lists every
disagreement; --json writes the summary (and the per-claim table) for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import judgement_key  # noqa: E402
import judgement_pairs  # noqa: E402

PARTS = ("key", "pubmedqa", "healthver")


def _key(verbose: bool) -> dict[str, Any] | str:
    key, queries = judgement_key.key_dir(), judgement_key.queries_path()
    needed = [key / name for name in ("pairs.jsonl", "verdicts.jsonl", "records.xml")]
    if not all(p.is_file() for p in needed):
        return f"expert key not found at {key} (set EVIDENCE_EXPERT_KEY): skipped"
    if not queries.is_file():
        return f"claims registry not found at {queries} (set EVIDENCE_QUERIES): skipped"
    print(f"== (a) expert key: {key} (claims from {queries})")
    rows = judgement_key.run_key(key, queries)
    summary = judgement_key.summarise(rows)
    judgement_key.print_report(rows, summary, verbose)
    return {"path": str(key), **summary}


def _pubmedqa(verbose: bool) -> dict[str, Any] | str:
    path = judgement_pairs.pubmedqa_path()
    if not path.is_file():
        return f"PubMedQA not found at {path} (set EVIDENCE_PUBMEDQA): skipped"
    print(f"== (b) PubMedQA: {path}")
    scores = judgement_pairs.run_pubmedqa(path, verbose)
    scores.print()
    return {"path": str(path), **scores.to_dict()}


def _healthver(verbose: bool) -> dict[str, Any] | str:
    paths = judgement_pairs.healthver_paths()
    if not paths:
        return "HealthVer not found (set EVIDENCE_HEALTHVER to the path of healthver_dev.csv): skipped"
    out: dict[str, Any] = {}
    for path in paths:
        print(f"== (c) HealthVer: {path}")
        scores = judgement_pairs.run_healthver(path, verbose)
        scores.print()
        out[path.stem.replace("healthver_", "")] = {"path": str(path), **scores.to_dict()}
    return out


def _pct(k: int, n: int) -> str:
    return f"{k}/{n} ({100 * k / n:.0f}%)" if n else "-"


def summary_rows(results: dict[str, Any]) -> list[tuple[str, str]]:
    """(measure, figure) lines of the summary table, from the parts that ran."""
    rows: list[tuple[str, str]] = []
    key = results.get("key")
    if isinstance(key, dict):
        n, c = key["pairs"], key["claims"]
        rows += [
            ("key: directions agree (per pair)", _pct(key["directions_agree"], n)),
            ("key: designs agree (per pair)", _pct(key["designs_agree"], n)),
            ("key: designs agree, typed by PubMed / untyped",
             f"{_pct(*key['designs_typed'])} / {_pct(*key['designs_untyped'])}"),
            ("key: verdicts agree (per claim)", _pct(key["verdicts_agree"], c)),
            ("key: verdicts agree with the expert's directions", _pct(key["verdicts_agree_expert_directions"], c)),
            ("key: \"supported\" where experts say contradicted/unsupported",
             f"{key['unforgivable']} (with expert directions {key['unforgivable_expert_directions']})"),
        ]
    qa = results.get("pubmedqa")
    if isinstance(qa, dict):
        rows.append((f"PubMedQA dev ({qa['items']}): accuracy / macro-F1 (always {qa['baseline']['always']!r})",
                     f"{qa['accuracy']:.3f} / {qa['macro_f1']:.3f} ({qa['baseline']['accuracy']:.3f})"))
    hv = results.get("healthver")
    if isinstance(hv, dict):
        for split, s in hv.items():
            rows.append((f"HealthVer {split} ({s['items']}): accuracy / macro-F1 (always neutral)",
                         f"{s['accuracy']:.3f} / {s['macro_f1']:.3f} ({s['baseline']['accuracy']:.3f})"))
    for part in PARTS:
        if isinstance(results.get(part), str):
            rows.append((part, results[part]))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--verbose", "-v", action="store_true", help="list every disagreement with its reason")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON ('-': standard output)")
    parser.add_argument("--only", action="append", choices=PARTS, help="run only this part (repeatable)")
    args = parser.parse_args(argv)
    runners = {"key": _key, "pubmedqa": _pubmedqa, "healthver": _healthver}
    results: dict[str, Any] = {}
    started = time.perf_counter()
    for part in args.only or PARTS:
        results[part] = runners[part](args.verbose)
        if isinstance(results[part], str):
            print(f"== {part}: {results[part]}")
        print()
    rows = summary_rows(results)
    width = max(len(m) for m, _ in rows)
    print("Summary" + f" ({time.perf_counter() - started:.0f} s)")
    for measure, figure in rows:
        print(f"  {measure:<{width}}  {figure}")
    if args.json:
        payload = {"summary": dict(rows), **results}
        text = json.dumps(payload, indent=2, ensure_ascii=False)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
            print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
