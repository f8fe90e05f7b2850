"""`evidence check --online` against the loopback FakeNCBI: one count-only esearch per claim, PubMed's
translation, count and warnings in the search log, and the flags a writer acts on (0 hits, over 10,000
hits, phrases PubMed could not find)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from evidence import cli
from evidence.cache import Cache
from evidence.jobs.probe import MANY_HITS, probe_flags
from tests.ncbi_server import FakeNCBI

CLAIMS = {  # claim id -> the query word FakeNCBI answers for
    "ordinary": "ordinaryterm",
    "nothing": "zerohitsterm",
    "broad": "broadterm",
    "misspelt": "misspelt heading",
}


def _registry(folder: Path) -> Path:
    (folder / "a.md").write_text("Ketamine helps. It does four things.\n", encoding="utf-8")
    claims = "".join(textwrap.dedent(f"""\
        - id: {claim_id}
          article: a
          draft: {"true" if claim_id != "ordinary" else "false"}
          quote: Ketamine helps.
          statement: Ketamine helps.
          kind: efficacy
          query: ketamine[tiab] AND "{word}"[tiab]
        """) for claim_id, word in CLAIMS.items())
    path = folder / "queries.yaml"
    path.write_text("articles:\n  - {id: a, title: A, source: text supplied by the user, file: a.md}\n"
                    "claims:\n" + textwrap.indent(claims, "  "), encoding="utf-8")
    return path


@pytest.fixture()
def fake():
    with FakeNCBI() as ncbi:
        ncbi.counts.update({"ordinaryterm": 120, "broadterm": 25_000})
        ncbi.phrases_not_found.append("misspelt heading")
        yield ncbi


def test_check_online_flags_and_logs_every_search(tmp_path, fake, monkeypatch, capsys):
    monkeypatch.setenv("NCBI_EUTILS_URL", fake.url)
    monkeypatch.delenv("NCBI_API_KEY", raising=False)
    cache_path = tmp_path / "cache.sqlite"
    code = cli.main(["--queries", str(_registry(tmp_path)), "--cache", str(cache_path), "check", "--online"])
    out = capsys.readouterr().out
    assert code == 0
    assert "4 claims, valid; 3 drafts to confirm" in out
    rows = {line.split()[0]: line for line in out.splitlines() if line.split() and line.split()[0] in CLAIMS}
    assert rows["ordinary"].split()[1] == "120" and rows["ordinary"].rstrip().endswith("ok")
    assert "0 hits" in rows["nothing"] and "(draft)" in rows["nothing"]
    assert "25,000" in rows["broad"] and f"over {MANY_HITS:,} hits" in rows["broad"]
    assert "not found: misspelt heading" in rows["misspelt"]
    assert "4 queries searched, 3 flagged" in out
    assert 'broad: PubMed searched ketamine[tiab] AND "broadterm"[tiab]' in out

    # one count-only esearch per claim, nothing fetched
    searches = [r for r in fake.log if r.endpoint == "esearch"]
    assert len(searches) == 4 and fake.by_endpoint["efetch"] == 0
    assert all(r.params["retmax"] == "0" and "usehistory" not in r.params for r in searches)

    with Cache(cache_path, readonly=True) as cache:
        log = cache.search_log()
    assert sorted(log["claim_id"]) == sorted(CLAIMS)
    by_claim = {row.claim_id: row for row in log.itertuples()}
    assert by_claim["broad"].count == 25_000 and by_claim["nothing"].count == 0
    assert by_claim["broad"].query_translation == 'ketamine[tiab] AND "broadterm"[tiab]'
    assert "PhraseNotFound: misspelt heading" in json.loads(by_claim["misspelt"].warnings)
    assert log["run_id"].isna().all()  # a probe, not a refresh run


def test_check_online_one_claim(tmp_path, fake, monkeypatch, capsys):
    monkeypatch.setenv("NCBI_EUTILS_URL", fake.url)
    registry = _registry(tmp_path)
    assert cli.main(["--queries", str(registry), "--cache", str(tmp_path / "c.sqlite"), "check", "--online",
                     "--claim", "broad"]) == 0
    assert len([r for r in fake.log if r.endpoint == "esearch"]) == 1
    assert "1 queries searched, 1 flagged" in capsys.readouterr().out


def test_check_without_online_sends_nothing(tmp_path, fake, monkeypatch, capsys):
    monkeypatch.setenv("NCBI_EUTILS_URL", fake.url)
    assert cli.main(["--queries", str(_registry(tmp_path)), "check"]) == 0
    assert fake.requests == 0 and "hits" not in capsys.readouterr().out


@pytest.mark.parametrize("count, warnings, flags", [
    (120, (), ()),
    (0, ("OutputMessage: No items found.",), ("0 hits",)),
    (10_000, (), ()),
    (10_001, (), ("over 10,000 hits",)),
    (0, ("PhraseNotFound: abcXYZ", "OutputMessage: No items found."), ("0 hits", "not found: abcXYZ")),
    (37, ("QuotedPhraseNotFound: \"ketamine uropathy\"",), ('not found: "ketamine uropathy"',)),
    (5163, ("PhraseNotFound: fleegle[MeSH Terms]",), ("not found: fleegle[MeSH Terms]",)),
    (12, ("FieldNotFound: tiabs",), ("unknown field: tiabs",)),
])
def test_probe_flags(count, warnings, flags):
    assert probe_flags(count, warnings) == flags
