"""Reviewers' annotations travel as CSV: export, import (validated whole, nothing written on error),
and they survive a refresh."""

from __future__ import annotations

import pytest

from evidence import cli
from evidence.cache import Cache
from evidence.errors import ImportFileError
from evidence.models import Annotation, Record
from evidence.outputs.annotations_csv import export_annotations_csv, import_annotations_csv, parse_annotations_csv

CLAIMS = {"cystitis", "addiction"}
NOTES = [
    Annotation("cystitis", "111", "Dr Lee", relevant=True, direction="supports", note="cohort, n=200",
               updated_at="2026-11-01T10:00:00+00:00"),
    Annotation("addiction", "222", "Dr Ng", relevant=False, note='off topic, "rats"',
               updated_at="2026-11-02T10:00:00+00:00"),
    Annotation("addiction", "333", "Dr Ng", updated_at="2026-11-03T10:00:00+00:00"),
]


def studies_cache(path) -> Cache:
    """A cache whose claims hold the studies NOTES review (an import refuses reviews of other studies)."""
    cache = Cache(path)
    cache.store_batch([(Record(pmid=a.pmid, title=f"study {a.pmid}"), a.pmid.encode()) for a in NOTES],
                      {a.pmid: [a.claim_id] for a in NOTES}, run_id=None)
    return cache


def test_export_then_import_round_trips_every_field(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(export_annotations_csv(NOTES), encoding="utf-8")
    with studies_cache(tmp_path / "c.sqlite") as cache:
        assert import_annotations_csv(cache, path, CLAIMS) == 3
        assert sorted(cache.annotations(), key=lambda a: a.pmid) == NOTES


@pytest.mark.parametrize("row, message", [
    ("nosuch,111,Dr Lee,yes,,,", "unknown claim 'nosuch'"),
    ("cystitis,PMID111,Dr Lee,yes,,,", "not a PubMed id"),
    ("cystitis,111,,yes,,,", "reviewer is empty"),
    ("cystitis,111,Dr Lee,maybe,,,", "must be yes, no or empty"),
    ("cystitis,111,Dr Lee,yes,proves it,,", "direction 'proves it'"),
])
def test_a_bad_row_names_its_line_and_nothing_is_imported(tmp_path, row, message):
    good = export_annotations_csv(NOTES[:1])
    path = tmp_path / "bad.csv"
    path.write_text(good + row + "\n", encoding="utf-8")
    with studies_cache(tmp_path / "c.sqlite") as cache:
        with pytest.raises(ImportFileError, match=message) as exc:
            import_annotations_csv(cache, path, CLAIMS)
        assert f"{path}:3:" in str(exc.value)  # header is line 1, the good row line 2
        assert cache.annotations() == []


def test_missing_columns_are_named():
    with pytest.raises(ImportFileError, match="missing column"):
        parse_annotations_csv("claim,pmid\ncystitis,1\n", "x.csv", CLAIMS)


def test_annotations_survive_a_refresh_batch(tmp_path):
    with Cache(tmp_path / "c.sqlite") as cache:
        cache.save_annotations(NOTES)
        cache.store_batch([(Record(pmid="111", title="revised title"), b"<v2/>")], {"111": ["cystitis"]}, run_id=None)
        assert sorted(cache.annotations(), key=lambda a: a.pmid) == NOTES


def test_cli_exports_and_imports(tmp_path, capsys):
    from pathlib import Path

    queries = Path(__file__).resolve().parents[1] / "queries.yaml"
    source, target = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    with Cache(source) as cache:
        cache.save_annotations(NOTES)
    studies_cache(target).close()
    out = tmp_path / "notes.csv"
    assert cli.main(["--cache", str(source), "annotations", "export", "-o", str(out)]) == 0
    assert cli.main(["--cache", str(target), "--queries", str(queries), "annotations", "import", str(out)]) == 0
    assert "imported 3 annotations" in capsys.readouterr().out
    with Cache(target, readonly=True) as cache:
        assert sorted(cache.annotations(), key=lambda a: a.pmid) == NOTES
