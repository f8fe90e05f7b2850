"""Design classifier benchmark: text-only classification against PubMed's own types.

Usage: python bench/designs.py [FIXTURES_DIR]
(default: $EVIDENCE_NCBI_FIXTURES or ../shared/fixtures/ncbi relative to the repo)

Every real record in the recorded NCBI responses whose publication types name a
design is classified with its publication types and MeSH hidden (title and abstract
only, as for a not-yet-indexed record) and compared with the design its publication
types imply. Records are de-duplicated by PMID. Prints precision and recall per design.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from evidence.errors import ParseError  # noqa: E402
from evidence.grading.classify import classify, design_from_publication_types  # noqa: E402
from evidence.pubmed.xml_parser import ParsedRecord, iter_pubmed_xml  # noqa: E402


def records(root: Path):
    seen: set[str] = set()
    for path in sorted(root.rglob("*")):
        if not path.is_file() or not (path.name.endswith(".xml") or path.name.endswith(".xml.gz")):
            continue
        try:
            for item in iter_pubmed_xml(str(path)):
                if isinstance(item, ParsedRecord) and item.record.pmid not in seen:
                    seen.add(item.record.pmid)
                    yield item.record
        except ParseError:
            continue  # error envelopes and non-PubMed documents


def main(argv: list[str]) -> int:
    default = os.environ.get("EVIDENCE_NCBI_FIXTURES", str(REPO.parent / "shared" / "fixtures" / "ncbi"))
    args = [a for a in argv[1:] if not a.startswith("-")]
    root = Path(args[0] if args else default)
    pairs = []
    for rec in records(root):
        truth = design_from_publication_types(rec.publication_types)
        if truth is None:
            continue
        hidden = dataclasses.replace(rec, publication_types=(), mesh=())
        pairs.append((truth[0], classify(hidden).design, rec))
    tp, pred, gold = Counter(), Counter(), Counter()
    for t, p, _ in pairs:
        gold[t] += 1
        pred[p] += 1
        tp[t] += t == p
    print(f"records with a design in their publication types: {len(pairs)} (from {root})")
    print(f"{'design':22} {'gold':>5} {'pred':>5} {'precision':>9} {'recall':>7}")
    for d in sorted(set(gold) | set(pred), key=lambda d: -gold[d]):
        prec = f"{tp[d] / pred[d]:.2f}" if pred[d] else "-"
        rec = f"{tp[d] / gold[d]:.2f}" if gold[d] else "-"
        print(f"{d:22} {gold[d]:>5} {pred[d]:>5} {prec:>9} {rec:>7}")
    sr = {"meta-analysis", "systematic-review"}
    sr_gold = [p for t, p, _ in pairs if t in sr]
    rct_gold = [p for t, p, _ in pairs if t == "rct"]
    if "-v" in argv:
        for t, p, r in pairs:
            if t != p:
                print(f"  PMID {r.pmid}: PubMed {t}, text {p}: {r.title[:80]}")
    print(f"rct recall: {sum(p == 'rct' for p in rct_gold) / max(1, len(rct_gold)):.3f} (n={len(rct_gold)})")
    print(f"systematic-review/meta-analysis recall (either label): "
          f"{sum(p in sr for p in sr_gold) / max(1, len(sr_gold)):.3f} (n={len(sr_gold)})")
    print(f"accuracy: {sum(t == p for t, p, _ in pairs) / max(1, len(pairs)):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
