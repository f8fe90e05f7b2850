"""FakeNCBI speaks the E-utilities protocol the way the recorded NCBI replies do.

These tests talk to it with plain ``requests`` (not our client), so a bug shared by the
client and the fake cannot hide.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
import requests
from lxml import etree

from tests.ncbi_server import EFETCH_HEAD, FakeNCBI, FakeRecord, Fault, load_records_from_files, scaled_records


def rec(pmid: str, edat: date, mdat: date | None = None) -> FakeRecord:
    xml = (f"<PubmedArticle><MedlineCitation><PMID Version=\"1\">{pmid}</PMID><Article><ArticleTitle>t</ArticleTitle>"
           f"</Article></MedlineCitation></PubmedArticle>").encode()
    return FakeRecord(pmid, xml, edat, mdat or edat)


RECS = [rec("11", date(2020, 1, 1)), rec("12", date(2021, 1, 1)), rec("13", date(2019, 1, 1), date(2023, 5, 5)),
        rec("14", date(2022, 1, 1))]
TOPICS = {"cranberry": ["11", "12"], "ketamine": ["13"], "ghost": ["999"]}


@pytest.fixture()
def ncbi():
    with FakeNCBI(RECS, TOPICS) as server:
        yield server


def esearch(server, **params) -> etree._Element:
    r = requests.get(server.url + "esearch.fcgi", params={"db": "pubmed", **params}, timeout=5)
    assert r.status_code == 200
    return etree.fromstring(r.content)


def ids(root) -> list[str]:
    return [i.text for i in root.findall("IdList/Id")]


@pytest.mark.parametrize("term, expected", [
    ("cranberry", ["12", "11"]),                              # newest edat first
    ("(Cranberry[tiab]) OR (ketamine)", ["12", "11", "13"]),  # union of topics, case-insensitive
    ("ketamine OR 14[uid] OR 11[pmid]", ["14", "11", "13"]),
    ("ghost", []),                                            # PMIDs without a record are not counted
    ("nothing at all", []),
])
def test_term_matching(ncbi, term, expected):
    assert ids(esearch(ncbi, term=term, retmax=20)) == expected


@pytest.mark.parametrize("params, expected", [
    ({"mindate": "2020", "maxdate": "2020"}, ["11"]),
    ({"mindate": "2020/06/01", "maxdate": "3000"}, ["14", "12"]),
    ({"datetype": "mdat", "mindate": "2023/05/05", "maxdate": "2023/05/05"}, ["13"]),
    ({"datetype": "edat", "mindate": "2023", "maxdate": "2024"}, []),
])
def test_date_filters(ncbi, params, expected):
    term = "cranberry OR ketamine OR 14[uid]"
    assert ids(esearch(ncbi, term=term, retmax=20, **params)) == expected


def test_esearch_reply_shape_and_history(ncbi):
    root = esearch(ncbi, term="cranberry", retmax=1, retstart=1, usehistory="y")
    assert (root.findtext("Count"), root.findtext("RetMax"), root.findtext("RetStart")) == ("2", "1", "1")
    assert ids(root) == ["11"] and root.findtext("QueryTranslation") == "cranberry"
    webenv = root.findtext("WebEnv")
    assert webenv.startswith("MCID_") and len(webenv) == 29 and int(webenv[5:], 16) >= 0
    second = esearch(ncbi, term="ketamine", usehistory="y", WebEnv=webenv)
    assert second.findtext("WebEnv") == webenv and second.findtext("QueryKey") == "2"
    empty = esearch(ncbi, term="zzz")
    assert empty.findtext("WarningList/OutputMessage") == "No items found."


def test_retstart_cap_answered_like_ncbi(ncbi):
    root = esearch(ncbi, term="cranberry", retstart=9999)
    assert "cannot be larger than 9998" in root.findtext("ERROR")
    assert ids(esearch(ncbi, term="cranberry", retstart=9998)) == []


def test_efetch_by_ids_get_and_post(ncbi):
    get = requests.get(ncbi.url + "efetch.fcgi", params={"db": "pubmed", "id": "12,404,11", "retmode": "xml"},
                       timeout=5)
    post = requests.post(ncbi.url + "efetch.fcgi", data={"db": "pubmed", "id": "12,404,11", "retmode": "xml"},
                         timeout=5)
    assert get.content == post.content and get.content.startswith(EFETCH_HEAD)
    root = etree.fromstring(get.content)
    assert root.tag == "PubmedArticleSet"
    assert [a.findtext("MedlineCitation/PMID") for a in root] == ["12", "11"]  # unknown 404 omitted
    assert [(r.method, r.params["id"]) for r in ncbi.log] == [("GET", "12,404,11"), ("POST", "12,404,11")]


def test_efetch_errors_use_the_efetch_envelope(ncbi):
    empty = requests.get(ncbi.url + "efetch.fcgi", params={"db": "pubmed", "id": ""}, timeout=5)
    assert b"<eFetchResult>" in empty.content and b"ID list is empty" in empty.content
    only_unknown = requests.get(ncbi.url + "efetch.fcgi", params={"db": "pubmed", "id": "404"}, timeout=5)
    assert len(etree.fromstring(only_unknown.content)) == 0  # empty, valid set like NCBI
    ncbi.inject(Fault("error200", endpoint="efetch"))
    err = requests.get(ncbi.url + "efetch.fcgi", params={"db": "pubmed", "id": "11"}, timeout=5)
    root = etree.fromstring(err.content)
    assert root.tag == "eFetchResult" and root.findtext("ERROR").startswith("Search Backend failed")


def test_faults_target_their_endpoint_and_count_down(ncbi):
    ncbi.inject(Fault("503", endpoint="efetch", times=2))
    assert requests.get(ncbi.url + "esearch.fcgi", params={"term": "x"}, timeout=5).status_code == 200
    codes = [requests.get(ncbi.url + "efetch.fcgi", params={"id": "11"}, timeout=5).status_code for _ in range(3)]
    assert codes == [503, 503, 200]
    assert ncbi.by_endpoint == {"esearch": 1, "efetch": 3} and ncbi.requests == 4


def test_reset_closes_without_reply(ncbi):
    ncbi.inject(Fault("reset"))
    with pytest.raises(requests.ConnectionError):
        requests.get(ncbi.url + "esearch.fcgi", params={"term": "x"}, timeout=5)


def test_truncate_cuts_the_body(ncbi):
    full = requests.get(ncbi.url + "efetch.fcgi", params={"id": "11,12"}, timeout=5).content
    ncbi.inject(Fault("truncate"))
    cut = requests.get(ncbi.url + "efetch.fcgi", params={"id": "11,12"}, timeout=5).content
    assert cut == full[: len(full) // 2]


def test_rate_limit_429_body_and_api_key_raises_limit():
    with FakeNCBI(RECS, TOPICS, rate_limit=3) as ncbi:
        codes = [requests.get(ncbi.url + "esearch.fcgi", params={"term": "x"}, timeout=5) for _ in range(5)]
        assert [r.status_code for r in codes][:3] == [200, 200, 200] and codes[3].status_code == 429
        body = json.loads(codes[3].content)
        assert body["error"] == "API rate limit exceeded" and body["limit"] == "3"
        assert ncbi.served_429 == 2
    with FakeNCBI(RECS, TOPICS, rate_limit=3) as ncbi:
        keyed = [requests.get(ncbi.url + "esearch.fcgi", params={"term": "x", "api_key": "K"}, timeout=5).status_code
                 for _ in range(11)]
        assert keyed.count(200) == 10 and keyed[-1] == 429


def test_revise_changes_mdat_and_xml(ncbi):
    ncbi.revise("11", xml=b"<PubmedArticle><MedlineCitation><PMID>11</PMID></MedlineCitation></PubmedArticle>",
                mdat=date(2024, 2, 2))
    assert ids(esearch(ncbi, term="cranberry", datetype="mdat", mindate="2024", maxdate="2024")) == ["11"]
    body = requests.get(ncbi.url + "efetch.fcgi", params={"id": "11"}, timeout=5).content
    assert b"<Article>" not in body


def test_load_real_records(ncbi_fixtures):
    files = sorted((ncbi_fixtures / "efetch/metapub").glob("*.xml"))[:5]
    recs = load_records_from_files(files + files)  # duplicates: first wins
    assert len(recs) == len({r.pmid for r in recs}) >= 5
    for r in recs:
        el = etree.fromstring(r.xml)
        assert el.tag == "PubmedArticle" and el.findtext("MedlineCitation/PMID") == r.pmid
        hist = el.find("PubmedData/History/PubMedPubDate[@PubStatus='entrez']")
        assert r.edat == date(int(hist.findtext("Year")), int(hist.findtext("Month")), int(hist.findtext("Day")))
        assert r.mdat.year == int(el.findtext("MedlineCitation/DateRevised/Year"))


def test_load_gz_baseline_and_book_records(ncbi_fixtures):
    recs = load_records_from_files([ncbi_fixtures / "baseline/combined_real_records_derived.xml.gz"])
    assert len(recs) == 358  # SOURCES.md: 356 PubmedArticle + 2 PubmedBookArticle
    assert sum(etree.fromstring(r.xml).tag == "PubmedBookArticle" for r in recs) == 2


def test_scaled_records_rewrite_own_pmid_only(ncbi_fixtures):
    src = load_records_from_files([ncbi_fixtures / "efetch/metapub/24349601.xml"])  # has a ReferenceList
    clones = scaled_records(src, 3, 90_000_000)
    assert [c.pmid for c in clones] == ["90000000", "90000001", "90000002"]
    original = etree.fromstring(src[0].xml)
    refs_before = original.xpath("PubmedData/ReferenceList//ArticleId[@IdType='pubmed']/text()")
    for c in clones:
        el = etree.fromstring(c.xml)
        assert el.findtext("MedlineCitation/PMID") == c.pmid
        assert el.xpath("PubmedData/ArticleIdList/ArticleId[@IdType='pubmed']/text()") == [c.pmid]
        assert el.xpath("PubmedData/ReferenceList//ArticleId[@IdType='pubmed']/text()") == refs_before
        assert (c.edat, c.mdat) == (src[0].edat, src[0].mdat)
    assert refs_before  # the file really has a reference list with PMIDs


def test_the_serve_hint_names_the_cache_in_effect(tmp_path):
    # Issue 13: following `python -m tests.serve`'s hint must never fill the real cache.
    from pathlib import Path

    from tests.serve import REAL_CACHE, hint, scratch_cache

    chosen, warning = scratch_cache({"EVIDENCE_CACHE": str(tmp_path / "try.sqlite")})
    assert chosen == tmp_path / "try.sqlite" and warning is None
    lines = hint("http://127.0.0.1:8765/", chosen)
    assert all(f"EVIDENCE_CACHE={chosen}" in line for line in lines)
    assert lines[0].endswith("evidence refresh") and "NCBI_EUTILS_URL=http://127.0.0.1:8765/" in lines[0]
    scratch, warning = scratch_cache({})
    assert scratch.name == "evidence.sqlite" and scratch.parent.name == "evidence-try" and warning is None
    assert Path(scratch).resolve() != REAL_CACHE.resolve()
    _, warning = scratch_cache({"EVIDENCE_CACHE": str(REAL_CACHE)})
    assert warning and "real cache" in warning
