"""Study classifier against the expert key: design, species and n, per study-claim pair.

Usage: python bench/designs_key.py [KEY_DIR] [-v]
(default: $EVIDENCE_EXPERT_KEY or ../shared/data/expert-key relative to the repo)

Each pair of the key's ``pairs.jsonl`` is classified as the tool would see it: a pair with a
PMID uses the record ``parse_pubmed_xml`` reads from ``records.xml`` (the 8 PMIDs that serve
two claims carry both claims' paraphrases in one abstract, which is fine for design); a pair
without a PMID becomes a Record with its title, its finding as a CONCLUSIONS abstract, year,
journal and publication types. ``classify`` then gives design, species and n, compared with
the expert's ``expert_design``, ``expert_species`` and ``n``.

Design is reported strictly and with the key's "other" read as the tool's "editorial" (the key
has no editorial label: its "other" holds commentaries and pooled secondary analyses).
Prints per-design precision and recall; ``-v`` lists every disagreement with its reason.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from evidence.grading.classify import StudyClass, classify  # noqa: E402
from evidence.models import AbstractSection, PubDate, Record  # noqa: E402
from evidence.pubmed.xml_parser import parse_pubmed_xml  # noqa: E402


def key_dir(argv: list[str]) -> Path:
    args = [a for a in argv[1:] if not a.startswith("-")]
    default = os.environ.get("EVIDENCE_EXPERT_KEY", str(REPO.parent / "shared" / "data" / "expert-key"))
    return Path(args[0] if args else default)


def pair_record(pair: dict, line: int, xml: dict[str, Record]) -> Record:
    """The record the tool would classify for this pair."""
    if pair.get("pmid"):
        return xml[pair["pmid"]]
    finding = pair["finding"]
    return Record(
        pmid=f"key-line-{line}", title=pair.get("title") or "", abstract=f"CONCLUSIONS: {finding}",
        abstract_sections=(AbstractSection("CONCLUSIONS", "CONCLUSIONS", finding),),
        journal=pair.get("journal") or "", iso_abbreviation=pair.get("journal") or "",
        pub_date=PubDate(year=pair.get("year")), year=pair.get("year"), doi=pair.get("doi"),
        publication_types=tuple(pair.get("pubmed_publication_types") or ()), languages=("eng",),
    )


def design_agrees(expert: str, tool: str, lenient: bool) -> bool:
    return expert == tool or (lenient and expert == "other" and tool == "editorial")


def table(rows: list[tuple[str, str]], title: str) -> None:
    gold, pred, tp = Counter(), Counter(), Counter()
    for g, p in rows:
        gold[g] += 1
        pred[p] += 1
        tp[g] += g == p
    print(f"{title:22} {'expert':>6} {'tool':>5} {'precision':>9} {'recall':>7}")
    for d in sorted(set(gold) | set(pred), key=lambda d: (-gold[d], d)):
        prec = f"{tp[d] / pred[d]:.2f}" if pred[d] else "-"
        rec = f"{tp[d] / gold[d]:.2f}" if gold[d] else "-"
        print(f"{d:22} {gold[d]:>6} {pred[d]:>5} {prec:>9} {rec:>7}")


def main(argv: list[str]) -> int:
    root = key_dir(argv)
    if not (root / "pairs.jsonl").is_file() or not (root / "records.xml").is_file():
        print(f"expert key not found at {root} (set EVIDENCE_EXPERT_KEY); nothing measured")
        return 0
    lines = (root / "pairs.jsonl").read_text(encoding="utf-8").splitlines()
    pairs = [(i + 1, json.loads(line)) for i, line in enumerate(lines) if line.strip()]
    parsed, _ = parse_pubmed_xml((root / "records.xml").read_bytes())
    xml = {p.record.pmid: p.record for p in parsed}
    results: list[tuple[int, dict, StudyClass]] = [(i, p, classify(pair_record(p, i, xml))) for i, p in pairs]

    total = len(results)
    strict = sum(design_agrees(p["expert_design"], s.design, False) for _, p, s in results)
    lenient = sum(design_agrees(p["expert_design"], s.design, True) for _, p, s in results)
    species = sum(p["expert_species"] == s.species for _, p, s in results)
    with_n = [(p["n"], s.n) for _, p, s in results if p.get("n") is not None]
    n_exact = sum(e == t for e, t in with_n)
    n_near = sum(t is not None and abs(e - t) <= 0.1 * e for e, t in with_n)
    # The expert often reads n from the full paper; a paraphrase may state no number at all.
    n_wrong = sum(t is not None and t != e for e, t in with_n)
    print(f"expert key: {total} study-claim pairs ({root})")
    print(f"design agrees: {lenient}/{total} = {lenient / total:.1%} "
          f"(strict, tool editorial counted wrong for the key's other: {strict}/{total} = {strict / total:.1%})")
    print(f"species agrees: {species}/{total} = {species / total:.1%}")
    print(f"n exact where the expert gives one: {n_exact}/{len(with_n)} = {n_exact / len(with_n):.1%} "
          f"(within 10%: {n_near}); a different number: {n_wrong}, none read: {len(with_n) - n_exact - n_wrong}; "
          f"tool gives an n the expert does not: {sum(p.get('n') is None and s.n is not None for _, p, s in results)}")
    certainty = sum(s.stated_certainty is not None for _, _, s in results)
    limited = sum(bool(s.limitations) for _, _, s in results)
    print(f"stated certainty read on {certainty} pairs, self-declared limitations on {limited}")
    print()
    table([(p["expert_design"], "other" if s.design == "editorial" and p["expert_design"] == "other" else s.design)
           for _, p, s in results], "design")
    print()
    table([(p["expert_species"], s.species) for _, p, s in results], "species")
    if "-v" in argv:
        print("\ndisagreements (line of pairs.jsonl, PMID, claim):")
        for i, p, s in results:
            where = f"line {i} {p.get('pmid') or 'no PMID'} {p['claim']}"
            if not design_agrees(p["expert_design"], s.design, True):
                print(f"  design  {where}: expert {p['expert_design']}, tool {s.design} ({s.design_reason})")
            if p["expert_species"] != s.species:
                print(f"  species {where}: expert {p['expert_species']}, tool {s.species} ({s.species_reason})")
            if p.get("n") is not None and p["n"] != s.n:
                print(f"  n       {where}: expert {p['n']}, tool {s.n} ({s.n_reason})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
