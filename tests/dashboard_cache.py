"""Test helper: a temporary evidence cache filled from real PubMed XML, for the dashboard tests.

Records come from real efetch fixtures (../shared, via ``ncbi_fixtures``) or from our own
``tests/data/parser_*.xml``; they are linked to claims of the real ``queries.yaml`` only so
the dashboard has something to show (the links are test scaffolding, not evidence).

``ensure_assess()`` installs a private stand-in for ``evidence.assess`` (the lead's module,
contract in the dashboard brief) only while that module does not exist yet; it never
touches the product.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from evidence.cache import Cache
from evidence.models import Claim
from evidence.pubmed_xml import ParsedRecord, parse_pubmed_xml
from evidence.registry import Registry, load_registry, search_term

REPO = Path(__file__).resolve().parents[1]
QUERIES = REPO / "queries.yaml"
OWN_XML = sorted((REPO / "tests" / "data").glob("parser_*.xml"))
SCRIPT_PMID = "99990001"
SCRIPT_TITLE = "Ketamine <script>window.__pwned = 1</script> and <b>bold</b> claims"


def parse_files(paths: Iterable[Path]) -> list[ParsedRecord]:
    """Every record the parser keeps from ``paths`` (first PMID wins)."""
    out: dict[str, ParsedRecord] = {}
    for path in paths:
        data = path.read_bytes()
        if path.suffix == ".gz":
            import gzip

            data = gzip.decompress(data)
        try:
            parsed, _skipped = parse_pubmed_xml(data)
        except Exception:  # a fixture that is not efetch XML (error envelopes...)
            continue
        for item in parsed:
            out.setdefault(item.record.pmid, item)
    return list(out.values())


def real_fixture_files(ncbi_fixtures: Path) -> list[Path]:
    efetch = ncbi_fixtures / "efetch"
    return sorted(p for p in efetch.rglob("*.xml") if p.is_file())


def script_record(template: ParsedRecord) -> ParsedRecord:
    """A real record's XML under a new PMID with a title holding a <script> tag (escaped in XML)."""
    el = etree.fromstring(template.raw_xml)
    for node in el.xpath("MedlineCitation/PMID | PubmedData/ArticleIdList/ArticleId[@IdType='pubmed']"):
        node.text = SCRIPT_PMID
    title = el.find("MedlineCitation/Article/ArticleTitle")
    for child in list(title):
        title.remove(child)
    title.text = SCRIPT_TITLE
    raw = etree.tostring(el)
    parsed, _ = parse_pubmed_xml(b"<PubmedArticleSet>" + raw + b"</PubmedArticleSet>")
    return parsed[0]


@dataclass(frozen=True)
class BuiltCache:
    path: Path
    queries: Path
    registry: Registry
    links: Mapping[str, tuple[str, ...]]  # claim id -> PMIDs linked
    single: str  # a claim with exactly one usable study (for the annotation test)


def build_cache(path: Path, records: Sequence[ParsedRecord], *, queries: Path = QUERIES,
                with_script: bool = True, now: str | None = None) -> BuiltCache:
    """Fill a new cache at ``path``: one finished run, records linked round-robin to claims.

    The first claim gets every record (a busy claim page); the second gets exactly one
    non-retracted record; the rest share the others round-robin.
    """
    registry = load_registry(queries)
    claims = registry.claims
    items = list(records)
    if with_script and items:
        items.append(script_record(next(r for r in items if r.record.pmid and not r.record.is_book)))
    usable = [r for r in items if not r.record.retracted]
    links: dict[str, list[str]] = {c.id: [] for c in claims}
    links[claims[0].id] = [r.record.pmid for r in items]
    links[claims[1].id] = [usable[0].record.pmid]
    rest = claims[2:]
    for i, r in enumerate(items):
        if rest:
            links[rest[i % len(rest)].id].append(r.record.pmid)
    memberships: dict[str, list[str]] = {}
    for claim_id, pmids in links.items():
        for pmid in pmids:
            memberships.setdefault(pmid, []).append(claim_id)
    with Cache(path) as cache:
        run = cache.start_run(0, now=now)
        cache.store_batch([(r.record, r.raw_xml) for r in items], memberships, run_id=run, now=now)
        for c in claims:
            term = search_term(c)
            cache.log_search(run_id=run, claim_id=c.id, term=term, query_translation=f"translated: {term}",
                             count=len(links[c.id]), now=now)
            cache.claim_succeeded(c.id, term=term, watermark=(now or "2026-01-01")[:10], now=now)
        cache.finish_run(run, "ok", requests=len(claims) + 1, now=now)
        ensure_assess()
        from evidence.assess import assess_claims

        evidence = assess_claims(claims, cache)
        cache.save_grades(run, [(cid, e.grade.verdict, e.grade.strength, e.grade.reasons)
                                for cid, e in evidence.items()], now=now)
    return BuiltCache(path, queries, registry, {k: tuple(v) for k, v in links.items()}, claims[1].id)


# --- private stand-in for evidence.assess (only until the real module lands) ----------

def ensure_assess() -> None:
    """Make ``evidence.assess`` importable: the real module when present, else the stand-in."""
    if "evidence.assess" in sys.modules or importlib.util.find_spec("evidence.assess") is not None:
        return
    sys.modules["evidence.assess"] = _stub_module()
    import evidence

    evidence.assess = sys.modules["evidence.assess"]  # type: ignore[attr-defined]


def _stub_module() -> types.ModuleType:
    import pandas as pd

    from evidence.classify import DESIGNS
    from evidence.grading import Assessment, Grade, assess, grade

    mod = types.ModuleType("evidence.assess")
    mod.__doc__ = "test stand-in for the lead's evidence.assess"

    @dataclass(frozen=True)
    class ClaimEvidence:
        claim: Claim
        grade: Grade
        assessments: tuple[Assessment, ...]

    def assess_claims(claims: Sequence[Claim], cache: Cache) -> dict[str, ClaimEvidence]:
        notes = {}
        for a in cache.annotations():
            notes[(a.claim_id, a.pmid)] = a
        out = {}
        for c in claims:
            found = [assess(c, r, notes.get((c.id, r.pmid))) for r in cache.records_for_claim(c.id)]
            found.sort(key=lambda a: (a.study.retracted, a.study.tier, -(a.record.year or 0), a.record.pmid))
            out[c.id] = ClaimEvidence(c, grade(c, found), tuple(found))
        return out

    def studies_frame(ev: ClaimEvidence) -> pd.DataFrame:
        cols = ["pmid", "title", "year", "journal", "doi", "design", "design_reason", "tier", "species",
                "species_reason", "n", "direction", "direction_sentence", "direction_reason", "retracted",
                "relevant", "reviewed_by", "abstract"]
        return pd.DataFrame([
            (a.record.pmid, a.record.title, a.record.year, a.record.journal, a.record.doi, a.study.design,
             a.study.design_reason, a.study.tier, a.study.species, a.study.species_reason, a.study.n,
             a.direction.direction, a.direction.sentence, a.direction.reason, a.study.retracted, a.relevant,
             a.reviewed_by, a.record.abstract) for a in ev.assessments], columns=cols)

    def overview_frame(claims, evidence, cache) -> pd.DataFrame:
        state = cache.claims_overview().set_index("claim_id")
        rows = []
        for c in claims:
            ev = evidence[c.id]
            counts = dict(ev.grade.counts_by_design)
            years = [a.record.year for a in ev.assessments if a.record.year]
            rows.append({"id": c.id, "article": c.article, "kind": c.kind, "statement": c.statement,
                         "quote": c.quote, "verdict": ev.grade.verdict, "strength": ev.grade.strength,
                         **{d: counts.get(d, 0) for d in DESIGNS},
                         "newest_year": max(years) if years else None,
                         "last_refreshed": state["last_success"].get(c.id) if c.id in state.index else None,
                         "studies": len(ev.assessments)})
        return pd.DataFrame(rows)

    mod.ClaimEvidence = ClaimEvidence
    mod.assess_claims = assess_claims
    mod.studies_frame = studies_frame
    mod.overview_frame = overview_frame
    return mod
