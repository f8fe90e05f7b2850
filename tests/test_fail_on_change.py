"""`evidence refresh --fail-on-change` exits 4 when a claim's verdict or strength moved, and
only then (a claim's first grade is not a change). Runs the CLI against the loopback server."""

from __future__ import annotations

from pathlib import Path

from evidence import cli
from evidence.cache import Cache
from evidence.models import Annotation
from evidence.registry import load_registry, search_term
from evidence.settings import Settings
from tests.ncbi_server import FakeNCBI, load_records_from_files
from tests.refresh_support import write_registry

OWN = Path(__file__).parent / "data" / "parser_synthetic_articles.xml"


def test_exit_4_only_when_a_grade_changed(tmp_path, monkeypatch, capsys):
    queries = write_registry(tmp_path / "reg", ["alpha"])
    registry = load_registry(queries)
    records = load_records_from_files([OWN])
    cache_path = tmp_path / "c.sqlite"
    argv = ["--queries", str(queries), "--cache", str(cache_path), "refresh", "-q", "--fail-on-change"]
    with FakeNCBI(records, {search_term(registry.claims[0]): [r.pmid for r in records]}) as ncbi:
        monkeypatch.setenv("NCBI_EUTILS_URL", ncbi.url)
        assert cli.main(argv) == 0  # first grades are not changes
        assert cli.main(argv) == 0  # nothing changed
        with Cache(cache_path, readonly=True) as cache:
            pmid = sorted(cache.claim_pmids("alpha"))[0]
            before = cache.grade_history("alpha").iloc[-1]["verdict"]
        # A reviewer reads a study and finds it supports the claim: the next run's grade moves.
        with Cache(cache_path) as cache:
            cache.save_annotation(Annotation("alpha", pmid, "Dr Lee", relevant=True, direction="supports"))
        assert cli.main(argv) == 4
    assert "verdict or strength changed" in capsys.readouterr().err
    with Cache(cache_path, readonly=True) as cache:
        assert cache.grade_history("alpha").iloc[-1]["verdict"] != before
    assert Settings.from_env({}, cache=str(cache_path)).digest_dir.is_dir()


def test_settings_come_from_the_environment_and_hide_the_key():
    env = {"EVIDENCE_QUERIES": "q.yaml", "EVIDENCE_CACHE": "/tmp/x/c.sqlite", "NCBI_API_KEY": "SECRET-KEY-9",
           "NCBI_EMAIL": "me@example.org", "NCBI_EUTILS_URL": "http://127.0.0.1:1/"}
    s = Settings.from_env(env)
    assert (str(s.queries), str(s.cache), s.api_key, s.email, s.eutils_url) == (
        "q.yaml", "/tmp/x/c.sqlite", "SECRET-KEY-9", "me@example.org", "http://127.0.0.1:1/")
    assert "SECRET-KEY-9" not in repr(s)
    assert Settings.from_env(env, queries="other.yaml").queries == Path("other.yaml")  # arguments win
    assert Settings.from_env({}).cache == Path("cache/evidence.sqlite")
