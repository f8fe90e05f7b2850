"""Requests and wall time of a refresh against FakeNCBI enforcing NCBI's 3 requests/s.

Usage (from the repository root):

    python bench/refresh.py [--per-claim N] [--step N] [--latency S]

Records: every real record in the recorded fixtures (efetch/ and baseline/ of
$EVIDENCE_NCBI_FIXTURES, default ../shared/fixtures/ncbi), spread over the claims of the
real queries.yaml (N per claim, claim i starting at i*step, so neighbours overlap). FakeNCBI
answers with ``latency`` seconds of delay and 429s past 3 requests/s; the client is the
one the CLI builds (default pacing, no API key).

Scenarios: (a) first refresh, (b) nothing new, (c) a few new and a few revised records.
Scenarios run 1.1 s apart with a new client each (as separate cron runs would), so one run's
requests do not count against the next one's second at the server. Each is compared with the
floor (one esearch per claim plus one efetch per 500 unique
records to fetch, at 3 requests/s) and with the naive pattern (per claim: esearch, then
efetch of everything it found; no dedupe, nothing incremental), which is actually run with
the same client. The last line is the headline.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from evidence.cache import Cache  # noqa: E402
from evidence.jobs.refresh import RefreshOptions, refresh  # noqa: E402
from evidence.pubmed.client import EutilsClient  # noqa: E402
from evidence.registry import search_term  # noqa: E402
from tests.ncbi_server import FakeRecord, scaled_records  # noqa: E402
from tests.refresh_support import QuickNCBI, real_records, real_registry, revised_xml, spread, today_utc, topic_keys  # noqa: E402

FIXTURES = Path(os.environ.get("EVIDENCE_NCBI_FIXTURES", REPO.parent / "shared" / "fixtures" / "ncbi"))
RATE = 3.0


def floor(claims: int, to_fetch: int) -> int:
    return claims + math.ceil(to_fetch / 500)


def row(
    name: str, requests: int, seconds: float, floor_requests: int, naive_requests: int, naive_s: float, served_429: int
) -> str:
    floor_s = floor_requests / RATE
    return (
        f"{name:<28} {requests:>5} {seconds:>7.1f} s   floor {floor_requests:>3} req {floor_s:>5.1f} s"
        f" ({requests / floor_requests:.2f}x, {seconds / floor_s:.2f}x time)   naive {naive_requests:>3} req"
        f" {naive_s:>5.1f} s   429s {served_429}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-claim", type=int, default=20)
    ap.add_argument("--step", type=int, default=10)
    ap.add_argument("--latency", type=float, default=0.15)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("evidence.refresh").setLevel(logging.ERROR)  # "No items found" per quiet claim
    registry = real_registry()
    recs = real_records(FIXTURES, baseline=True)
    claims = list(registry.claims)
    topics = spread([r.pmid for r in recs], topic_keys(registry), args.per_claim, args.step)
    unique = set().union(*map(set, topics.values()))
    print(
        f"{len(recs)} real records; {len(claims)} claims, {args.per_claim} records each, "
        f"{len(unique)} unique; FakeNCBI {RATE:g} requests/s, latency {args.latency:g} s"
    )
    t0 = today_utc()
    lines = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        QuickNCBI(recs, topics, rate_limit=RATE, latency=args.latency, today=t0) as ncbi,
    ):
        path = Path(tmp) / "c.sqlite"

        def run(name: str, to_fetch: int, **options) -> tuple[int, float]:
            time.sleep(1.1)  # NCBI counts requests per second per IP: let the previous run's window pass
            client = EutilsClient(base_url=ncbi.url)
            before, before_429 = ncbi.requests, ncbi.served_429
            start = time.monotonic()
            with Cache(path) as cache:
                summary = refresh(registry, cache, client, RefreshOptions(**options))
            seconds = time.monotonic() - start
            assert summary.status == "ok", summary.to_text()
            requests = ncbi.requests - before
            served = ncbi.served_429 - before_429
            results[name] = (requests, seconds, floor(len(claims), to_fetch), served)
            return requests, seconds

        def naive() -> tuple[int, float]:
            """Per claim: esearch, then efetch of everything it found (500 per request)."""
            time.sleep(1.1)
            client = EutilsClient(base_url=ncbi.url)
            before = ncbi.requests
            start = time.monotonic()
            for claim in claims:
                ids = client.search_ids(search_term(claim)).ids
                for i in range(0, len(ids), 500):
                    client.efetch(ids[i : i + 500])
            return ncbi.requests - before, time.monotonic() - start

        results: dict[str, tuple[int, int | float, int, int]] = {}
        run("(a) first refresh", len(unique), today=t0)
        run("(b) nothing new", 0, today=t0)
        fresh = [FakeRecord(r.pmid, r.xml, t0, t0) for r in scaled_records(recs[:5], 5, 98_000_001)]
        for i, rec in enumerate(fresh):
            ncbi.add_record(rec)
            ncbi.add_topic(search_term(claims[3 * i]), [rec.pmid])
            ncbi.add_topic(search_term(claims[3 * i + 1]), [rec.pmid])  # each new record found by two claims
        revised = [topics[search_term(claims[7 * i])][0] for i in range(5)]
        for pmid in revised:
            ncbi.revise(pmid, xml=revised_xml(ncbi.records[pmid].xml, "Erratum"), mdat=t0)
        run("(c) 5 new + 5 revised", 10, today=t0 + timedelta(days=1))
        naive_requests, naive_s = naive()
        for name, (requests, seconds, floor_requests, served) in results.items():
            lines.append(row(name, requests, seconds, floor_requests, naive_requests, naive_s, served))
            print(lines[-1])
        print(
            f"naive pattern, run with the same client: {naive_requests} requests, {naive_s:.1f} s, "
            f"429s so far {ncbi.served_429}"
        )
    a, b, c = (results[k] for k in results)
    print(
        f"headline: first refresh {a[0]} requests ({a[0] / a[2]:.2f}x floor, naive {naive_requests}), "
        f"no-change {b[0]} request(s), new+revised {c[0]} requests ({c[0] / c[2]:.2f}x floor); "
        f"429s {a[3] + b[3] + c[3]}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
