"""kill -9 a real `python -m evidence.cli refresh` at five points; the cache must stay whole.

The kill points are found from the outside, never through hooks in the product: the
FakeNCBI request log (which request has arrived), the cache read through a read-only
connection (a batch committed, grades stored, the run closed), the WAL file's size and the
digest folder. The CLI paces itself at NCBI's 3 requests/s, and FakeNCBI adds latency,
so each point lasts long enough to be hit. After each kill: SQLite's integrity check passes
and a rerun converges to exactly the cache of a run never killed (``cache_contents``).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from evidence.cache import Cache
from evidence.grading.service import assess_claims
from evidence.registry import load_registry, search_term
from tests.ncbi_server import Fault, scaled_records
from tests.refresh_support import (
    REPO,
    WORDS,
    QuickNCBI,
    cache_contents,
    fast_client,
    real_records,
    run_refresh,
    spread,
    topic_keys,
    wait_for,
    write_registry,
)

pytestmark = pytest.mark.timeout(120)


def cli(ncbi, registry_path: Path, cache: Path, *extra: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NCBI_", "EVIDENCE_"))}
    env.update(NCBI_EUTILS_URL=ncbi.url, PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, "-m", "evidence.cli", "--queries", str(registry_path), "--cache",
                             str(cache), "refresh", "-q", *extra], env=env, cwd=cache.parent,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def readonly_count(cache: Path, sql: str) -> int:
    """A count through a read-only connection; 0 while the cache or the table does not exist yet."""
    if not cache.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{cache}?mode=ro", uri=True, timeout=1)
        try:
            return int(db.execute(sql).fetchone()[0])
        finally:
            db.close()
    except sqlite3.OperationalError:
        return 0


def efetches(ncbi) -> int:
    return ncbi.by_endpoint["efetch"]


def esearches(ncbi) -> int:
    return ncbi.by_endpoint["esearch"]


@pytest.fixture(scope="module")
def small(ncbi_fixtures, tmp_path_factory):
    """Four claims, 22 real records with overlaps; batches of 3: 4 esearches and 8 efetches."""
    base = tmp_path_factory.mktemp("small")
    registry_path = write_registry(base / "registry", WORDS[:4])
    registry = load_registry(registry_path)
    recs = real_records(ncbi_fixtures)[:22]
    topics = spread([r.pmid for r in recs], topic_keys(registry), 8, 5)
    with QuickNCBI(recs, topics) as ncbi:
        reference = base / "reference.sqlite"
        assert run_refresh(registry, reference, fast_client(ncbi), batch_size=3).status == "ok"
    return registry_path, recs, topics, cache_contents(reference)


def kill_and_converge(small, tmp_path, when, latency: float = 0.2, finished_ok: bool = False) -> dict:
    """Start a refresh, SIGKILL it once ``when(ncbi, cache)`` holds, check, rerun, compare.

    ``finished_ok``: the point lies after the run may already have recorded its end (the
    digest and the summary come after it), so the killed run may show "ok" instead of "interrupted".
    """
    registry_path, recs, topics, reference = small
    cache = tmp_path / "cache" / "evidence.sqlite"
    cache.parent.mkdir()
    with QuickNCBI(recs, topics, latency=latency) as ncbi:
        proc = cli(ncbi, registry_path, cache, "--batch-size", "3")
        try:
            hit = wait_for(lambda: when(ncbi, cache) or proc.poll() is not None, timeout=60, interval=0.002)
            seen = {"alive": proc.poll() is None, "esearch": esearches(ncbi), "efetch": efetches(ncbi),
                    "records": readonly_count(cache, "SELECT COUNT(*) FROM records")}
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait(30)
        assert hit and seen["alive"], f"the run ended before the kill point: {seen}"
        with Cache(cache, readonly=True) as c:
            assert c.integrity_check() == "ok"
        seen["after_kill"] = cache_contents(cache)
        rerun = cli(ncbi, registry_path, cache, "--batch-size", "3")
        out, err = rerun.communicate(timeout=90)
        assert rerun.returncode == 0, err.decode()
    assert cache_contents(cache) == reference
    with Cache(cache, readonly=True) as c:
        runs = c.runs()
    statuses = list(runs["status"])[::-1]
    seen["status"] = statuses[0]
    assert statuses[1:] == ["ok"] and statuses[0] in (("interrupted", "ok") if finished_ok else ("interrupted",))
    return seen


def test_kill_during_esearch(small, tmp_path):
    # the second claim's esearch has arrived; FakeNCBI holds its answer for 0.2 s
    seen = kill_and_converge(small, tmp_path, lambda ncbi, cache: esearches(ncbi) >= 2)
    assert seen["esearch"] == 2 and seen["efetch"] == 0 and seen["records"] == 0


def test_kill_between_batches(small, tmp_path):
    # the first batch is committed (visible to a reader) and the second efetch not yet sent
    seen = kill_and_converge(small, tmp_path, lambda ncbi, cache: readonly_count(
        cache, "SELECT COUNT(*) FROM records") > 0)
    assert seen["efetch"] == 1 and seen["records"] == 3
    assert len(seen["after_kill"]["records"]) == 3 and seen["after_kill"]["claims"] == {}


def test_kill_while_writing_the_digest(small, tmp_path):
    # grades are the first thing after_refresh writes; the digest comes right after them
    seen = kill_and_converge(small, tmp_path, lambda ncbi, cache: readonly_count(
        cache, "SELECT COUNT(*) FROM grades") > 0, latency=0.05, finished_ok=True)
    digests = cache_dir_files(tmp_path)
    for path in digests:  # whatever was written is whole (written to a temporary name, then renamed)
        if path.suffix == ".json":
            json.loads(path.read_text())
    assert len(seen["after_kill"]["claims"]) == 4  # every watermark had moved before the kill


def test_kill_at_the_end(small, tmp_path):
    # the digest is on disk: only closing the run and printing the summary are left
    seen = kill_and_converge(small, tmp_path, lambda ncbi, cache: any(
        p.suffix == ".json" for p in cache_dir_files(tmp_path)), latency=0.05, finished_ok=True)
    assert len(seen["after_kill"]["claims"]) == 4


def cache_dir_files(tmp_path: Path) -> list[Path]:
    digests = tmp_path / "cache" / "digests"
    return sorted(p for p in digests.rglob("*") if p.is_file()) if digests.exists() else []


def test_kill_inside_a_batch_transaction(ncbi_fixtures, tmp_path):
    """One claim, 1,500 records in one batch: storing them takes long enough for the WAL to grow
    while the transaction is open. The kill lands when the WAL has grown past the schema but no
    record is visible to a reader yet: the transaction was open and is then lost whole."""
    registry_path = write_registry(tmp_path / "registry", WORDS[:1])
    registry = load_registry(registry_path)
    recs = scaled_records(real_records(ncbi_fixtures), 1500, 70_000_000)
    topics = {search_term(registry.claims[0]): [r.pmid for r in recs]}
    cache = tmp_path / "cache" / "evidence.sqlite"
    cache.parent.mkdir()
    wal = cache.with_name(cache.name + "-wal")
    with QuickNCBI(recs, topics) as ncbi:
        reference = tmp_path / "reference.sqlite"
        run_refresh(registry, reference, fast_client(ncbi), batch_size=1500)
        proc = cli(ncbi, registry_path, cache, "--batch-size", "1500")
        state: dict = {}

        def inside() -> bool:
            if efetches(ncbi) < 1:
                state["wal"] = wal.stat().st_size if wal.exists() else 0
                return False
            grown = wal.exists() and wal.stat().st_size > state.get("wal", 0) + 500_000
            return grown and readonly_count(cache, "SELECT COUNT(*) FROM records") == 0

        try:
            hit = wait_for(lambda: inside() or proc.poll() is not None, timeout=60, interval=0.002)
            alive = proc.poll() is None
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait(30)
        assert hit and alive, "the batch was committed before the kill"
        assert readonly_count(cache, "SELECT COUNT(*) FROM records") == 0  # nothing of it survives
        with Cache(cache, readonly=True) as c:
            assert c.integrity_check() == "ok"
        rerun = cli(ncbi, registry_path, cache, "--batch-size", "1500")
        assert rerun.wait(90) == 0, rerun.stderr.read().decode()
    assert cache_contents(cache) == cache_contents(reference)


def test_a_second_refresh_is_refused_while_one_runs(small, tmp_path):
    registry_path, recs, topics, _ = small
    cache = tmp_path / "cache" / "evidence.sqlite"
    cache.parent.mkdir()
    # The first refresh's efetch stalls for 20 s, so it still holds the lock when the second starts,
    # however slowly a loaded machine starts a Python process.
    with QuickNCBI(recs, topics) as ncbi:
        ncbi.inject(Fault("stall", endpoint="efetch", times=1, seconds=20.0))
        first = cli(ncbi, registry_path, cache)
        assert wait_for(lambda: esearches(ncbi) >= 1, timeout=30)
        second = cli(ncbi, registry_path, cache)
        out, err = second.communicate(timeout=30)
        first_out, first_err = first.communicate(timeout=60)
    lines = err.decode().strip().splitlines()
    assert second.returncode == 3 and len(lines) == 1
    assert lines[0].startswith("error: another refresh (pid ") and str(first.pid) in lines[0]
    assert first.returncode == 0, first_err.decode()


def test_dashboard_loaders_read_while_a_refresh_writes(small, tmp_path):
    registry_path, recs, topics, reference = small
    registry = load_registry(registry_path)
    cache = tmp_path / "cache" / "evidence.sqlite"
    cache.parent.mkdir()
    with QuickNCBI(recs, topics, latency=0.05) as ncbi:
        proc = cli(ncbi, registry_path, cache, "--batch-size", "3")
        assert wait_for(lambda: readonly_count(cache, "SELECT COUNT(*) FROM meta") > 0, timeout=30)
        counts, errors = [], []

        def read_loop() -> None:
            while proc.poll() is None:
                try:
                    with Cache(cache, readonly=True) as c:
                        evidence = assess_claims(list(registry.claims), c)
                        counts.append(sum(len(ev.assessments) for ev in evidence.values()))
                except Exception as exc:
                    errors.append(repr(exc))

        reader = threading.Thread(target=read_loop)
        reader.start()
        proc.wait(60)
        reader.join(30)
    assert proc.returncode == 0 and errors == []
    assert len(set(counts)) > 2  # the reader saw the cache grow batch by batch
    assert counts == sorted(counts) and counts[-1] <= len(reference["memberships"])
