"""The expert key part of bench/judgement.py: each claim given exactly the expert's studies.

The key (``$EVIDENCE_EXPERT_KEY``, default ``../shared/data/expert-key``; see its README) holds
``pairs.jsonl`` (study x claim, with the expert's direction and design), ``verdicts.jsonl`` (one
verdict per claim) and ``records.xml`` (the studies with a PMID, as PubMed XML). Claims come from
``$EVIDENCE_QUERIES`` (default ``queries.yaml`` of the repository). Nothing here names a claim or
a PMID: the held-out half of the key, in the same format, runs unchanged.

Pairs with a PMID use the record parsed from records.xml (as ``evidence import`` would see it);
pairs without one get a Record built from the pair: its title, the finding as a CONCLUSIONS
section, year, journal and publication types.
"""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidence.grading.classify import classify, design_from_publication_types
from evidence.grading.direction import judge_direction
from evidence.grading.grade import Assessment, Grade, assess, grade
from evidence.models import AbstractSection, Annotation, Claim, PubDate, Record
from evidence.pubmed.xml_parser import parse_pubmed_xml
from evidence.registry import load_registry
from evidence.vocabulary import DIRECTIONS

REPO = Path(__file__).resolve().parents[1]

# The key's README: expert verdict -> the tool verdicts that agree with it.
ACCEPT: dict[str, frozenset[str]] = {
    "supported": frozenset({"supported"}),
    "partly supported": frozenset({"supported", "mixed"}),
    "mixed": frozenset({"mixed"}),
    "contradicted": frozenset({"contradicted"}),
    "unsupported": frozenset({"insufficient", "contradicted"}),
    "insufficient": frozenset({"insufficient"}),
}
NEAR_MISS = {("contradicted", "mixed")}
# The one unforgivable error: "supported" where the experts say contradicted or unsupported.
UNFORGIVABLE = {("contradicted", "supported"), ("unsupported", "supported")}
EXPERT = "expert key"  # the reviewer name on the expert's directions


def key_dir() -> Path:
    return Path(os.environ.get("EVIDENCE_EXPERT_KEY", str(REPO.parent / "shared" / "data" / "expert-key")))


def queries_path() -> Path:
    return Path(os.environ.get("EVIDENCE_QUERIES", str(REPO / "queries.yaml")))


def agreement(expert: str, tool: str) -> str:
    """agree, near-miss, UNFORGIVABLE or disagree, under the README's mapping."""
    if tool in ACCEPT[expert]:
        return "agree"
    if (expert, tool) in UNFORGIVABLE:
        return "UNFORGIVABLE"
    return "near-miss" if (expert, tool) in NEAR_MISS else "disagree"


@dataclass
class PairRow:
    claim: str
    pmid: str  # the real PMID, or "(no PMID) line N"
    title: str
    typed: bool  # PubMed's publication types name a design
    expert_direction: str
    tool_direction: str
    direction_reason: str
    direction_sentence: str
    expert_design: str
    tool_design: str
    design_reason: str


@dataclass
class ClaimRow:
    claim: str
    statement: str
    expert_verdict: str
    tool: Grade
    with_expert_directions: Grade
    pairs: list[PairRow] = field(default_factory=list)

    @property
    def tool_agreement(self) -> str:
        return agreement(self.expert_verdict, self.tool.verdict)

    @property
    def expert_dirs_agreement(self) -> str:
        return agreement(self.expert_verdict, self.with_expert_directions.verdict)


def _lines(path: Path) -> list[tuple[int, dict[str, Any]]]:
    text = path.read_text(encoding="utf-8")
    return [(i, json.loads(line)) for i, line in enumerate(text.splitlines(), 1) if line.strip()]


def _record_without_pmid(pair: dict[str, Any], line: int) -> Record:
    finding = pair.get("finding") or ""
    journal = pair.get("journal") or ""
    return Record(
        pmid=f"no-pmid-{line}",
        title=pair.get("title") or "",
        abstract=f"CONCLUSIONS: {finding}",
        abstract_sections=(AbstractSection("CONCLUSIONS", "CONCLUSIONS", finding),),
        journal=journal,
        iso_abbreviation=journal,
        pub_date=PubDate(year=pair.get("year")),
        year=pair.get("year"),
        doi=pair.get("doi"),
        publication_types=tuple(pair.get("pubmed_publication_types") or ()),
        languages=("eng",),
    )


def run_key(key: Path, queries: Path) -> list[ClaimRow]:
    """Every claim of the key, judged and graded twice: as the tool is, and with the expert's directions."""
    registry = load_registry(queries)
    known = {c.id for c in registry.claims}
    parsed, skipped = parse_pubmed_xml((key / "records.xml").read_bytes())
    if skipped:
        print(f"warning: the parser skipped {len(skipped)} record(s) of {key / 'records.xml'}")
    records = {p.record.pmid: p.record for p in parsed}
    verdicts = {v["claim"]: v for _, v in _lines(key / "verdicts.jsonl")}
    by_claim: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for line, pair in _lines(key / "pairs.jsonl"):
        by_claim[pair["claim"]].append((line, pair))
    rows = []
    for claim_id, verdict in verdicts.items():
        if claim_id not in known:
            print(f"warning: claim {claim_id!r} of the key is not in {queries}: skipped")
            continue
        if verdict["expert_verdict"] not in ACCEPT:
            raise SystemExit(f"{key / 'verdicts.jsonl'}: unknown expert verdict {verdict['expert_verdict']!r}")
        rows.append(_judge_claim(registry.claim(claim_id), verdict["expert_verdict"], by_claim[claim_id], records))
    return rows


def _judge_claim(claim: Claim, expert_verdict: str, pairs: list[tuple[int, dict[str, Any]]],
                 records: dict[str, Record]) -> ClaimRow:
    tool: list[Assessment] = []
    expert: list[Assessment] = []
    rows: list[PairRow] = []
    for line, pair in pairs:
        pmid = pair.get("pmid")
        if pmid and pmid not in records:
            raise SystemExit(f"pairs.jsonl:{line}: PMID {pmid} is not in records.xml")
        record = records[pmid] if pmid else _record_without_pmid(pair, line)
        study = classify(record)
        direction = judge_direction(claim, record)
        tool.append(assess(claim, record, study=study, direction=direction))
        # The expert's direction as a reviewer's annotation: it overrides the judge, nothing else.
        note = Annotation(claim.id, record.pmid, EXPERT, direction=pair["expert_direction"])
        expert.append(assess(claim, record, note, study=study, direction=direction))
        typed = design_from_publication_types(record.publication_types) is not None
        rows.append(PairRow(claim.id, pmid or f"(no PMID) line {line}", record.title, typed,
                            pair["expert_direction"], direction.direction, direction.reason, direction.sentence,
                            pair["expert_design"], study.design, study.design_reason))
    return ClaimRow(claim.id, claim.statement, expert_verdict, grade(claim, tool), grade(claim, expert), rows)


def _share(k: int, n: int) -> str:
    return f"{k}/{n} ({100 * k / n:.0f}%)" if n else "0/0"


def summarise(rows: list[ClaimRow]) -> dict[str, Any]:
    """The figures of the key part, as plain data (the --json output and the summary table)."""
    pairs = [p for r in rows for p in r.pairs]
    typed = [p for p in pairs if p.typed]
    untyped = [p for p in pairs if not p.typed]
    confusion = Counter((p.expert_direction, p.tool_direction) for p in pairs)
    return {
        "claims": len(rows),
        "pairs": len(pairs),
        "directions_agree": sum(p.expert_direction == p.tool_direction for p in pairs),
        "direction_confusion": {e: {t: confusion[e, t] for t in DIRECTIONS} for e in DIRECTIONS},
        "designs_agree": sum(p.expert_design == p.tool_design for p in pairs),
        "designs_typed": [sum(p.expert_design == p.tool_design for p in typed), len(typed)],
        "designs_untyped": [sum(p.expert_design == p.tool_design for p in untyped), len(untyped)],
        "verdicts_agree": sum(r.tool_agreement == "agree" for r in rows),
        "verdicts_near_miss": sum(r.tool_agreement == "near-miss" for r in rows),
        "unforgivable": sum(r.tool_agreement == "UNFORGIVABLE" for r in rows),
        "verdicts_agree_expert_directions": sum(r.expert_dirs_agreement == "agree" for r in rows),
        "unforgivable_expert_directions": sum(r.expert_dirs_agreement == "UNFORGIVABLE" for r in rows),
        "per_claim": [
            {"claim": r.claim, "expert": r.expert_verdict,
             "tool": f"{r.tool.verdict}, {r.tool.strength}", "tool_agreement": r.tool_agreement,
             "with_expert_directions": f"{r.with_expert_directions.verdict}, {r.with_expert_directions.strength}",
             "expert_directions_agreement": r.expert_dirs_agreement,
             "directions_agree": [sum(p.expert_direction == p.tool_direction for p in r.pairs), len(r.pairs)],
             "designs_agree": [sum(p.expert_design == p.tool_design for p in r.pairs), len(r.pairs)]}
            for r in rows
        ],
    }


_MARK = {"agree": "", "near-miss": " ~", "disagree": " X", "UNFORGIVABLE": " X!!"}


def print_report(rows: list[ClaimRow], summary: dict[str, Any], verbose: bool) -> None:
    n_pairs, n_claims = summary["pairs"], summary["claims"]
    print(f"claims {n_claims}, study-claim pairs {n_pairs}")
    width = max([len(r.claim) for r in rows] + [5])
    print(f"\n{'claim':<{width}}  {'expert':<17} {'tool':<26} {'with expert directions':<26} directions designs")
    for r, c in zip(rows, summary["per_claim"], strict=True):
        tool = c["tool"] + _MARK[r.tool_agreement]
        exp = c["with_expert_directions"] + _MARK[r.expert_dirs_agreement]
        d, s = c["directions_agree"], c["designs_agree"]
        print(f"{r.claim:<{width}}  {r.expert_verdict:<17} {tool:<26} {exp:<26} {d[0]:>4}/{d[1]:<5} {s[0]:>3}/{s[1]}")
    print("(X disagrees, ~ near miss, X!! supported where the experts say contradicted or unsupported)")
    print(f"\ndirections agree: {_share(summary['directions_agree'], n_pairs)}")
    print("  rows expert, columns tool: " + " ".join(f"{d:>11}" for d in DIRECTIONS))
    for e in DIRECTIONS:
        print(f"  {e:<26} " + " ".join(f"{summary['direction_confusion'][e][t]:>11}" for t in DIRECTIONS))
    typed, untyped = summary["designs_typed"], summary["designs_untyped"]
    print(f"designs agree: {_share(summary['designs_agree'], n_pairs)} (typed by PubMed {_share(*typed)}, "
          f"untyped {_share(*untyped)})")
    print(f"verdicts agree: {_share(summary['verdicts_agree'], n_claims)} "
          f"(near misses {summary['verdicts_near_miss']}); unforgivable: {summary['unforgivable']}")
    print(f"verdicts with the expert's directions: {_share(summary['verdicts_agree_expert_directions'], n_claims)}; "
          f"unforgivable: {summary['unforgivable_expert_directions']}")
    if verbose:
        _print_disagreements(rows)


def _print_disagreements(rows: list[ClaimRow]) -> None:
    print("\nverdict disagreements:")
    for r in rows:
        if r.tool_agreement != "agree":
            print(f"  [{r.claim}] expert {r.expert_verdict}, tool {r.tool.verdict} {r.tool.strength}: "
                  f"{r.tool.reasons[0] if r.tool.reasons else ''}")
            if r.expert_dirs_agreement != "agree":
                first = r.with_expert_directions.reasons[0] if r.with_expert_directions.reasons else ""
                print(f"      with the expert's directions still {r.with_expert_directions.verdict}: {first}")
    print("\ndirection disagreements:")
    for p in (p for r in rows for p in r.pairs if p.expert_direction != p.tool_direction):
        print(f"  [{p.claim}] {p.pmid} {p.title[:70]!r}: expert {p.expert_direction}, tool {p.tool_direction}\n"
              f"      {p.direction_reason}")
    print("\ndesign disagreements:")
    for p in (p for r in rows for p in r.pairs if p.expert_design != p.tool_design):
        print(f"  [{p.claim}] {p.pmid} {p.title[:70]!r}: expert {p.expert_design}, tool {p.tool_design} "
              f"({p.design_reason}){'' if p.typed else ' [untyped]'}")
