"""A damaged cache never gives a traceback: every command, and the dashboard, answers in one line.

The matrix: each kind of damage (pages overwritten with garbage, the file cut short, a schema
version that is not a number, invalid JSON in each JSON column, raw XML that is not zlib)
applied to a copy of one small cache, times every CLI command (run in-process through
``evidence.cli.main``) and the dashboard. Every cell must end with exit 0 or with an
``error:`` line that names the cache; none may raise or print a traceback. Damage to what
is derived (labels, grade snapshots) or only history (a run's errors and summary, a search's
warnings) is worked around: the commands still succeed. Damage to the records themselves
is reported with what to do, in words that keep the reviews (export them before rebuilding).

Also here: a cache in a folder the user cannot write is read, not called corrupt.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest

from evidence import cli
from evidence.cache import Cache
from evidence.grading.service import snapshot_grades
from evidence.models import Annotation
from evidence.outputs.annotations_csv import export_annotations_csv
from evidence.pubmed import client as client_module
from evidence.registry import load_registry, search_term
from tests.dashboard_cache import OWN_XML, parse_files
from tests.ncbi_server import FakeNCBI
from tests.refresh_support import write_registry

AppTest = pytest.importorskip("streamlit.testing.v1").AppTest
APP = str(Path(__file__).resolve().parents[1] / "app.py")
NBIB = Path(__file__).parent / "data" / "import_pubmed_export.nbib"

# name -> SQL run on the copy, or a function of the file's path
DAMAGE = {
    "garbage-pages": "garbage",
    "truncated": "truncate",
    "schema-version-abc": "UPDATE meta SET value='abc' WHERE key='schema_version'",
    "records.data": "UPDATE records SET data='{\"pmid\": \"1\", bad json' WHERE pmid=(SELECT MIN(pmid) FROM records)",
    "labels.data": "UPDATE labels SET data='{not json'",
    "runs.errors": "UPDATE runs SET errors='[unclosed'",
    "runs.summary": "UPDATE runs SET summary='{oops'",
    "grades.reasons": "UPDATE grades SET reasons='[bad'",
    "grades.detail": "UPDATE grades SET detail='{bad'",
    "search_log.warnings": "UPDATE search_log SET warnings='nope['",
    "records.raw_xml": "UPDATE records SET raw_xml=X'00112233445566' WHERE pmid=(SELECT MIN(pmid) FROM records)",
}
# Derived data and history: the commands work around the damage and succeed.
SURVIVED = {"labels.data", "runs.errors", "runs.summary", "grades.reasons", "grades.detail", "search_log.warnings"}
# Damage every command that opens the cache must report.
FATAL = {"schema-version-abc", "truncated"}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A small, complete cache: two claims, our own fixture records, a run, labels, grades, a review."""
    root = tmp_path_factory.mktemp("damaged")
    queries = write_registry(root / "reg", ["alpha", "bravo"])
    registry = load_registry(queries)
    records = parse_files(OWN_XML)
    pmids = sorted(r.record.pmid for r in records)
    members = {p: ["alpha"] if i % 2 == 0 else ["bravo"] for i, p in enumerate(pmids)}
    path = root / "template.sqlite"
    with Cache(path) as cache:
        run = cache.start_run(1)
        cache.store_batch([(r.record, r.raw_xml) for r in records], members, run_id=run)
        for claim in registry.claims:
            cache.log_search(run_id=run, claim_id=claim.id, term=search_term(claim), query_translation="x",
                             count=3, warnings=["No items found."])
            cache.claim_succeeded(claim.id, term=search_term(claim), watermark="2026-01-01")
        cache.finish_run(run, "ok", requests=3, errors=["one"], summary={"added": len(pmids)})
        snapshot_grades(registry.claims, cache, run)  # labels, then grades with their detail
        cache.save_annotation(Annotation("alpha", pmids[0], "Dr Lee", relevant=True, note="kept",
                                         updated_at="2026-01-02T00:00:00+00:00"))
    csv = root / "reviews.csv"
    csv.write_text(export_annotations_csv([Annotation("alpha", pmids[0], "Dr Ng", relevant=False)]), "utf-8")
    return {"path": path, "queries": queries, "pmid": pmids[0], "csv": csv}


def damaged(template, kind: str, where: Path) -> Path:
    where.mkdir(parents=True, exist_ok=True)
    path = where / "evidence.sqlite"
    shutil.copyfile(template["path"], path)
    action = DAMAGE[kind]
    if action == "garbage":
        data = bytearray(path.read_bytes())
        noise = random.Random(12).randbytes(len(data) // 2)
        data[len(data) // 4 : len(data) // 4 + len(noise)] = noise  # the header page stays whole
        path.write_bytes(bytes(data))
    elif action == "truncate":
        with open(path, "r+b") as f:
            f.truncate(path.stat().st_size // 2 + 100)
    else:
        db = sqlite3.connect(path)
        db.execute(action)
        db.commit()
        db.close()
    return path


def commands(t) -> dict[str, list[str]]:
    return {
        "claims": ["claims"],
        "show": ["show", t["pmid"]],
        "show-json": ["show", t["pmid"], "--json"],
        "show-xml": ["show", t["pmid"], "--xml"],
        "report-md": ["report", "--format", "md"],
        "report-json": ["report", "--format", "json"],
        "report-html": ["report", "--format", "html", "--claim", "alpha"],
        "export-all-csv": ["export", "--format", "csv"],
        "export-claim-ris": ["export", "--format", "ris", "--claim", "alpha"],
        "export-design": ["export", "--format", "bibtex", "--design", "other"],
        "digest": ["digest"],
        "digest-json": ["digest", "--format", "json", "--since", "2020-01-01"],
        "annotations-export": ["annotations", "export"],
        "annotations-import": ["annotations", "import", str(t["csv"])],
        "import": ["import", str(NBIB), "--claim", "alpha"],
        "refresh": ["refresh", "--quiet"],
    }


@pytest.fixture(scope="module")
def ncbi():
    with FakeNCBI() as server:  # no records: every search finds nothing, quickly
        yield server


@pytest.mark.parametrize("kind", DAMAGE)
def test_every_command_answers_a_damaged_cache_in_one_line(kind, template, ncbi, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NCBI_EUTILS_URL", ncbi.url)
    monkeypatch.setattr(client_module, "INTERVAL_NO_KEY", 0.0)  # the refresh is not paced here
    outcomes = {}
    for name, argv in commands(template).items():
        path = damaged(template, kind, tmp_path / name)
        code = cli.main(["--cache", str(path), "--queries", str(template["queries"]), *argv])
        captured = capsys.readouterr()
        text = captured.out + captured.err
        assert "Traceback" not in text, (name, text)
        errors = [line for line in text.splitlines() if line.startswith("error:")]
        if code != 0:
            assert errors, (name, code, text)
            assert any(str(path) in line for line in errors), (name, errors)
            assert all(len(line) < 1000 for line in errors)
        outcomes[name] = (code, errors)
    failed = {name for name, (code, _) in outcomes.items() if code != 0}
    if kind in SURVIVED:
        assert not failed, outcomes  # worked around: nothing fails
    if kind in FATAL:
        assert failed == set(outcomes), outcomes
        assert all("move it aside" in errors[0] or "is newer" in errors[0] for _, errors in outcomes.values())
    if kind == "records.data":
        assert {"show", "show-json", "report-md", "export-all-csv", "export-claim-ris"} <= failed, outcomes
        assert all("records.data of PMID" in outcomes[n][1][0] for n in ("show", "export-all-csv"))
        assert "annotations export" in outcomes["show"][1][0]  # the advice keeps the reviews
    if kind == "records.raw_xml":
        assert failed == {"show-xml"}, outcomes
        assert "raw_xml of PMID" in outcomes["show-xml"][1][0]


@pytest.mark.parametrize("kind", DAMAGE)
def test_the_dashboard_answers_a_damaged_cache_with_a_message(kind, template, tmp_path, monkeypatch):
    path = damaged(template, kind, tmp_path)
    monkeypatch.setenv("EVIDENCE_CACHE", str(path))
    monkeypatch.setenv("EVIDENCE_QUERIES", str(template["queries"]))
    # The claim page reads what the overview reads (every claim's grade) and its own studies.
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["page"] = "claim"
    at.query_params["claim"] = "alpha"
    at.run()
    assert not at.exception, (kind, [e.value for e in at.exception])
    if kind in SURVIVED or kind == "records.raw_xml":  # the dashboard never reads the raw XML
        assert not at.error, (kind, [e.value for e in at.error])
    else:
        assert at.error and str(path) in at.error[0].value, kind


def _as_nobody(fn) -> int:
    """Run ``fn`` in a child process as an unprivileged user (root ignores file permissions)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 99
        try:
            os.setgid(65534)
            os.setuid(65534)
            code = fn()
        except BaseException:
            import traceback

            traceback.print_exc()
        finally:
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


@pytest.fixture
def private_dir():
    """A folder of our own under the system's temporary folder, which an unprivileged user can
    reach (pytest's base folder is mode 700 and shared by every session of this user)."""
    root = Path(tempfile.mkdtemp(prefix="evidence-ro-"))
    os.chmod(root, 0o755)
    yield root
    for path in (root, *root.iterdir()):
        if path.is_dir():
            os.chmod(path, 0o755)
    shutil.rmtree(root)


def test_a_cache_in_a_folder_you_cannot_write_is_read_and_never_called_corrupt(template, private_dir):
    folder = private_dir / "cache"
    folder.mkdir()
    shutil.copyfile(template["path"], folder / "evidence.sqlite")
    shutil.copyfile(template["queries"].parent / "article.md", folder / "article.md")
    shutil.copyfile(template["queries"], folder / "queries.yaml")
    shutil.copyfile(template["csv"], folder / "reviews.csv")
    os.chmod(folder / "evidence.sqlite", 0o444)
    os.chmod(folder, 0o555)
    out = private_dir / "out.txt"
    out.touch()
    os.chmod(out, 0o666)
    argv = ["--cache", str(folder / "evidence.sqlite"), "--queries", str(folder / "queries.yaml")]

    def run(*extra: str) -> int:
        with open(out, "w") as sink, contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            return cli.main([*argv, *extra])

    def as_reader(*extra: str) -> int:
        return _as_nobody(lambda: run(*extra)) if os.geteuid() == 0 else run(*extra)

    # The child cannot read this interpreter's files (root's): whatever the commands import lazily is
    # imported first, by running them once here on a writable copy.
    warm = private_dir / "warm.sqlite"
    shutil.copyfile(template["path"], warm)
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        cli.main(["--cache", str(warm), "--queries", str(template["queries"]), "show", template["pmid"]])
        cli.main(["--cache", str(warm), "--queries", str(template["queries"]), "annotations", "import",
                  str(template["csv"])])
    show = as_reader("show", template["pmid"])
    text = out.read_text()
    assert show == 0, text
    assert "corrupt" not in text and "move it aside" not in text
    # A write needs the folder: the error says so, and says nothing is wrong with the cache.
    write = as_reader("annotations", "import", str(folder / "reviews.csv"))
    text = out.read_text()
    assert write == 1, text
    assert "permission" in text and "nothing is wrong with the cache itself" in text
    assert "move it aside" not in text
