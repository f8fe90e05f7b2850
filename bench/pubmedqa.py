"""Direction-judge benchmark on PubMedQA's expert-labelled questions (development half).

Usage: python bench/pubmedqa.py [PATH] [-v]
(default: $EVIDENCE_PUBMEDQA or ../shared/data/pubmedqa/pqal_dev.json relative to the repo)

Part (b) of bench/judgement.py, on its own: each item goes through ``judge_pair`` (the path of
``evidence judge``), QUESTION as the statement (polarity guessed by ``infer_polarity``) and
LONG_ANSWER (the abstract's own conclusion) as the text.
Gold: yes = supports, no = contradicts, maybe = mixed or unclear.
Reference points (Jin et al. 2019): always "yes" 0.552, a single human 0.780.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from judgement_pairs import pubmedqa_path, run_pubmedqa


def main(argv: list[str]) -> int:
    args = [a for a in argv[1:] if not a.startswith("-")]
    path = Path(args[0]) if args else pubmedqa_path()
    if not path.is_file():
        print(f"PubMedQA not found at {path} (set EVIDENCE_PUBMEDQA or pass a path)")
        return 2
    scores = run_pubmedqa(path, verbose="-v" in argv)
    print(f"({path})")
    scores.print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
