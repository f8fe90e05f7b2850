"""Run the loopback E-utilities server by hand, to try the whole tool without NCBI.

    python -m tests.serve [--port 8765] [--rate-limit 3] [--latency 0.15]
    NCBI_EUTILS_URL=http://127.0.0.1:8765/ EVIDENCE_CACHE=/tmp/try/evidence.sqlite evidence refresh
    EVIDENCE_CACHE=/tmp/try/evidence.sqlite streamlit run app.py

It serves the real recorded PubMed records from ../shared/fixtures/ncbi (or
EVIDENCE_NCBI_FIXTURES). Those records are not about the claims: each claim in
queries.yaml is handed an overlapping slice of them, so the pipeline, the dashboard and
the exports can be exercised end to end. Never judge a claim from a cache filled this way;
use a scratch cache (EVIDENCE_CACHE=/tmp/try/evidence.sqlite).
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
import tempfile
from pathlib import Path

from evidence.registry import load_registry, search_term
from tests.conftest import NCBI_FIXTURES
from tests.ncbi_server import FakeNCBI, FakeRecord, load_records_from_files


def fixture_records(root: Path) -> list[FakeRecord]:
    files = sorted(root.glob("efetch/**/*.xml")) + sorted(root.glob("baseline/*.xml.gz"))
    return load_records_from_files(files)


def topics_for(queries: Path, pmids: list[str], per_claim: int = 12, step: int = 7) -> dict[str, list[str]]:
    """Each claim's search term matches an overlapping slice of the records (shared PMIDs included)."""
    registry = load_registry(queries)
    return {search_term(c): [pmids[(i * step + k) % len(pmids)] for k in range(per_claim)]
            for i, c in enumerate(registry.claims)}


REAL_CACHE = Path("cache/evidence.sqlite")  # the default cache: never fill it with these records


def scratch_cache(environ: dict[str, str] | os._Environ[str]) -> tuple[Path, str | None]:
    """The cache the hint should name, and a warning when that is the real one.

    EVIDENCE_CACHE when set (it is the cache in effect), else a scratch path under the temp folder.
    """
    chosen = environ.get("EVIDENCE_CACHE")
    if not chosen:
        return Path(tempfile.gettempdir()) / "evidence-try" / "evidence.sqlite", None
    path = Path(chosen)
    if path.resolve() == REAL_CACHE.resolve():
        return path, (f"warning: EVIDENCE_CACHE={chosen} is the real cache; these records are not about the "
                      "claims: use a scratch path")
    return path, None


def hint(url: str, cache: Path) -> list[str]:
    """What to run against this server: every command names the cache it fills."""
    env = f"EVIDENCE_CACHE={shlex.quote(str(cache))}"
    return [f"try: NCBI_EUTILS_URL={url} {env} evidence refresh",
            f"then: {env} streamlit run app.py"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.serve", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--rate-limit", type=float, default=3.0, help="requests/s before HTTP 429 (NCBI: 3)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every reply")
    parser.add_argument("--queries", default=os.environ.get("EVIDENCE_QUERIES", "queries.yaml"))
    args = parser.parse_args(argv)
    if not NCBI_FIXTURES.is_dir():
        print(f"error: no recorded NCBI fixtures at {NCBI_FIXTURES} (set EVIDENCE_NCBI_FIXTURES)", file=sys.stderr)
        return 2
    records = fixture_records(NCBI_FIXTURES)
    topics = topics_for(Path(args.queries), [r.pmid for r in records])
    server = FakeNCBI(records, topics, rate_limit=args.rate_limit, latency=args.latency, port=args.port)
    with server:
        print(f"serving {len(records)} real records for {len(topics)} claims at {server.url}", flush=True)
        cache, warning = scratch_cache(os.environ)
        if warning:
            print(warning, file=sys.stderr, flush=True)
        for line in hint(server.url, cache):
            print(line, flush=True)
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    return 0


if __name__ == "__main__":
    sys.exit(main())
