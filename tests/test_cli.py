"""The CLI is a thin shell: every subcommand has help with an example, and expected
failures become one line `error: ...` with a non-zero exit code, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from evidence import cli
from evidence.cache import Cache
from evidence.cache.lock import refresh_lock
from evidence.models import Record

REPO = Path(__file__).resolve().parents[1]
SUBCOMMANDS = ["refresh", "claims", "check", "propose", "show", "report", "export", "import", "digest", "annotations",
               "judge"]


def test_import_has_no_side_effects():
    # A fresh interpreter importing the package must not configure logging or touch the disk.
    code = "import logging, evidence; assert not logging.getLogger().handlers; print('ok')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert out.stdout.strip() == "ok", out.stderr


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help_ending_with_an_example(command, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main([command, "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    assert "example:" in text
    assert text.strip().splitlines()[-1].strip().startswith("evidence")


def test_top_level_help_lists_every_subcommand(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    text = capsys.readouterr().out
    for command in SUBCOMMANDS:
        assert command in text


def _error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert err, "expected an error line on stderr"
    assert "Traceback" not in "\n".join(err)
    return err[-1] if err[-1].startswith("error:") else next(line for line in err if line.startswith("error:"))


def test_missing_queries_file_is_a_config_error(tmp_path, capsys):
    code = cli.main(["--queries", str(tmp_path / "nope.yaml"), "check"])
    assert code == 2
    assert "nope.yaml" in _error_line(capsys)


def test_check_passes_on_the_shipped_registry(capsys):
    code = cli.main(["--queries", str(REPO / "queries.yaml"), "check"])
    out = capsys.readouterr().out
    assert code == 0
    assert "valid" in out.splitlines()[-1]


def test_show_unknown_pmid_says_what_to_do(tmp_path, capsys):
    cache_path = tmp_path / "c.sqlite"
    Cache(cache_path).close()
    code = cli.main(["--cache", str(cache_path), "show", "123"])
    assert code == 1
    assert "PMID 123" in _error_line(capsys)


def test_show_prints_a_cached_record(tmp_path, capsys):
    cache_path = tmp_path / "c.sqlite"
    with Cache(cache_path) as cache:
        record = Record(pmid="99999901", title="Parser fixture title", year=2021, journal="J Test",
                        publication_types=("Randomized Controlled Trial",))
        cache.store_batch([(record, b"<PubmedArticle/>")], {"99999901": ["cystitis"]}, run_id=None)
    assert cli.main(["--cache", str(cache_path), "show", "99999901"]) == 0
    out = capsys.readouterr().out
    assert "Parser fixture title" in out
    assert "design: rct" in out
    assert "cystitis" in out


def test_reading_commands_on_a_missing_cache_fail_cleanly(tmp_path, capsys):
    code = cli.main(["--cache", str(tmp_path / "none.sqlite"), "--queries", str(REPO / "queries.yaml"),
                     "report", "--format", "json"])
    assert code == 1
    assert "evidence refresh" in _error_line(capsys)


def test_corrupt_cache_is_a_clear_error(tmp_path, capsys):
    cache_path = tmp_path / "c.sqlite"
    cache_path.write_bytes(b"this is not a database" * 100)
    code = cli.main(["--cache", str(cache_path), "show", "1"])
    assert code == 1
    assert "c.sqlite" in _error_line(capsys)


def test_refresh_refused_while_another_holds_the_lock(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NCBI_EUTILS_URL", "http://127.0.0.1:9/")  # never reached: the lock comes first
    cache_path = tmp_path / "c.sqlite"
    with refresh_lock(cache_path):
        code = cli.main(["--cache", str(cache_path), "--queries", str(REPO / "queries.yaml"), "refresh"])
    assert code == 3
    assert "already running" in _error_line(capsys)


def test_unknown_claim_is_refused_before_any_request(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NCBI_EUTILS_URL", "http://127.0.0.1:9/")
    code = cli.main(["--cache", str(tmp_path / "c.sqlite"), "--queries", str(REPO / "queries.yaml"),
                     "refresh", "--claim", "no-such-claim"])
    assert code == 2
    assert "no-such-claim" in _error_line(capsys)


def test_report_by_article_selects_its_claims_and_refuses_unknown_ones(tmp_path, capsys):
    from evidence.registry import load_registry

    cache_path = tmp_path / "c.sqlite"
    Cache(cache_path).close()
    queries = str(REPO / "queries.yaml")
    assert cli.main(["--cache", str(cache_path), "--queries", queries, "report", "--article", "nope"]) == 2
    assert "nope" in _error_line(capsys)
    out = tmp_path / "r.json"
    assert cli.main(["--cache", str(cache_path), "--queries", queries, "report", "--format", "json",
                     "--article", "ketamine-therapy", "-o", str(out)]) == 0
    import json

    report = json.loads(out.read_text())
    registry = load_registry(queries)
    assert [c["id"] for c in report["claims"]] == [c.id for c in registry.claims_for("ketamine-therapy")]
    assert all(c["verdict"] == "insufficient" and c["studies"] == [] for c in report["claims"])  # empty cache


# --- issue 13: a truthful CLI ---------------------------------------------------------------

@pytest.mark.parametrize("argument", ["abc", "PMID123", "12a", ""])
def test_show_says_when_its_argument_is_not_a_pmid(tmp_path, capsys, argument):
    cache_path = tmp_path / "c.sqlite"
    Cache(cache_path).close()
    assert cli.main(["--cache", str(cache_path), "show", argument]) == 2
    line = _error_line(capsys)
    assert f"{argument!r} is not a PMID" in line and "refresh" not in line


def _cache_with_designs(tmp_path):
    cache_path = tmp_path / "c.sqlite"
    with Cache(cache_path) as cache:
        rct = Record(pmid="99999901", title="A trial", year=2021, journal="J", publication_types=("Randomized Controlled Trial",))
        report = Record(pmid="99999902", title="A case", year=2021, journal="J", publication_types=("Case Reports",))
        cache.store_batch([(rct, b"<a/>"), (report, b"<b/>")], {}, run_id=None)
    return cache_path


def test_export_design_is_checked_against_the_vocabulary(tmp_path, capsys):
    cache_path = _cache_with_designs(tmp_path)
    base = ["--cache", str(cache_path), "--queries", str(REPO / "queries.yaml"), "export", "--format", "csv"]
    assert cli.main([*base, "--design", "bogus"]) == 2
    line = _error_line(capsys)
    assert "unknown design 'bogus'" in line and "rct" in line
    assert cli.main([*base, "--design", "RCT"]) == 0  # any case
    out = capsys.readouterr().out
    assert "99999901" in out and "99999902" not in out
    assert cli.main([*base, "--design", "rct", "--design", "Case-Report"]) == 0
    out = capsys.readouterr().out
    assert "99999901" in out and "99999902" in out
