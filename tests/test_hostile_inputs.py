"""Hostile inputs (issue 12): files, settings and endpoints that used to be accepted silently or
ended in a traceback. Each is refused with one located line, and nothing is written.

NCBI look-alikes here are tiny loopback servers (``Endpoint``) that answer every path with a
function: a redirect to another origin, a redirect loop, an error body full of escape codes.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from evidence import cli
from evidence.cache import Cache
from evidence.cache.lock import refresh_lock
from evidence.errors import CacheLocked, ConfigError, FetchError, ImportFileError, RateLimited, RegistryError
from evidence.jobs.importer import import_file
from evidence.models import Record
from evidence.outputs.annotations_csv import import_annotations_csv
from evidence.pubmed.client import EutilsClient, Pacer
from evidence.registry import load_registry
from tests.refresh_support import write_registry
from tests.test_hostile import CONTROLS, nbib

ESEARCH_OK = (b'<?xml version="1.0" encoding="UTF-8" ?>\n<eSearchResult><Count>1</Count><RetMax>1</RetMax>'
              b"<RetStart>0</RetStart><IdList><Id>1</Id></IdList><TranslationSet/>"
              b"<QueryTranslation>x</QueryTranslation></eSearchResult>")
Answer = tuple[int, dict[str, str], bytes]


class Endpoint:
    """A loopback HTTP server: ``route(path)`` gives (status, headers, body); requests are logged."""

    def __init__(self, route: Callable[[str], Answer]) -> None:
        self.route, self.log = route, []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _answer(self, method: str) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                endpoint.log.append((method, self.path, body))
                status, headers, reply = endpoint.route(self.path)
                self.send_response(status)
                for key, value in {**headers, "Content-Length": str(len(reply))}.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(reply)

            def do_GET(self) -> None:
                self._answer("GET")

            def do_POST(self) -> None:
                self._answer("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoints():
    made: list[Endpoint] = []
    yield lambda route: made.append(Endpoint(route)) or made[-1]
    for e in made:
        e.close()


def client(url: str, **kw) -> EutilsClient:
    return EutilsClient(base_url=url, pacer=Pacer(0), max_retries=0, backoff=0, timeout=5, **kw)


# -- 4. credentials never follow a redirect to another origin ---------------------------------


@pytest.mark.parametrize("key", ["SECRET-KEY-abc123", None])
def test_the_api_key_never_follows_a_redirect_to_another_origin(key, endpoints):
    other = endpoints(lambda path: (200, {}, ESEARCH_OK))
    front = endpoints(lambda path: (307, {"Location": other.url + path.lstrip("/")}, b""))
    with pytest.raises(FetchError, match="another origin") as info:
        client(front.url, api_key=key, email="me@example.org").esearch("x")
    assert other.log == []  # nothing at all reached the other origin
    assert "SECRET" not in str(info.value)


def test_a_same_origin_redirect_is_followed_and_a_loop_stops(endpoints, tmp_path, capsys, monkeypatch):
    def route(path: str) -> Answer:
        if path.startswith("/old/"):
            return 308, {"Location": path.replace("/old/", "/new/", 1)}, b""
        if path.startswith("/loop/"):
            return 307, {"Location": path}, b""
        return 200, {}, ESEARCH_OK

    server = endpoints(route)
    assert client(server.url + "old/", api_key="k").esearch("x").ids == ("1",)
    assert [p for _, p, _ in server.log][-1].startswith("/new/esearch.fcgi")
    with pytest.raises(FetchError, match="more than 5 redirects"):
        client(server.url + "loop/").esearch("x")
    queries = write_registry(tmp_path / "reg", ["alpha"])
    monkeypatch.setenv("NCBI_EUTILS_URL", server.url + "loop/")
    assert cli.main(["--cache", str(tmp_path / "c.sqlite"), "--queries", str(queries), "refresh", "-q"]) == 1
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out and "redirects (a loop?)" in out.err


@pytest.mark.parametrize("url", ["htp://eutils.example/", "http://127.0.0.1:99999/", "http://", "eutils.ncbi.nlm.nih.gov/x",
                                 "http://[::1/"])
def test_a_malformed_eutils_url_is_a_config_error(url, tmp_path, capsys, monkeypatch):
    with pytest.raises(ConfigError, match="NCBI_EUTILS_URL"):
        EutilsClient(base_url=url)
    monkeypatch.setenv("NCBI_EUTILS_URL", url)
    queries = write_registry(tmp_path / "reg", ["alpha"])
    assert cli.main(["--cache", str(tmp_path / "c.sqlite"), "--queries", str(queries), "refresh"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("error: NCBI_EUTILS_URL")


def test_an_error_body_loses_its_control_characters(endpoints, tmp_path, capsys, monkeypatch):
    body = b"bad query \x1b]0;owned\x07 \x1b[2J\x00 here"
    server = endpoints(lambda path: (400, {"Content-Type": "text/plain"}, body))
    queries = write_registry(tmp_path / "reg", ["alpha"])
    monkeypatch.setenv("NCBI_EUTILS_URL", server.url)
    cache = tmp_path / "c.sqlite"
    assert cli.main(["--cache", str(cache), "--queries", str(queries), "refresh", "-q"]) == 1
    out = capsys.readouterr()
    assert "HTTP 400 (bad query ]0;owned [2J here)" in out.err
    assert not any(c in out.out + out.err for c in CONTROLS)
    with Cache(cache, readonly=True) as c:
        last_error = c.claim_state("alpha").last_error
    assert "HTTP 400" in last_error and not any(c in last_error for c in CONTROLS)


@pytest.mark.parametrize("key, advice", [("k", "another program"), (None, "set NCBI_API_KEY")])
def test_the_429_advice_fits_whether_a_key_is_set(key, advice, endpoints):
    server = endpoints(lambda path: (429, {}, b'{"error":"API rate limit exceeded"}'))
    with pytest.raises(RateLimited) as info:
        client(server.url, api_key=key).esearch("x")
    assert advice in str(info.value)
    assert ("set NCBI_API_KEY" in str(info.value)) is (key is None)


# -- 5. the refresh lock is the cache's real path's ------------------------------------------


def test_a_symlink_to_the_cache_takes_the_same_lock(tmp_path):
    real = tmp_path / "data" / "evidence.sqlite"
    Cache(real).close()
    link = tmp_path / "link.sqlite"
    link.symlink_to(real)
    with refresh_lock(real), pytest.raises(CacheLocked), refresh_lock(link):
        pass
    with refresh_lock(link), pytest.raises(CacheLocked), refresh_lock(real):
        pass


# -- 6, 10. hostile registries ----------------------------------------------------------------


@pytest.mark.parametrize("text", ["a: " + "[" * 5000 + "]" * 5000 + "\n",
                                  "".join("  " * i + "k:\n" for i in range(3000))])
def test_a_registry_nested_thousands_deep_is_one_problem(text, tmp_path, capsys):
    path = tmp_path / "queries.yaml"
    path.write_text(text)
    assert cli.main(["--queries", str(path), "check"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "nested too deeply" in err


REGISTRY = """\
articles:
  - id: demo
    title: Demo
    source: test
    file: {file}
claims:
  - id: alpha
    article: demo
    quote: Ketamine helps.
    statement: Ketamine helps.
    kind: efficacy
    query: ketamine[mh]
    humans_only: {humans}
"""


@pytest.mark.parametrize("humans", ['!!bool "maybe"', "maybe", "!!bool 2", "[true]"])
def test_humans_only_must_be_true_or_false(humans, tmp_path):
    (tmp_path / "a.md").write_text("Ketamine helps.\n")
    (tmp_path / "q.yaml").write_text(REGISTRY.format(file="a.md", humans=humans))
    with pytest.raises(RegistryError, match=r"q\.yaml:13:\d+: claims\[0\]\.humans_only .*expected true or false"):
        load_registry(tmp_path / "q.yaml")
    (tmp_path / "q.yaml").write_text(REGISTRY.format(file="a.md", humans="!!bool 'no'"))
    assert load_registry(tmp_path / "q.yaml").claims[0].humans_only is False


@pytest.mark.parametrize("file", ["/etc/passwd", "../outside.md", "link.md"])
def test_an_article_file_outside_the_registry_folder_is_refused(file, tmp_path):
    folder = tmp_path / "reg"
    folder.mkdir()
    (tmp_path / "outside.md").write_text("Ketamine helps.\n")
    (folder / "link.md").symlink_to(tmp_path / "outside.md")
    (folder / "q.yaml").write_text(REGISTRY.format(file=file, humans="true"))
    with pytest.raises(RegistryError, match="outside the folder of queries.yaml"):
        load_registry(folder / "q.yaml")


# -- 6, 10. annotations CSV -------------------------------------------------------------------


HEADER = "claim_id,pmid,reviewer,relevant,direction,note,updated_at\n"
GOOD = "alpha,11,Dr Lee,yes,,fine,2026-01-01T00:00:00+00:00\n"
CSV_CASES = {
    "latin-1": ((HEADER + GOOD + "alpha,12,Dr Lée,no,,,\n").encode("latin-1"), ":3: not UTF-8"),
    "utf-16 without BOM": ((HEADER + GOOD).encode("utf-16-le"), ":1: the file holds NUL characters"),
    "field over 128 KiB": ((HEADER + "alpha,11,Dr Lee,yes,,\"" + "x" * 140_000 + "\",\n").encode(),
                           ":2: not valid CSV (field larger than field limit"),
    "unclosed quote at the end": ((HEADER + GOOD + 'alpha,12,Dr Ng,no,,"never closed\n').encode(),
                                  ":3: not valid CSV (unexpected end of data; an unclosed quote?"),
    "unclosed quote swallowing rows": ((HEADER + 'alpha,11,Dr Lee,yes,,"starts\nalpha,12,Dr Ng,no,,ends"\n').encode(),
                                       ":2: a cell runs over several lines"),
    "duplicate rows": ((HEADER + GOOD + GOOD).encode(), ":3: repeats line 2"),
    "PMID not a study of the claim": ((HEADER + "alpha,13,Dr Lee,yes,,,\n").encode(), "is not a study of claim 'alpha'"),
    "Arabic-Indic digits": ((HEADER + "alpha,١١,Dr Lee,yes,,,\n").encode(), "pmid '١١' is not a PubMed id"),
    "leading zeros": ((HEADER + "alpha,0011,Dr Lee,yes,,,\n").encode(), "pmid '0011' is not a PubMed id"),
    "a date that is not one": ((HEADER + "alpha,11,Dr Lee,yes,,,not-a-date\n").encode(), "'not-a-date' is not an ISO 8601"),
}


@pytest.fixture
def studies(tmp_path) -> Cache:
    with Cache(tmp_path / "c.sqlite") as cache:
        cache.store_batch([(Record(pmid=p), p.encode()) for p in ("11", "12")], {"11": ["alpha"], "12": ["alpha"]},
                          run_id=None)
        yield cache


@pytest.mark.parametrize("case", CSV_CASES)
def test_a_suspect_annotations_csv_is_refused_by_line_and_nothing_is_imported(case, studies, tmp_path):
    data, message = CSV_CASES[case]
    path = tmp_path / "a.csv"
    path.write_bytes(data)
    with pytest.raises(ImportFileError, match=message.replace("(", r"\(").replace("?", r"\?")):
        import_annotations_csv(studies, path, {"alpha"})
    assert studies.annotations() == []


def test_an_annotations_csv_in_utf16_with_its_bom_is_read(studies, tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes((HEADER + GOOD).encode("utf-16"))
    assert import_annotations_csv(studies, path, {"alpha"}) == 1


# -- 10. imports ------------------------------------------------------------------------------


@pytest.mark.parametrize("pmid", ["١٢٣", "0009997", "1" * 29, "12a"])
def test_an_import_refuses_a_pmid_that_is_not_one(pmid, tmp_path):
    path = tmp_path / "x.nbib"
    path.write_text(nbib("4242", "good") + nbib(pmid, "bad"), "utf-8")
    with Cache(tmp_path / "c.sqlite") as cache:
        with pytest.raises(ImportFileError, match="is not a PubMed id"):
            import_file(cache, path, "alpha")
        assert cache.record_count() == 0


@pytest.mark.parametrize("cut", ["inside the last record", "inside its last line"])
def test_a_truncated_nbib_is_refused_whole(cut, tmp_path):
    text = nbib("4242", "good") + nbib("4343", "cut short", extra="AB  - An abstract that goes on")
    text = text[: text.index("SO  - J Tests", text.index("4343"))] if cut == "inside the last record" else text[:-8]
    path = tmp_path / "x.nbib"
    path.write_text(text, "utf-8")
    with Cache(tmp_path / "c.sqlite") as cache:
        with pytest.raises(ImportFileError, match="cut short"):
            import_file(cache, path, "alpha")
        assert cache.record_count() == 0


@pytest.mark.parametrize("command", ["import", "annotations"])
def test_a_mistyped_cache_path_is_never_created_by_a_write_command(command, tmp_path, capsys):
    queries = write_registry(tmp_path / "reg", ["alpha"])
    (tmp_path / "a.csv").write_text(HEADER + GOOD)
    (tmp_path / "x.nbib").write_text(nbib("4242", "good"))
    typo = tmp_path / "cahce" / "evidence.sqlite"
    argv = ["import", str(tmp_path / "x.nbib"), "--claim", "alpha"] if command == "import" else \
        ["annotations", "import", str(tmp_path / "a.csv")]
    assert cli.main(["--cache", str(typo), "--queries", str(queries), *argv]) == 1
    assert "no cache at" in capsys.readouterr().err
    assert not typo.parent.exists()


@pytest.mark.parametrize("argv", [["import", "{nbib}", "--claim", "alpha"], ["annotations", "import", "{csv}"],
                                  ["refresh"], ["report"]])
def test_a_foreign_sqlite_file_is_never_given_our_tables(argv, tmp_path, capsys):
    queries = write_registry(tmp_path / "reg", ["alpha"])
    (tmp_path / "a.csv").write_text(HEADER + GOOD)
    (tmp_path / "x.nbib").write_text(nbib("4242", "good"))
    foreign = tmp_path / "shop.sqlite"
    db = sqlite3.connect(foreign)
    db.execute("CREATE TABLE customers (name TEXT)")
    db.commit()
    db.close()
    argv = [a.format(nbib=tmp_path / "x.nbib", csv=tmp_path / "a.csv") for a in argv]
    assert cli.main(["--cache", str(foreign), "--queries", str(queries), *argv]) == 1
    assert "not an evidence cache (it holds the tables customers)" in capsys.readouterr().err
    db = sqlite3.connect(foreign)
    assert [r[0] for r in db.execute("SELECT name FROM sqlite_master")] == ["customers"]
    db.close()
