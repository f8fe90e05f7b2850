"""The NCBI API key never leaves the request: not in output, logs, cache, digests or search log.

A verbose CLI refresh runs with a recognisable key against FakeNCBI, with faults that make
the client log retries and report errors (the messages quote the failing request). Then
every byte the run produced is searched for the key. FakeNCBI must have received it: that
shows the key was really in play (and that POST carried it, not the URL).
"""

from __future__ import annotations

import logging
import sqlite3
import zlib

import pytest

from evidence import cli
from evidence.registry import load_registry
from tests.ncbi_server import Fault
from tests.refresh_support import WORDS, QuickNCBI, real_records, spread, topic_keys, write_registry

KEY = "SECRET-KEY-abc123"


@pytest.fixture
def verbose_run(ncbi_fixtures, tmp_path, monkeypatch, capsys, caplog):
    registry_path = write_registry(tmp_path / "registry", WORDS[:4])
    registry = load_registry(registry_path)
    recs = real_records(ncbi_fixtures)[:30]
    topics = spread([r.pmid for r in recs], topic_keys(registry), 10, 6)
    cache = tmp_path / "cache" / "evidence.sqlite"
    monkeypatch.setenv("NCBI_API_KEY", KEY)
    monkeypatch.setenv("NCBI_EMAIL", "tests@example.org")
    monkeypatch.setattr("evidence.pubmed.client.INTERVAL_WITH_KEY", 0.0)
    monkeypatch.setattr("evidence.pubmed.client.MAX_DELAY", 0.01)  # cap on each backoff pause: retries in ms
    caplog.set_level(logging.DEBUG)
    with QuickNCBI(recs, topics) as ncbi:
        monkeypatch.setenv("NCBI_EUTILS_URL", ncbi.url)
        ncbi.inject(Fault("503", endpoint="esearch", times=7))  # the first claim fails after its retries
        ncbi.inject(Fault("error200", endpoint="efetch", times=1))  # a retried efetch
        ncbi.inject(Fault("malformed-record", endpoint="efetch"))  # a skipped record, reported by PMID
        code = cli.main(["-v", "--queries", str(registry_path), "--cache", str(cache), "refresh", "--batch-size", "5"])
        captured = capsys.readouterr()
        sent = [r.params.get("api_key") for r in ncbi.log]
        methods = {r.method for r in ncbi.log}
    logs = caplog.text + " ".join(repr(r.args) + r.getMessage() for r in caplog.records)
    return code, captured, logs, cache, sent, methods


def test_api_key_appears_nowhere(verbose_run, tmp_path):
    code, captured, logs, cache, sent, methods = verbose_run
    assert code == 1 and "error:" in captured.out + captured.err  # the faults did produce errors
    assert sent and all(k == KEY for k in sent) and methods == {"POST"}  # NCBI got the key, in the body
    texts = {"stdout": captured.out, "stderr": captured.err, "log records": logs}
    assert "retry" in logs and "503" in logs and "api_key" in logs  # the logs describe the requests
    for where, text in texts.items():
        assert KEY not in text, where
    files = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert any(p.name.endswith("-wal") or p.suffix == ".sqlite" for p in files)
    assert any("digests" in p.parts for p in files)
    for path in files:
        data = path.read_bytes()
        assert KEY.encode() not in data, path
    # the compressed raw XML and every text column of every table, decoded
    db = sqlite3.connect(f"file:{cache}?mode=ro", uri=True)
    try:
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall():
            for row in db.execute(f"SELECT * FROM {table}"):
                for value in row:
                    if isinstance(value, bytes):
                        value = zlib.decompress(value).decode("utf-8", "replace")
                    assert KEY not in str(value), table
        terms = [t for (t,) in db.execute("SELECT term FROM search_log")]
        errors = [e for (e,) in db.execute("SELECT errors FROM runs")]
    finally:
        db.close()
    assert terms and any("503" in e for e in errors)  # the search log and run errors were written
