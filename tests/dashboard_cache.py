"""Test helper: a temporary evidence cache filled from real PubMed XML, for the dashboard tests.

Records come from real efetch fixtures (../shared, via ``ncbi_fixtures``) or from our own
``tests/data/parser_*.xml``; they are linked to claims of the real ``queries.yaml`` only so
the dashboard has something to show (the links are test scaffolding, not evidence).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from evidence.cache import Cache
from evidence.grading.service import assess_claims
from evidence.pubmed.xml_parser import ParsedRecord, parse_pubmed_xml
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
        # As a refresh does: grade with a writable cache (stores the labels), snapshot the grades.
        evidence = assess_claims(claims, cache)
        cache.save_grade_snapshots(run, [(cid, e.grade.verdict, e.grade.strength, e.grade.reasons, "", "{}")
                                         for cid, e in evidence.items()], now=now)
    return BuiltCache(path, queries, registry, {k: tuple(v) for k, v in links.items()}, claims[1].id)
