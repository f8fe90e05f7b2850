"""The grader against the expert key: verdicts on the expert's own study labels.

Usage: python bench/grader_key.py [-v] [--registry PATH]
(key: $EVIDENCE_EXPERT_KEY or ../shared/data/expert-key relative to the repo; skipped, saying
why, when absent; claims: the repo's queries.yaml unless --registry names another file)

Each claim of the key is graded on exactly the expert's studies, with the expert's direction for
every study, so what is measured is the grader (aggregation and certainty), not the judge:

  (a) expert labels: the expert's direction, design, species and n; what the key does not label
      (pooled designs of a review, stated certainty, self-declared limits) comes from the tool's
      own ``classify`` of the record;
  (b) tool labels: the expert's direction with the tool's ``classify`` of the record.

Records: pairs with a PMID use the record that ``parse_pubmed_xml`` gives for records.xml (what
``evidence import`` would store); pairs without one get a Record with the pair's title, its
finding as the abstract's conclusion, year, journal and publication types.

Magnitude: the key's directions carry none. For a claim whose registry entry asserts a proportion
(``quantities``), each study's magnitude is read from the first percentage its finding states,
compared with the claim's figure (within 5 points: as claimed). Claims without quantities get
none, and the grader treats them as it would any claim without a number.

Agreement follows the key's README: supported -> supported; partly supported -> supported or
mixed; mixed -> mixed; contradicted -> contradicted (mixed a near miss); unsupported ->
insufficient or contradicted; insufficient -> insufficient. "Unforgivable": supported where the
expert says contradicted or unsupported (the target is 0).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from evidence.grading.classify import StudyClass, classify  # noqa: E402
from evidence.grading.direction import Direction  # noqa: E402
from evidence.grading.grade import Assessment, Grade, grade  # noqa: E402
from evidence.models import AbstractSection, Claim, PubDate, Record  # noqa: E402
from evidence.pubmed.xml_parser import parse_pubmed_xml  # noqa: E402
from evidence.registry import load_registry  # noqa: E402
from evidence.vocabulary import TIERS  # noqa: E402

ACCEPT = {
    "supported": {"supported"},
    "partly supported": {"supported", "mixed"},
    "mixed": {"mixed"},
    "contradicted": {"contradicted"},
    "unsupported": {"insufficient", "contradicted"},
    "insufficient": {"insufficient"},
}
NEAR_MISS = {("contradicted", "mixed")}
UNFORGIVABLE = {("contradicted", "supported"), ("unsupported", "supported")}
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s?%")
_TOLERANCE = 5.0  # percentage points within which a reported figure counts as the claimed one


def key_dir() -> Path:
    return Path(os.environ.get("EVIDENCE_EXPERT_KEY", str(REPO.parent / "shared" / "data" / "expert-key")))


def load_key(key: Path) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]], dict[str, Record]]:
    lines = (key / "pairs.jsonl").read_text(encoding="utf-8").splitlines()
    pairs = [json.loads(line) for line in lines if line.strip()]
    verdicts = {}
    for line in (key / "verdicts.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            verdicts[d["claim"]] = d
    parsed, _ = parse_pubmed_xml((key / "records.xml").read_bytes())
    return pairs, verdicts, {p.record.pmid: p.record for p in parsed}


def record_for(pair: dict[str, Any], index: int, xml: dict[str, Record]) -> Record:
    if pair["pmid"] and pair["pmid"] in xml:
        return xml[pair["pmid"]]
    finding = pair["finding"]
    return Record(
        pmid=f"nopmid-{index:03d}", title=pair.get("title") or "", abstract=f"CONCLUSIONS: {finding}",
        abstract_sections=(AbstractSection("CONCLUSIONS", "CONCLUSIONS", finding),),
        journal=pair.get("journal") or "", pub_date=PubDate(year=pair.get("year")), year=pair.get("year"),
        doi=pair.get("doi"), publication_types=tuple(pair.get("pubmed_publication_types") or ()),
    )


def expert_study(pair: dict[str, Any], tool: StudyClass) -> StudyClass:
    """The expert's design, species and n; the rest (pooled, stated certainty, limits) from the tool."""
    design = pair["expert_design"]
    return dataclasses.replace(
        tool, design=design, design_reason="expert key", tier=TIERS[design], species=pair["expert_species"],
        species_reason="expert key", n=pair["n"], n_reason="expert key",
        pooled=tool.pooled if design in ("meta-analysis", "systematic-review") else None, notice=False,
    )


def magnitude(claim: Claim, finding: str) -> str | None:
    """How the finding's first percentage compares with the proportion the claim asserts, if any."""
    claimed = next((q for q in claim.quantities if q.kind == "proportion" and q.unit == "%"), None)
    found = _PERCENT.search(finding)
    if claimed is None or found is None:
        return None
    value = float(found.group(1))
    low = claimed.value
    high = claimed.value_to if claimed.value_to is not None else claimed.value
    if value < low - _TOLERANCE:
        return "smaller"
    if value > high + _TOLERANCE and claimed.bound not in ("at-least",):
        return "larger"
    return "as-claimed"


def assessments(claim: Claim, items: list[tuple[int, dict[str, Any]]], xml: dict[str, Record],
                labels: str) -> list[Assessment]:
    out = []
    for index, pair in items:
        record = record_for(pair, index, xml)
        tool = classify(record)
        study = expert_study(pair, tool) if labels == "expert" else tool
        direction = Direction(pair["expert_direction"], pair["finding"], 1.0, "the expert key", judge="expert",
                              magnitude=magnitude(claim, pair["finding"]))
        out.append(Assessment(record, study, direction))
    return out


def outcome(expert: str, verdict: str) -> str:
    if verdict in ACCEPT[expert]:
        return "ok"
    if (expert, verdict) in UNFORGIVABLE:
        return "UNFORGIVABLE"
    return "near miss" if (expert, verdict) in NEAR_MISS else "miss"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="print each grade's reasons")
    parser.add_argument("--registry", type=Path, default=REPO / "queries.yaml", help="claims file (queries.yaml)")
    args = parser.parse_args(argv[1:])
    key = key_dir()
    if not (key / "pairs.jsonl").exists():
        print(f"skipped: no expert key at {key} (set EVIDENCE_EXPERT_KEY)")
        return 0
    pairs, verdicts, xml = load_key(key)
    registry = load_registry(args.registry)
    by_claim: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for index, pair in enumerate(pairs):
        by_claim[pair["claim"]].append((index, pair))
    totals = {"expert": [0, 0], "tool": [0, 0]}
    print(f"{'claim':<28} {'expert':<17} {'(a) expert labels':<28} {'(b) tool labels':<28}")
    for claim_id, items in by_claim.items():
        claim = registry.claim(claim_id)
        expert = verdicts[claim_id]["expert_verdict"]
        cells, grades = [], []
        for labels in ("expert", "tool"):
            g: Grade = grade(claim, assessments(claim, items, xml, labels))
            result = outcome(expert, g.verdict)
            totals[labels][0] += result == "ok"
            totals[labels][1] += result == "UNFORGIVABLE"
            cells.append(f"{g.verdict}/{g.strength} {'' if result == 'ok' else result}".strip())
            grades.append(g)
        print(f"{claim_id:<28} {expert:<17} {cells[0]:<28} {cells[1]:<28}")
        if args.verbose:
            for labels, g in zip(("a", "b"), grades, strict=True):
                for reason in g.reasons:
                    print(f"    ({labels}) {reason}")
    n = len(by_claim)
    for labels, name in (("expert", "(a) expert labels"), ("tool", "(b) tool labels")):
        agree, unforgivable = totals[labels]
        print(f"{name}: {agree}/{n} verdicts agree; {unforgivable} unforgivable")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
