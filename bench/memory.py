"""Peak memory (RSS) of a refresh of 50,000 records against FakeNCBI without a rate limit.

Usage (from the repository root):

    python bench/memory.py [--records N] [--batch-size N] [--stage cli|fetch]

The records are the real fixture records ($EVIDENCE_NCBI_FIXTURES, default
../shared/fixtures/ncbi; efetch/ and baseline/) cloned under new PMIDs with
``scaled_records`` (for this benchmark only: they never reach a cache that is kept),
spread over the claims of the real queries.yaml. FakeNCBI runs in this process; the
refresh runs in a child process whose peak RSS (``ru_maxrss`` from ``os.wait4``) is
reported, so the server's copy of the records is not counted.

  --stage cli    the child is ``python -m evidence.cli refresh`` (search, fetch, store,
                 grade snapshot, digest): what a user runs. API pacing is turned off in
                 the child (FakeNCBI has no rate limit here), nothing else is changed.
  --stage fetch  the child calls ``evidence.refresh.refresh`` without the grade snapshot
                 and digest: search, fetch and store only, to tell the stages apart.

The last line is the headline: "peak RSS: N MB (goal 250 MB)".
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

FIXTURES = Path(os.environ.get("EVIDENCE_NCBI_FIXTURES", REPO.parent / "shared" / "fixtures" / "ncbi"))

# The child is started before this process loads anything big, and waits for the server's
# URL on standard input: Linux carries the RSS high-water mark across fork/exec, so a child
# forked from a parent holding 50k records would report the parent's peak, not its own.
CHILD_CLI = """
import os, sys
os.environ["NCBI_EUTILS_URL"] = sys.stdin.readline().strip()
import evidence.pubmed.client
evidence.pubmed.client.INTERVAL_NO_KEY = 0.0  # FakeNCBI has no rate limit in this benchmark
from evidence.cli import main
sys.exit(main(sys.argv[1:]))
"""

CHILD_FETCH = """
import sys
url = sys.stdin.readline().strip()
from evidence.cache import Cache
from evidence.pubmed.client import EutilsClient, Pacer
from evidence.jobs.refresh import RefreshOptions, refresh
from evidence.registry import load_registry
queries, cache, batch = sys.argv[1:4]
with Cache(cache) as c:
    s = refresh(load_registry(queries), c, EutilsClient(base_url=url, pacer=Pacer(0)),
                RefreshOptions(batch_size=int(batch)))
print(s.to_text().splitlines()[-1])
sys.exit(s.exit_code)
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=50_000)
    ap.add_argument("--batch-size", type=int, default=500)
    ap.add_argument("--stage", choices=("cli", "fetch"), default="cli")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    cache = Path(tmp.name) / "cache" / "evidence.sqlite"
    queries = REPO / "queries.yaml"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("NCBI_API_KEY", None)
    if args.stage == "cli":
        argv = [sys.executable, "-c", CHILD_CLI, "--queries", str(queries), "--cache", str(cache), "refresh",
                "-q", "--batch-size", str(args.batch_size)]
    else:
        argv = [sys.executable, "-c", CHILD_FETCH, str(queries), str(cache), str(args.batch_size)]
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    from tests.ncbi_server import scaled_records
    from tests.refresh_support import QuickNCBI, real_records, real_registry, spread, topic_keys

    registry = real_registry()
    keys = topic_keys(registry)
    recs = scaled_records(real_records(FIXTURES, baseline=True), args.records, 80_000_000)
    per_claim = -(-args.records // len(keys))
    topics = spread([r.pmid for r in recs], keys, per_claim + per_claim // 5, per_claim)  # 20% overlap
    print(f"{len(recs)} records ({sum(len(r.xml) for r in recs) / 1e6:.0f} MB of XML) over {len(keys)} claims, "
          f"~{per_claim + per_claim // 5} each; batch size {args.batch_size}; stage {args.stage}")
    with tmp, QuickNCBI(recs, topics) as ncbi:
        start = time.monotonic()
        proc.stdin.write(ncbi.url.encode() + b"\n")
        proc.stdin.close()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.monotonic() - start
        out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
        size = cache.stat().st_size / 1e6 if cache.exists() else 0
    code = os.waitstatus_to_exitcode(status)
    print(out.strip().splitlines()[-1] if out.strip() else "(no summary)")
    if code != 0:
        print(f"child exited {code}: {err.strip()[-2000:]}")
    print(f"wall {seconds:.1f} s, cache {size:.0f} MB, {ncbi.requests} requests")
    print(f"peak RSS: {usage.ru_maxrss / 1024:.0f} MB (goal 250 MB)")
    return 0 if code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
