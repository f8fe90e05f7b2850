"""Dashboard render times with 20,000 studies in the cache (AppTest, cold and warm).

    python bench/dashboard.py [--studies 20000] [--runs 5]

The real recorded efetch records (../shared/fixtures/ncbi/efetch) are cloned under new
PMIDs (benchmark only, never in the product) and linked to the claims of queries.yaml:
every study to one claim round-robin, and a fifth of them also to the first claim, so one
claim page carries 4,000 studies. As after a refresh, the labels (design, direction) are
computed once with a writable cache before timing. "Cold" is the first render in a fresh
process-level Streamlit cache; "warm" is the median of the next runs (what a user sees
after the first visit, until a refresh or review changes the cache fingerprint).
Goal: under 1.5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from evidence.cache import Cache, utcnow  # noqa: E402
from evidence.grading.service import assess_claims, snapshot_grades  # noqa: E402
from evidence.models import Annotation  # noqa: E402
from evidence.pubmed.xml_parser import parse_pubmed_xml  # noqa: E402
from evidence.registry import load_registry, search_term  # noqa: E402
from tests.ncbi_server import load_records_from_files, scaled_records  # noqa: E402

FIXTURES = Path(os.environ.get("EVIDENCE_NCBI_FIXTURES", REPO.parent / "shared" / "fixtures" / "ncbi"))


def build(path: Path, n: int) -> tuple[str, float]:
    registry = load_registry(REPO / "queries.yaml")
    claims = registry.claims
    fake = scaled_records(load_records_from_files(sorted((FIXTURES / "efetch").rglob("*.xml"))), n, 90_000_000)
    t0 = time.perf_counter()
    with Cache(path) as cache:
        run = cache.start_run(0)
        for i in range(0, n, 2000):
            chunk = fake[i : i + 2000]
            parsed, _ = parse_pubmed_xml(
                b"<PubmedArticleSet>" + b"".join(r.xml for r in chunk) + b"</PubmedArticleSet>"
            )
            links = {}
            for j, p in enumerate(parsed):
                k = i + j
                links[p.record.pmid] = [claims[k % len(claims)].id] + (
                    [claims[0].id] if k % 5 == 0 and k % len(claims) else []
                )
            cache.store_batch([(p.record, p.raw_xml) for p in parsed], links, run_id=run)
        for c in claims:
            cache.claim_succeeded(c.id, term=search_term(c), watermark="2026-01-01")
            cache.log_search(run_id=run, claim_id=c.id, term=search_term(c), query_translation=None, count=0)
        cache.finish_run(run, "ok", requests=0)
        snapshot_grades(registry.claims, cache, run)  # labels and grade snapshots, as at the end of a refresh
        evidence = assess_claims([claims[0]], cache)
    print(
        f"built {n} studies in {time.perf_counter() - t0:.1f} s; claim {claims[0].id} has "
        f"{len(evidence[claims[0].id].assessments)} studies"
    )
    return claims[0].id, time.perf_counter() - t0


def render(params: dict[str, str]) -> float:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    for k, v in params.items():
        at.query_params[k] = v
    t0 = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - t0
    if at.exception:
        raise SystemExit(f"the app failed: {at.exception[0].message}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--studies", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep", type=Path, help="build the cache here (reused when it exists) instead of a temp dir")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "evidence.sqlite"
        if path.exists():
            claim_id = load_registry(REPO / "queries.yaml").claims[0].id
        else:
            claim_id, _ = build(path, args.studies)
        os.environ["EVIDENCE_CACHE"] = str(path)
        os.environ["EVIDENCE_QUERIES"] = str(REPO / "queries.yaml")
        results = {}
        for name, params in (("overview", {}), ("claim page", {"page": "claim", "claim": claim_id})):
            cold = render(params)
            warm = statistics.median(render(params) for _ in range(args.runs))
            results[name] = (cold, warm)
            print(f"{name:<11} cold {cold:6.2f} s   warm {warm:6.2f} s (median of {args.runs})")
        # A review of one study: only that claim is re-graded (per-claim cache keys).
        other = load_registry(REPO / "queries.yaml").claims[1].id
        with Cache(path) as cache:
            pmid = sorted(cache.claim_pmids(other))[0]
            cache.save_annotation(Annotation(other, pmid, "bench", relevant=False, updated_at=utcnow()))
        review = render({"page": "claim", "claim": other})
        print(f"after a review of a {other} study: {review:.2f} s")
    warm_ok = max(w for _c, w in results.values()) < 1.5 and review < 1.5
    cold_ok = max(c for c, _w in results.values()) < 1.5
    print(
        f"headline: {args.studies} studies: overview warm {results['overview'][1]:.2f} s "
        f"(cold {results['overview'][0]:.2f} s), claim page warm {results['claim page'][1]:.2f} s "
        f"(cold {results['claim page'][0]:.2f} s), after a review {review:.2f} s; "
        f"goal 1.5 s: warm {'met' if warm_ok else 'MISSED'}, cold {'met' if cold_ok else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
