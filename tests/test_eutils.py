"""E-utilities client: pure request building, reply parsing, the paced retrying sender, searches.

Unit tests use a stub session and an injected clock; integration tests run against
FakeNCBI on 127.0.0.1. No test waits more than a few seconds (one real-time pacing test).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
import requests
from lxml import etree

from evidence.errors import EutilsReplyError, FetchError, NCBIUnavailable, ParseError, RateLimited, TruncatedResponse
from evidence.pubmed.build import (
    Credentials,
    build_efetch,
    build_esearch,
    check_efetch,
    parse_esearch,
    scrub,
)
from evidence.pubmed.client import EMPTY_PUBMED_SET, EutilsClient, Pacer
from evidence.pubmed.dates import parse_date_bound
from tests.fakes import FakeClock
from tests.ncbi_server import FakeNCBI, FakeRecord, Fault

BASE = "https://example.test/eutils/"
KEY = "SECRETKEY123"
NO_CREDS = Credentials()
ALL_CREDS = Credentials(email="a@b.org", api_key=KEY)


# -- request building: no I/O ---------------------------------------------------------------

@pytest.mark.parametrize(
    "kwargs, creds, expected, absent",
    [
        ({}, NO_CREDS, {"db": "pubmed", "term": "cystitis", "retmode": "xml", "retstart": "0", "retmax": "10000",
                        "usehistory": "y", "tool": "evidence"}, ["email", "api_key", "mindate", "datetype"]),
        ({"usehistory": False, "retstart": 20, "retmax": 5}, NO_CREDS, {"retstart": "20", "retmax": "5"},
         ["usehistory"]),
        ({}, ALL_CREDS, {"email": "a@b.org", "api_key": KEY}, []),
        ({"mindate": "2020", "maxdate": "2021/06"}, NO_CREDS,
         {"datetype": "edat", "mindate": "2020", "maxdate": "2021/06"}, []),
        ({"mindate": "2020-05-01", "datetype": "mdat"}, NO_CREDS,
         {"datetype": "mdat", "mindate": "2020/05/01", "maxdate": "3000/12/31"}, []),
        ({"maxdate": date(2019, 2, 3)}, NO_CREDS, {"mindate": "1700/01/01", "maxdate": "2019/02/03"}, []),
    ],
)
def test_esearch_params(kwargs, creds, expected, absent):
    req = build_esearch(BASE, "cystitis", creds, **kwargs)
    params = dict(req.params)
    assert req.url == BASE + "esearch.fcgi" and req.utility == "esearch"
    for name, value in expected.items():
        assert params[name] == value, name
    for name in absent:
        assert name not in params


@pytest.mark.parametrize(
    "build, method",
    [
        (lambda: build_esearch(BASE, "cystitis", NO_CREDS), "GET"),
        (lambda: build_esearch(BASE, " OR ".join(f"(term{i}[tiab])" for i in range(80)), NO_CREDS), "POST"),
        (lambda: build_esearch(BASE, "cystitis", NO_CREDS, force_post=True), "POST"),
        (lambda: build_efetch(BASE, [str(i) for i in range(1, 51)], NO_CREDS), "GET"),
        (lambda: build_efetch(BASE, [str(i) for i in range(1, 202)], NO_CREDS), "POST"),  # > 200 ids, short URL
        (lambda: build_efetch(BASE, [str(30000000 + i) for i in range(150)], NO_CREDS), "POST"),  # > 1,000 chars
    ],
)
def test_post_switch(build, method):
    assert build().method == method


def test_efetch_params_and_summary():
    req = build_efetch(BASE, [" 123", "456"], ALL_CREDS)
    params = dict(req.params)
    assert params["id"] == "123,456" and params["retmode"] == "xml" and params["db"] == "pubmed"
    assert "rettype" not in params  # full PubmedArticle XML
    assert "2 ids" in req.summary


@pytest.mark.parametrize("call", [
    lambda: build_esearch(BASE, "x", NO_CREDS, datetype="bogus"),
    lambda: build_esearch(BASE, "   ", NO_CREDS),
    lambda: build_efetch(BASE, [], NO_CREDS),
])
def test_invalid_requests_rejected(call):
    with pytest.raises(ValueError):
        call()


def test_non_numeric_id_is_a_fetch_error_naming_it():
    with pytest.raises(FetchError, match="PMC123"):
        build_efetch(BASE, ["123", "PMC123"], NO_CREDS)


@pytest.mark.parametrize(
    "value, upper, expected",
    [
        ("2020", False, date(2020, 1, 1)), ("2020", True, date(2020, 12, 31)),
        ("2020/02", True, date(2020, 2, 29)), ("2021/02", True, date(2021, 2, 28)),
        ("2020/12", True, date(2020, 12, 31)), ("2020-05-17", True, date(2020, 5, 17)),
        (date(1999, 1, 2), True, date(1999, 1, 2)),
    ],
)
def test_parse_date_bound(value, upper, expected):
    assert parse_date_bound(value, upper=upper) == expected


def test_secrets_hidden_from_reprs_and_scrub():
    req = build_esearch(BASE, "x", ALL_CREDS)
    client = EutilsClient(base_url=BASE, api_key=KEY)
    for text in (repr(ALL_CREDS), repr(req), repr(client), repr(req.redacted_params())):
        assert KEY not in text
    assert scrub(f"http://h/esearch.fcgi?term=x&api_key={KEY}&db=pubmed", None) == \
        "http://h/esearch.fcgi?term=x&api_key=***&db=pubmed"
    assert KEY not in scrub(f"key is {KEY}", KEY)


# -- reply parsing on real recorded responses -----------------------------------------------

def test_parse_esearch_current_server_shape(ncbi_fixtures):
    res = parse_esearch((ncbi_fixtures / "esearch/biopython_esearch1.xml").read_bytes())
    assert res.count == 63 and len(res.ids) == 20 and res.ids[0] == "41282813"
    assert res.query_translation == '"biopython"[All Fields]'
    assert res.webenv is None and res.warnings == ()


def test_parse_esearch_history(ncbi_fixtures):
    res = parse_esearch((ncbi_fixtures / "esearch/biopython_esearch2.xml").read_bytes())
    assert res.count == 42249 and len(res.ids) == 100
    assert res.webenv == "MCID_6927d6e7fee3e90f880ec190" and res.query_key == "1"


@pytest.mark.parametrize("name, count, warning", [
    ("esearch/biopython_esearch8.xml", 0, "PhraseNotFound: abcXYZ"),
    ("esearch/biopython_esearch8.xml", 0, "OutputMessage: No items found."),
    ("esearch/klortho_esearch.error.xml", 5163, "PhraseNotFound: fleegle[MeSH Terms]"),
])
def test_parse_esearch_warnings_next_to_results(ncbi_fixtures, name, count, warning):
    res = parse_esearch((ncbi_fixtures / name).read_bytes())
    assert res.count == count and warning in res.warnings


@pytest.mark.parametrize("body, transient, text", [
    (None, False, "Invalid db name"),  # the real klortho_esearch.baderror.xml
    (b"<eSearchResult><ERROR>Search Backend failed: Database is not supported</ERROR></eSearchResult>",
     True, "Search Backend failed"),
    (b"<eSearchResult><ERROR>Search Backend failed: Exception:\n'retstart' cannot be larger than 9998. For PubMed, "
     b"ESearch can only retrieve the first 9,999 records matching the query.</ERROR></eSearchResult>", False, "9,999"),
])
def test_esearch_error_envelopes_classified(ncbi_fixtures, body, transient, text):
    body = body or (ncbi_fixtures / "errors/klortho_esearch.baderror.xml").read_bytes()
    with pytest.raises(EutilsReplyError, match=text) as info:
        parse_esearch(body)
    assert info.value.transient is transient


def test_parse_esearch_truncated_is_retryable_parse_error(ncbi_fixtures):
    body = (ncbi_fixtures / "esearch/biopython_esearch2.xml").read_bytes()
    with pytest.raises(TruncatedResponse):
        parse_esearch(body[: len(body) // 2])
    assert issubclass(TruncatedResponse, ParseError)


@pytest.mark.parametrize("name", ["efetch/metapub/11618220.xml", "errors/metapub_37909814_empty_set.xml",
                                  "efetch/biopython/pubmed4.xml"])
def test_check_efetch_accepts_real_replies(ncbi_fixtures, name):
    check_efetch((ncbi_fixtures / name).read_bytes())


@pytest.mark.parametrize("name, exc", [
    ("errors/transcribed/TRANSCRIBED_efetch_error_empty_id_list.xml", EutilsReplyError),
    ("errors/transcribed/TRANSCRIBED_efetch_error_unable_to_obtain_query.xml", EutilsReplyError),
    ("esearch/biopython_esearch1.xml", TruncatedResponse),  # not a PubmedArticleSet at all
])
def test_check_efetch_rejects(ncbi_fixtures, name, exc):
    with pytest.raises(exc):
        check_efetch((ncbi_fixtures / name).read_bytes())


def test_check_efetch_truncated(ncbi_fixtures):
    body = (ncbi_fixtures / "efetch/metapub/24349601.xml").read_bytes()
    with pytest.raises(TruncatedResponse):
        check_efetch(body[: len(body) // 2])


# -- the sender against a stub session ------------------------------------------------------

ESEARCH_OK = (b'<?xml version="1.0" encoding="UTF-8" ?>\n<eSearchResult><Count>2</Count><RetMax>2</RetMax>'
              b"<RetStart>0</RetStart><IdList><Id>2</Id><Id>1</Id></IdList><TranslationSet/>"
              b"<QueryTranslation>x</QueryTranslation></eSearchResult>")
RATE_BODY = b'{"error":"API rate limit exceeded","api-key":"127.0.0.1","count":"5","limit":"3"}'


@dataclass
class Reply:
    status_code: int = 200
    content: bytes = ESEARCH_OK
    headers: dict = field(default_factory=dict)


class StubSession:
    """Hands out queued replies (or raises queued exceptions) and records every call."""

    def __init__(self, *replies):
        self.replies = list(replies)
        self.calls: list[dict] = []

    def request(self, method, url, **kw):
        self.calls.append({"method": method, "url": url, **kw})
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, Exception):
            raise reply
        return reply


class FakeTime(FakeClock):
    """clock + sleep: sleeping advances the clock, nothing really waits (from 1000 s, not 0)."""

    def __init__(self) -> None:
        super().__init__(now=1000.0)


def make_client(session, **kw) -> tuple[EutilsClient, FakeTime]:
    t = FakeTime()
    kw.setdefault("jitter", lambda: 0.0)
    return EutilsClient(session, base_url=BASE, sleep=t.sleep, clock=t.clock, **kw), t


TRANSIENT = [
    Reply(429, RATE_BODY), Reply(500, b"oops"), Reply(502, b""), Reply(503, b""),
    requests.ConnectTimeout("connect timed out"), requests.ReadTimeout("read timed out"),
    requests.ConnectionError("Connection reset by peer"), requests.exceptions.ChunkedEncodingError("cut"),
    Reply(200, ESEARCH_OK[:60]),
    Reply(200, b"<eSearchResult><ERROR>Search Backend failed: try later</ERROR></eSearchResult>"),
    Reply(200, RATE_BODY),  # the rate-limit body some clients report with a 2xx status
]


@pytest.mark.parametrize("first", TRANSIENT, ids=lambda r: getattr(r, "status_code", None) and
                         f"{r.status_code}-{r.content[:20]!r}" or type(r).__name__)
def test_transient_failure_is_retried_then_succeeds(first):
    session = StubSession(first, Reply())
    client, t = make_client(session)
    res = client.esearch("x", context="claim c1")
    assert res.ids == ("2", "1")
    assert client.requests_made == 2 and len(session.calls) == 2
    assert 1.0 in t.sleeps  # the first backoff pause


def test_backoff_doubles_with_bounded_jitter():
    session = StubSession(Reply(503, b""))
    client, t = make_client(session, max_retries=4, backoff=0.5, jitter=lambda: 0.99, pacer=Pacer(0))
    with pytest.raises(NCBIUnavailable):
        client.esearch("x")
    assert t.sleeps == pytest.approx([0.5 * 2**i * 1.099 for i in range(4)])
    assert client.requests_made == 5


@pytest.mark.parametrize("header, expected_first_pause", [("7", 7.0), ("0.2", 1.0), ("3600", 1.0), ("soon", 1.0)])
def test_retry_after_honoured_only_when_sane(header, expected_first_pause):
    session = StubSession(Reply(429, RATE_BODY, {"Retry-After": header}), Reply())
    client, t = make_client(session, pacer=Pacer(0))
    client.esearch("x")
    assert t.sleeps == [expected_first_pause]


def test_budget_spent_on_429_raises_rate_limited_naming_claim_and_term():
    session = StubSession(Reply(429, RATE_BODY))
    client, _ = make_client(session, max_retries=3)
    with pytest.raises(RateLimited) as info:
        client.esearch("cranberry AND cystitis", context="claim cystitis")
    msg = str(info.value)
    assert "claim cystitis" in msg and "esearch" in msg and "cranberry AND cystitis" in msg
    assert "NCBI_API_KEY" in msg and "4 attempts" in msg
    assert client.requests_made == 4


def test_budget_spent_on_5xx_raises_unavailable_naming_ids():
    session = StubSession(Reply(503, b""))
    client, _ = make_client(session, max_retries=2)
    with pytest.raises(NCBIUnavailable) as info:
        client.efetch(["111", "222", "333"], context="claim k7")
    msg = str(info.value)
    assert "claim k7" in msg and "efetch of 3 ids" in msg and "HTTP 503" in msg and "try again later" in msg


@pytest.mark.parametrize("reply", [
    Reply(400, b"bad request"), Reply(414, b"URI too long"),
    Reply(200, b"<eSearchResult><ERROR>Invalid db name specified: pubmedx</ERROR></eSearchResult>"),
])
def test_non_transient_error_is_not_retried(reply):
    client, t = make_client(StubSession(reply))
    with pytest.raises(FetchError) as info:
        client.esearch("x", context="claim c2")
    assert not isinstance(info.value, (RateLimited, NCBIUnavailable))
    assert "claim c2" in str(info.value)
    assert client.requests_made == 1 and not [s for s in t.sleeps if s >= 1.0]


def test_every_call_has_connect_and_read_timeout():
    session = StubSession(Reply())
    client, _ = make_client(session, timeout=12.5)
    client.esearch("x")
    assert session.calls[0]["timeout"] == (12.5, 12.5)


def test_api_key_never_in_errors_or_logs(caplog):
    caplog.set_level(logging.DEBUG)
    leak = requests.ConnectionError(f"Max retries exceeded with url: /esearch.fcgi?term=x&api_key={KEY}")
    session = StubSession(leak)
    client, _ = make_client(session, api_key=KEY, max_retries=2)
    with pytest.raises(NCBIUnavailable) as info:
        client.esearch("x", context="claim secret")
    assert KEY not in str(info.value) and KEY not in repr(info.value)
    assert info.value.__cause__ is None and info.value.__context__ is None  # no chained URL with the key
    assert caplog.records and all(KEY not in r.getMessage() for r in caplog.records)
    # the key travels in a POST body, never in a URL that urllib3 or a proxy would log
    assert all(c["method"] == "POST" and c["params"] is None and ("api_key", KEY) in c["data"]
               for c in session.calls)


def test_credentials_sent_on_every_request():
    session = StubSession(Reply())
    client, _ = make_client(session, email="me@x.org", api_key=KEY, tool="evidence")
    client.esearch("x")
    sent = dict(session.calls[0]["data"])
    assert (sent["db"], sent["tool"], sent["email"], sent["api_key"]) == ("pubmed", "evidence", "me@x.org", KEY)


def test_efetch_of_nothing_sends_nothing():
    client, _ = make_client(StubSession(Reply()))
    assert client.efetch([]) == EMPTY_PUBMED_SET and client.requests_made == 0


# -- pacing with an injected clock ----------------------------------------------------------

def _max_in_one_second(times: list[float]) -> int:
    return max(sum(1 for u in times if t <= u < t + 1.0) for t in times)


@pytest.mark.parametrize("api_key, per_second, interval", [(None, 3, 0.37), (KEY, 10, 0.11)])
def test_pacing_limits_request_rate(api_key, per_second, interval):
    starts: list[float] = []
    t = FakeTime()

    class Timed(StubSession):
        def request(self, method, url, **kw):
            starts.append(t.now)
            return super().request(method, url, **kw)

    client = EutilsClient(Timed(Reply()), base_url=BASE, api_key=api_key, sleep=t.sleep, clock=t.clock)
    for _ in range(25):
        client.esearch("x")
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert min(gaps) == pytest.approx(interval)
    assert _max_in_one_second(starts) == per_second


def test_shared_pacer_spaces_two_clients():
    t = FakeTime()
    pacer = Pacer(0.37, sleep=t.sleep, clock=t.clock)
    starts: list[float] = []

    class Timed(StubSession):
        def request(self, method, url, **kw):
            starts.append(t.now)
            return super().request(method, url, **kw)

    a = EutilsClient(Timed(Reply()), base_url=BASE, pacer=pacer, sleep=t.sleep, clock=t.clock)
    b = EutilsClient(Timed(Reply()), base_url=BASE, pacer=pacer, sleep=t.sleep, clock=t.clock)
    for _ in range(5):
        a.esearch("x")
        b.esearch("y")
    assert min(y - x for x, y in zip(starts, starts[1:], strict=False)) == pytest.approx(0.37)


# -- against FakeNCBI on loopback -------------------------------------------------------------

def cheap(pmid: int, edat: date, mdat: date | None = None) -> FakeRecord:
    xml = (f'<PubmedArticle><MedlineCitation Status="MEDLINE"><PMID Version="1">{pmid}</PMID><Article>'
           f"<ArticleTitle>Record {pmid}</ArticleTitle></Article></MedlineCitation></PubmedArticle>").encode()
    return FakeRecord(str(pmid), xml, edat, mdat or edat)


def loop_client(server: FakeNCBI, **kw) -> EutilsClient:
    kw.setdefault("pacer", Pacer(0))
    kw.setdefault("sleep", lambda s: None)
    return EutilsClient(base_url=server.url, timeout=kw.pop("timeout", 5.0), **kw)


def test_search_ids_pages_with_retstart():
    recs = [cheap(1000 + i, date(2020, 1, 1) + timedelta(days=i)) for i in range(25)]
    with FakeNCBI(recs, {"cystitis": [r.pmid for r in recs]}) as ncbi:
        client = loop_client(ncbi, page_size=7)
        res = client.search_ids("cystitis", context="claim c")
        starts = [int(r.params["retstart"]) for r in ncbi.log]
    assert res.count == 25 and res.ids == tuple(str(1000 + i) for i in reversed(range(25)))  # newest first
    assert starts == [0, 7, 14, 21]
    assert res.webenv and res.query_key == "1"


def test_search_ids_date_filters_by_datetype():
    recs = [cheap(1, date(2019, 5, 1)), cheap(2, date(2021, 5, 1)), cheap(3, date(2010, 1, 1), mdat=date(2022, 1, 1))]
    with FakeNCBI(recs, {"t": ["1", "2", "3"]}) as ncbi:
        client = loop_client(ncbi)
        assert client.search_ids("t", mindate="2020").ids == ("2",)
        assert client.search_ids("t", mindate="2021/06", datetype="mdat").ids == ("3",)
        assert client.search_ids("t", maxdate="2019/12/31").ids == ("1", "3")


def test_search_ids_splits_over_the_9999_cap_by_date():
    n = 12_500
    start = date(2015, 1, 1)
    recs = [cheap(20_000_000 + i, start + timedelta(days=i // 9)) for i in range(n)]  # ~3.8 years
    with FakeNCBI(recs, {"broad": [r.pmid for r in recs]}) as ncbi:
        client = loop_client(ncbi, today=lambda: date(2020, 6, 1))
        res = client.search_ids("broad", context="claim broad")
        retstarts = [int(r.params["retstart"]) for r in ncbi.log]
    assert res.count == n and len(res.ids) == n and set(res.ids) == {r.pmid for r in recs}
    assert max(retstarts) <= 9998
    assert list(res.ids) == sorted(res.ids, key=int, reverse=True)  # pmids grow with edat here
    assert res.warnings == ()


def test_open_far_maxdate_is_clamped_to_today_for_entrez_dates():
    recs = [cheap(20_000_000 + i, date(2019, 1, 1) + timedelta(days=i // 20)) for i in range(10_400)]  # to 2020/06/03
    made = []
    with FakeNCBI(recs, {"broad": [r.pmid for r in recs]}) as ncbi:
        for maxdate in (None, "3000/12/31"):
            client = loop_client(ncbi, today=lambda: date(2020, 6, 3))
            res = client.search_ids("broad", mindate="2019", maxdate=maxdate, datetype="mdat")
            assert len(res.ids) == 10_400
            made.append(client.requests_made)
    assert made[0] == made[1] <= 4  # first search + two halves (+1 slack); unclamped bisection takes ~20


def test_single_day_over_cap_keeps_9999_and_warns():
    recs = [cheap(5_000_000 + i, date(2001, 3, 4)) for i in range(10_003)]
    with FakeNCBI(recs, {"day": [r.pmid for r in recs]}) as ncbi:
        res = loop_client(ncbi, today=lambda: date(2001, 3, 10)).search_ids("day", mindate="2001/03/01")
    assert len(res.ids) == 9999 and res.count == 10_003
    assert any("2001/03/04" in w and "4 were not retrieved" in w for w in res.warnings)


def test_esearch_past_cap_is_a_clear_fetch_error():
    recs = [cheap(1 + i, date(2020, 1, 1)) for i in range(3)]
    with FakeNCBI(recs, {"t": [r.pmid for r in recs]}) as ncbi:
        client = loop_client(ncbi)
        with pytest.raises(FetchError, match="9,999") as info:
            client.esearch("t", retstart=10_000, context="claim cap")
        assert "claim cap" in str(info.value) and client.requests_made == 1


@pytest.mark.parametrize("endpoint", ["esearch", "efetch"])
@pytest.mark.parametrize("kind", ["429", "500", "502", "503", "reset", "truncate", "error200"])
def test_each_fault_is_retried_then_succeeds(kind, endpoint):
    recs = [cheap(100 + i, date(2020, 1, 1 + i)) for i in range(5)]
    with FakeNCBI(recs, {"t": [r.pmid for r in recs]}) as ncbi:
        client = loop_client(ncbi)
        clean = client.esearch("t").ids if endpoint == "esearch" else client.efetch(["100", "101"])
        ncbi.inject(Fault(kind, endpoint=endpoint))
        again = client.esearch("t").ids if endpoint == "esearch" else client.efetch(["100", "101"])
        assert again == clean
        assert client.requests_made == 3 and ncbi.requests == 3


def test_stall_fires_the_timeout_then_retry_succeeds():
    with FakeNCBI([cheap(7, date(2020, 1, 1))], {"t": ["7"]}) as ncbi:
        ncbi.inject(Fault("stall", seconds=1.5))
        client = loop_client(ncbi, timeout=0.3)
        assert client.esearch("t").ids == ("7",)
        assert client.requests_made == 2
        ncbi.inject(Fault("stall", seconds=1.5))
        with pytest.raises(NCBIUnavailable, match="no answer within 0.3 s"):
            loop_client(ncbi, timeout=0.3, max_retries=0).esearch("t", context="claim slow")


def test_malformed_record_passes_through_for_the_parser():
    recs = [cheap(300 + i, date(2020, 1, 1)) for i in range(3)]
    with FakeNCBI(recs) as ncbi:
        ncbi.inject(Fault("malformed-record"))
        body = loop_client(ncbi).efetch(["300", "301", "302"])
    root = etree.fromstring(body)  # still well-formed
    arts = root.findall("PubmedArticle")
    assert [a.findtext("MedlineCitation/PMID") for a in arts] == ["300", "301", "302"]
    assert [a.find("MedlineCitation/Article") is None for a in arts] == [True, False, False]


def test_efetch_long_list_is_posted_and_unknown_ids_omitted():
    recs = [cheap(40_000_000 + i, date(2020, 1, 1)) for i in range(300)]
    with FakeNCBI(recs) as ncbi:
        ids = [r.pmid for r in recs] + ["1"]  # 1: no such record
        body = loop_client(ncbi).efetch(ids)
        logged = ncbi.log[-1]
    assert logged.method == "POST" and len(logged.params["id"].split(",")) == 301
    assert [a.findtext("MedlineCitation/PMID") for a in etree.fromstring(body)] == ids[:-1]


def test_api_key_never_logged_even_by_urllib3(caplog):
    caplog.set_level(logging.DEBUG)
    with FakeNCBI([cheap(9, date(2020, 1, 1))], {"t": ["9"]}) as ncbi:
        ncbi.inject(Fault("503"))
        client = loop_client(ncbi, api_key=KEY)
        client.search_ids("t", context="claim k")
        client.efetch(["9"])
        assert all(r.method == "POST" and r.params["api_key"] == KEY for r in ncbi.log)
    assert "retry" in caplog.text and KEY not in caplog.text


def test_client_pacing_never_provokes_429_in_real_time():
    """~4.4 s: 12 requests at the default 3/s pacing against a server that enforces 3/s."""
    with FakeNCBI([cheap(9, date(2020, 1, 1))], {"t": ["9"]}, rate_limit=3) as ncbi:
        client = EutilsClient(base_url=ncbi.url, max_retries=0, timeout=5)
        for _ in range(12):
            client.esearch("t")
        assert ncbi.served_429 == 0 and ncbi.requests == 12


def test_unpaced_client_does_get_rate_limited():
    """Control for the test above: the server really enforces its limit."""
    with FakeNCBI([cheap(9, date(2020, 1, 1))], {"t": ["9"]}, rate_limit=3) as ncbi:
        client = loop_client(ncbi, max_retries=0)
        with pytest.raises(RateLimited, match="claim burst"):
            for _ in range(6):
                client.esearch("t", context="claim burst")
        assert ncbi.served_429 == 1
