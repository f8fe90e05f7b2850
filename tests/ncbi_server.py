"""FakeNCBI: a loopback HTTP server that speaks enough of the E-utilities protocol for tests and benches.

    with FakeNCBI(load_records_from_files(paths), {"cystitis": ["123", "456"]}, rate_limit=3) as ncbi:
        client = EutilsClient(base_url=ncbi.url)
        ncbi.inject(Fault("503", endpoint="esearch"))

It runs a real ``ThreadingHTTPServer`` on 127.0.0.1 (port 0) in a thread.

Term matching is deliberately simple: a term matches the union of the PMIDs of every
registered topic key that occurs in it (case-insensitive substring), so
``(topicA) OR (topicB)`` matches both, plus any ``NNNN[uid]`` / ``[pmid]`` ids it names.
Only PMIDs with a record are counted (dates come from the record). Dates filter with
``datetype`` edat or mdat (missing: edat) and inclusive ``mindate``/``maxdate``
(YYYY, YYYY/MM, YYYY/MM/DD). Like NCBI: ids newest edat first, retstart > 9998 is an
``<ERROR>``, unknown efetch ids are silently omitted, rate limiting answers 429 with
NCBI's JSON body (3/s, or 10/s when ``api_key`` is sent). Unlike NCBI: efetch from
history is not capped at 9,999.
"""

from __future__ import annotations

import gzip
import json
import re
import secrets
import socket
import struct
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from copy import deepcopy
from dataclasses import dataclass
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from lxml import etree

from tests.fakes import LoopbackServer

__all__ = ["FakeRecord", "Fault", "LoggedRequest", "FakeNCBI", "load_records_from_files", "scaled_records",
           "EFETCH_HEAD", "FAULT_KINDS"]

EFETCH_HEAD = (b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
               b'1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n')
ESEARCH_HEAD = (b'<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch '
                b'20060628//EN" "https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n')
EFETCH_ERROR_HEAD = (b'<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eEfetchResult PUBLIC "-//NLM//DTD efetch '
                     b'20131226//EN" "https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20131226/efetch.dtd">\n')
CAP_ERROR = ("Search Backend failed: Exception:\n'retstart' cannot be larger than 9998. For PubMed, "
             "ESearch can only retrieve the first 9,999 records matching the query.")
FAULT_KINDS = ("429", "500", "502", "503", "reset", "stall", "truncate", "error200", "malformed-record")
FALLBACK_DATE = date(2000, 1, 1)


@dataclass
class FakeRecord:
    pmid: str
    xml: bytes  # one <PubmedArticle> (or <PubmedBookArticle>) element
    edat: date
    mdat: date


@dataclass
class Fault:
    kind: str
    endpoint: str | None = None  # "esearch" | "efetch" | None (any)
    times: int = 1
    seconds: float = 3.0  # how long "stall" sleeps before answering

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {FAULT_KINDS}")


@dataclass(frozen=True)
class LoggedRequest:
    endpoint: str
    method: str
    params: dict[str, str]


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _bound(value: str, upper: bool) -> date:
    parts = [int(p) for p in re.split(r"[/-]", value.strip())]
    year, month = parts[0], parts[1] if len(parts) > 1 else (12 if upper else 1)
    if len(parts) > 2:
        return date(year, month, parts[2])
    if not upper:
        return date(year, month, 1)
    return date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)


class FakeNCBI(LoopbackServer):
    """Context manager around the server; ``url`` ends in '/'. See the module docstring."""

    def __init__(self, records: Iterable[FakeRecord] = (), topics: Mapping[str, Iterable[str]] | None = None, *,
                 rate_limit: float | None = None, latency: float = 0.0, today: date | None = None,
                 port: int = 0):
        self.port = port  # 0: any free port
        self.records: dict[str, FakeRecord] = {}
        self.topics: dict[str, list[str]] = {}
        self.rate_limit = rate_limit
        self.latency = latency
        self.today = today or date.today()
        self.log: list[LoggedRequest] = []
        self.requests = 0
        self.by_endpoint: Counter[str] = Counter()
        self.served_429 = 0
        self._faults: list[Fault] = []
        # For count-only searches (check --online): a topic key's reported Count, however many
        # records the fake holds, and phrases answered with <ErrorList><PhraseNotFound>.
        self.counts: dict[str, int] = {}
        self.phrases_not_found: list[str] = []
        self._history: dict[str, dict[str, list[str]]] = {}
        self._arrivals: deque[float] = deque()
        self._lock = threading.Lock()
        for rec in records:
            self.add_record(rec)
        for key, pmids in (topics or {}).items():
            self.add_topic(key, pmids)

    # -- data -----------------------------------------------------------------------
    def add_record(self, rec: FakeRecord) -> None:
        with self._lock:
            self.records[rec.pmid] = rec

    def add_topic(self, key: str, pmids: Iterable[str]) -> None:
        with self._lock:
            self.topics.setdefault(key, []).extend(str(p) for p in pmids)

    def revise(self, pmid: str, xml: bytes | None = None, mdat: date | None = None) -> None:
        """A record changed upstream (e.g. retraction notice): new xml and/or modification date."""
        with self._lock:
            rec = self.records[pmid]
            self.records[pmid] = FakeRecord(pmid, xml if xml is not None else rec.xml, rec.edat,
                                            mdat or self.today)

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    # -- lifecycle ----------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None, "FakeNCBI is not started (use it as a context manager)"
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        return type("Handler", (_Handler,), {"fake": self})

    # -- protocol -------------------------------------------------------------------------
    def _admit(self, endpoint: str, method: str, params: dict[str, str]) -> tuple[Fault | None, bool]:
        """Log the request; return (fault to apply, rate-limited?)."""
        now = time.monotonic()
        with self._lock:
            self.log.append(LoggedRequest(endpoint, method, params))
            self.requests += 1
            self.by_endpoint[endpoint] += 1
            self._arrivals.append(now)
            while self._arrivals and self._arrivals[0] <= now - 1.0:
                self._arrivals.popleft()
            limit = self.rate_limit
            if limit is not None and params.get("api_key"):
                limit = max(limit, 10)
            limited = limit is not None and len(self._arrivals) > limit
            fault = None if limited else next((f for f in self._faults if f.endpoint in (None, endpoint)), None)
            if fault is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
            if limited or (fault and fault.kind == "429"):
                self.served_429 += 1
            return fault, limited

    def matching(self, term: str) -> list[str]:
        with self._lock:
            found: set[str] = set()
            low = term.lower()
            for key, pmids in self.topics.items():
                if key.lower() in low:
                    found.update(pmids)
            found.update(m.group(1) for m in re.finditer(r"(\d+)\s*\[(?:uid|pmid)\]", term, re.I))
            recs = [self.records[p] for p in found if p in self.records]
        recs.sort(key=lambda r: (r.edat, int(r.pmid)), reverse=True)
        return [r.pmid for r in recs]

    def esearch(self, p: dict[str, str]) -> bytes:
        term = p.get("term", "")
        datetype = p.get("datetype", "edat")
        if datetype not in ("edat", "mdat"):
            return self._esearch_error(f"FakeNCBI supports datetype edat and mdat, not {datetype}")
        ids = self.matching(term)
        lo = _bound(p["mindate"], False) if p.get("mindate") else None
        hi = _bound(p["maxdate"], True) if p.get("maxdate") else None
        if lo or hi:
            with self._lock:
                dates = {pmid: getattr(self.records[pmid], datetype) for pmid in ids}
            ids = [i for i in ids if (lo is None or dates[i] >= lo) and (hi is None or dates[i] <= hi)]
        retstart, retmax = int(p.get("retstart", 0)), int(p.get("retmax", 20))
        if retstart > 9998:
            return self._esearch_error(CAP_ERROR)
        page = ids[retstart:min(retstart + retmax, 9999)]
        history = ""
        if p.get("usehistory", "").lower() == "y":
            with self._lock:
                webenv = p.get("WebEnv") if p.get("WebEnv") in self._history else "MCID_" + secrets.token_hex(12)
                keys = self._history.setdefault(webenv, {})
                query_key = str(len(keys) + 1)
                keys[query_key] = ids
            history = f"<QueryKey>{query_key}</QueryKey><WebEnv>{webenv}</WebEnv>"
        low = term.lower()
        count = max([len(ids)] + [n for key, n in self.counts.items() if key.lower() in low])
        missing = [p for p in self.phrases_not_found if p.lower() in low]
        body = (f"<eSearchResult><Count>{count}</Count><RetMax>{len(page)}</RetMax><RetStart>{retstart}"
                f"</RetStart>{history}<IdList>\n" + "".join(f"<Id>{i}</Id>\n" for i in page) + "</IdList>"
                f"<TranslationSet/><QueryTranslation>{_xml_escape(term)}</QueryTranslation>")
        if missing:
            body += "<ErrorList>" + "".join(f"<PhraseNotFound>{_xml_escape(p)}</PhraseNotFound>"
                                            for p in missing) + "</ErrorList>"
        if not count:
            body += "<WarningList><OutputMessage>No items found.</OutputMessage></WarningList>"
        return ESEARCH_HEAD + (body + "</eSearchResult>\n").encode()

    @staticmethod
    def _esearch_error(message: str) -> bytes:
        return ESEARCH_HEAD + f"<eSearchResult><ERROR>{_xml_escape(message)}</ERROR></eSearchResult>\n".encode()

    @staticmethod
    def _efetch_error(message: str) -> bytes:
        return EFETCH_ERROR_HEAD + f"<eFetchResult>\n\t<ERROR>{_xml_escape(message)}</ERROR>\n</eFetchResult>\n".encode()

    def efetch(self, p: dict[str, str], malformed: bool = False) -> bytes:
        if p.get("WebEnv"):
            with self._lock:
                ids = self._history.get(p["WebEnv"], {}).get(p.get("query_key", ""))
            if ids is None:
                return self._efetch_error(f"Unable to obtain query #{p.get('query_key', '')}")
            start = int(p.get("retstart", 0))
            ids = ids[start:start + int(p.get("retmax", 20))]
        else:
            ids = [i.strip() for i in p.get("id", "").split(",") if i.strip()]
            if not ids:
                return self._efetch_error("ID list is empty! Possibly it has no correct IDs.")
        with self._lock:
            recs = [self.records[i].xml for i in dict.fromkeys(ids) if i in self.records]
        if malformed and recs:
            recs[0] = _break_record(recs[0])
        return EFETCH_HEAD + b"<PubmedArticleSet>\n" + b"\n".join(recs) + (b"\n" if recs else b"") + \
            b"</PubmedArticleSet>"


def _break_record(xml: bytes) -> bytes:
    """Keep the PMID, drop the Article: well-formed XML that no parser can turn into a citation."""
    el = etree.fromstring(xml)
    for art in el.xpath("MedlineCitation/Article | BookDocument/Book"):
        art.getparent().remove(art)
    return etree.tostring(el)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeNCBI
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two sends; with Nagle's algorithm the body would wait for
    # the client's delayed ACK (~40 ms a request on Linux loopback).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        self._handle("GET", dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True)))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        form = self.rfile.read(length).decode("utf-8", "replace")
        params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        params.update(parse_qsl(form, keep_blank_values=True))
        self._handle("POST", params)

    def _send(self, status: int, body: bytes, ctype: str = "text/xml; charset=UTF-8") -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
            self.close_connection = True

    def _handle(self, method: str, params: dict[str, str]) -> None:
        fake = self.fake
        name = urlsplit(self.path).path.rsplit("/", 1)[-1]
        endpoint = name.removesuffix(".fcgi")
        if endpoint not in ("esearch", "efetch"):
            self._send(404, b"not an E-utility this fake serves", "text/plain")
            return
        fault, limited = fake._admit(endpoint, method, params)
        if fake.latency:
            time.sleep(fake.latency)
        if limited or (fault and fault.kind == "429"):
            limit = "10" if params.get("api_key") else str(int(fake.rate_limit or 3))
            body = json.dumps({"error": "API rate limit exceeded", "api-key": self.client_address[0],
                               "count": str(len(fake._arrivals)), "limit": limit}, separators=(",", ":"))
            self._send(429, body.encode(), "application/json")
            return
        kind = fault.kind if fault else None
        if kind in ("500", "502", "503"):
            self._send(int(kind), f"<html><body>{kind} Service error</body></html>".encode(), "text/html")
            return
        if kind == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        if kind == "stall":
            time.sleep(fault.seconds)
        if kind == "error200":
            msg = "Search Backend failed: Database is not supported: pubmed"
            body = fake._esearch_error(msg) if endpoint == "esearch" else fake._efetch_error(msg)
        elif endpoint == "esearch":
            body = fake.esearch(params)
        else:
            body = fake.efetch(params, malformed=kind == "malformed-record")
        if kind == "truncate":
            body = body[: len(body) // 2]
        self._send(200, body)


# -- loading real records ------------------------------------------------------------------

def _ymd(el) -> date | None:
    if el is None:
        return None
    try:
        return date(int(el.findtext("Year")), int(el.findtext("Month") or 1), int(el.findtext("Day") or 1))
    except (TypeError, ValueError):
        return None


def _record_pmid(el) -> str | None:
    return el.findtext("MedlineCitation/PMID") or el.findtext("BookDocument/PMID")


def load_records_from_files(paths: Iterable[str | Path]) -> list[FakeRecord]:
    """Split real efetch/baseline files (.xml or .xml.gz) into FakeRecords, first PMID wins.

    edat = PubmedData/History PubMedPubDate[@PubStatus="entrez"], mdat = DateRevised;
    either falls back to the other, then to 2000-01-01.
    """
    out: dict[str, FakeRecord] = {}
    for path in paths:
        path = Path(path)
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True,
                                                             huge_tree=True))
        for el in root.xpath("/PubmedArticleSet/PubmedArticle | /PubmedArticleSet/PubmedBookArticle"):
            pmid = _record_pmid(el)
            if not pmid or pmid.strip() in out:
                continue
            edat = _ymd(el.find("PubmedData/History/PubMedPubDate[@PubStatus='entrez']"))
            mdat = _ymd(el.find("MedlineCitation/DateRevised")) or _ymd(el.find("BookDocument/DateRevised"))
            edat = edat or mdat or FALLBACK_DATE
            el.tail = None
            out[pmid.strip()] = FakeRecord(pmid.strip(), etree.tostring(el), edat, mdat or edat)
    return list(out.values())


def scaled_records(records: list[FakeRecord], n: int, start_pmid: int) -> list[FakeRecord]:
    """For benchmarks only: ``n`` clones of real records under new PMIDs start_pmid, start_pmid+1, ...

    Rewrites the citation's own PMID and the PubmedData ArticleId[@IdType="pubmed"]
    (not the reference list's). Dates are kept from the original.
    """
    if not records:
        raise ValueError("scaled_records needs at least one record to clone")
    parsed = [etree.fromstring(r.xml) for r in records]
    out = []
    for i in range(n):
        src = records[i % len(records)]
        el = deepcopy(parsed[i % len(records)])
        pmid = str(start_pmid + i)
        for node in el.xpath("MedlineCitation/PMID | BookDocument/PMID | "
                             "PubmedData/ArticleIdList/ArticleId[@IdType='pubmed'] | "
                             "PubmedBookData/ArticleIdList/ArticleId[@IdType='pubmed']"):
            node.text = pmid
        out.append(FakeRecord(pmid, etree.tostring(el), src.edat, src.mdat))
    return out
