"""The NCBI E-utilities client: one small sender that paces and retries, and the searches built on it.

Requests are built by the pure functions in ``evidence.pubmed.build``; this module
only sends them. Everything the sender needs from the outside (HTTP session, sleep,
clock, jitter, pacer) is injected, so tests run without waiting and without the network.

    settings = Settings.from_env(os.environ)             # at the edge (CLI / app), never at import
    client = EutilsClient(base_url=settings.eutils_url, api_key=settings.api_key, email=settings.email)
    found = client.search_ids("cystitis[mh] AND cranberr*", mindate="2020", context="claim cystitis")
    xml = client.efetch(found.ids[:200])                 # parse with evidence.pubmed.xml_parser

Secrets: with an API key every request is POSTed, so the key travels in the form body and
never in a URL (urllib3 logs request URLs at DEBUG, proxies log them too); every message
and log line is scrubbed as well.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import TypeVar
from urllib.parse import urljoin

import requests

from evidence.errors import EutilsReplyError, FetchError, NCBIUnavailable, RateLimited, TruncatedResponse
from evidence.pubmed.build import (
    ESEARCH_CAP,
    Credentials,
    Request,
    SearchResult,
    build_efetch,
    build_esearch,
    check_base_url,
    check_efetch,
    origin,
    parse_esearch,
    scrub,
)
from evidence.pubmed.dates import EARLIEST, LATEST, parse_date_bound
from evidence.settings import DEFAULT_EUTILS_URL

__all__ = ["EutilsClient", "Pacer", "SearchResult", "EMPTY_PUBMED_SET", "parse_retry_after"]

T = TypeVar("T")

# NCBI allows 3 requests/s without a key and 10/s with one. Biopython found that spacing
# calls exactly 1/3 s apart still drew 429s (network jitter bunches arrivals), and 0.37 s
# did not; 0.11 s keeps the same ~10% margin for the 10/s limit.
INTERVAL_NO_KEY = 0.37
INTERVAL_WITH_KEY = 0.11
_REDIRECTS = (301, 302, 303, 307, 308)
_MAX_REDIRECTS = 5
MAX_DELAY = 60.0  # cap on one backoff pause; longer waits belong to the user ("try again later")
EMPTY_PUBMED_SET = b'<?xml version="1.0" ?>\n<PubmedArticleSet>\n</PubmedArticleSet>'


class Pacer:
    """Spaces request starts at least ``min_interval`` seconds apart for every client sharing it.

    One Pacer per process run (the refresh job creates one and hands it to its clients),
    never a module global. Thread-safe; sleeps, never busy-waits.
    """

    def __init__(self, min_interval: float, *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic):
        self.min_interval = min_interval
        self._sleep = sleep
        self._clock = clock
        self._next: float | None = None
        self._lock = threading.Lock()

    @classmethod
    def for_key(cls, api_key: str | None, **kw) -> Pacer:
        return cls(INTERVAL_WITH_KEY if api_key else INTERVAL_NO_KEY, **kw)

    def wait(self) -> float:
        """Block until the next request may start; return the seconds slept."""
        with self._lock:  # held while sleeping, so waiting threads line up one interval apart
            now = self._clock()
            delay = 0.0 if self._next is None else max(0.0, self._next - now)
            if delay > 0:
                self._sleep(delay)
            self._next = now + delay + self.min_interval
            return delay

    def __repr__(self) -> str:
        return f"Pacer(min_interval={self.min_interval})"


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Retry-After in seconds if present and sane (0-60 s); NCBI does not promise it (the model judge reuses it)."""
    try:
        value = float(headers.get("Retry-After", ""))
    except ValueError:
        return None
    return value if 0 <= value <= MAX_DELAY else None


class EutilsClient:
    """PubMed esearch/efetch with pacing, retries, timeouts and secret-free errors."""

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        base_url: str = DEFAULT_EUTILS_URL,
        api_key: str | None = None,
        email: str | None = None,
        tool: str = "evidence",
        timeout: float = 30.0,
        max_retries: int = 6,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        logger: logging.Logger | None = None,
        pacer: Pacer | None = None,
        jitter: Callable[[], float] | None = None,
        page_size: int = ESEARCH_CAP,
        today: Callable[[], date] = date.today,
    ):
        self.session = session if session is not None else requests.Session()
        self.base_url = check_base_url(base_url)  # ConfigError for htp://..., port 99999, no host
        self._creds = Credentials(tool=tool, email=email or None, api_key=api_key or None)
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self._sleep = sleep
        self.log = logger or logging.getLogger("evidence.eutils")
        self.pacer = pacer or Pacer.for_key(self._creds.api_key, sleep=sleep, clock=clock)
        self._jitter = jitter or random.Random().random  # fraction in [0, 1) of 10% extra delay
        self.page_size = max(1, min(page_size, ESEARCH_CAP))
        self._today = today
        self.requests_made = 0  # every HTTP attempt, retries included

    def __repr__(self) -> str:
        return f"EutilsClient(base_url={self.base_url!r}, {self._creds!r})"

    # -- the sender -------------------------------------------------------------------

    def _fail_message(self, context: str, req: Request, problem: str, advice: str) -> str:
        where = f"{context}: " if context else ""
        return scrub(f"{where}{req.summary} failed: {problem}; {advice}", self._creds.api_key)

    def _send(self, req: Request, context: str, read: Callable[[bytes], T]) -> T:
        """Send ``req`` until ``read(body)`` succeeds or the retry budget is spent."""
        attempts = self.max_retries + 1
        key = self._creds.api_key
        kind, detail = "", ""
        for attempt in range(1, attempts + 1):
            self.pacer.wait()
            self.requests_made += 1
            self.log.debug("%s %s %s (attempt %d)", req.method, req.url, dict(req.redacted_params()), attempt)
            retry_after = None
            try:
                resp = self._request(req, context)
            except requests.Timeout:
                kind, detail = "timeout", f"no answer within {self.timeout:g} s"
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.ContentDecodingError) as exc:
                kind, detail = "connection", f"connection failed ({type(exc).__name__})"
            except requests.RequestException as exc:  # an invalid URL or header: retrying cannot help
                raise FetchError(self._fail_message(context, req, f"the request could not be sent ({exc})",
                                                    "check NCBI_EUTILS_URL")) from None
            else:
                status = resp.status_code
                body = resp.content
                if status == 429 or (status < 300 and body[:40].lstrip().startswith(b'{"error":"API rate limit')):
                    kind, detail = "429", "HTTP 429 (API rate limit exceeded)"
                    retry_after = parse_retry_after(resp.headers)
                elif status >= 500:
                    kind, detail = "5xx", f"HTTP {status}"
                elif status >= 300:
                    snippet = " ".join(scrub(body[:200].decode("utf-8", "replace"), key).split())
                    raise FetchError(self._fail_message(
                        context, req, f"NCBI refused it with HTTP {status} ({snippet})",
                        "check the query syntax and NCBI_EUTILS_URL")) from None
                else:
                    try:
                        return read(body)
                    except TruncatedResponse as exc:
                        kind, detail = "truncated", scrub(str(exc), key)
                    except EutilsReplyError as exc:
                        if not exc.transient:
                            raise EutilsReplyError(self._fail_message(
                                context, req, f"NCBI answered with an error: {exc.ncbi_message}",
                                "fix the query; retrying will not help"), transient=False) from None
                        kind, detail = "error200", f"NCBI reported: {scrub(exc.ncbi_message, key)}"
            if attempt == attempts:
                break
            delay = min(MAX_DELAY, self.backoff * 2 ** (attempt - 1) * (1 + 0.1 * self._jitter()))
            if retry_after is not None:
                delay = max(delay, retry_after)
            self.log.warning("%s%s: %s; retry %d/%d in %.1f s", f"{context}: " if context else "",
                             req.summary, detail, attempt, self.max_retries, delay)
            self._sleep(delay)
        if kind == "429":
            advice = ("wait a minute and try again; the API key's limit is 10 requests/s: is another program "
                      "using the same key?" if key else
                      "wait a minute and try again; set NCBI_API_KEY for a higher rate (10 requests/s instead of 3)")
            raise RateLimited(self._fail_message(
                context, req, f"NCBI kept answering HTTP 429 (rate limit exceeded) after {attempts} attempts", advice))
        raise NCBIUnavailable(self._fail_message(
            context, req, f"{detail} (after {attempts} attempts)",
            "NCBI may be down or overloaded: try again later (cached results stay usable)"))

    def _request(self, req: Request, context: str) -> requests.Response:
        """One HTTP exchange, following redirects only within the base URL's origin.

        requests would re-send a POST body (the API key, the email) to wherever a 307/308
        points; here a redirect to another scheme, host or port is refused, and a loop stops.
        """
        url = req.url
        for _hop in range(_MAX_REDIRECTS + 1):
            resp = self.session.request(
                req.method, url,
                params=req.params if req.method == "GET" else None,
                data=req.params if req.method == "POST" else None,
                timeout=(self.timeout, self.timeout),
                allow_redirects=False,
            )
            location = resp.headers.get("Location") if resp.status_code in _REDIRECTS else None
            if not location:
                return resp
            target = urljoin(url, location)
            if origin(target) != origin(self.base_url):
                raise FetchError(self._fail_message(
                    context, req, f"NCBI_EUTILS_URL redirected it to another origin ({_origin_text(target)}); "
                    "refused, so the API key and email are never sent there",
                    "set NCBI_EUTILS_URL to the address you trust"))
            url = target
        raise FetchError(self._fail_message(context, req, f"more than {_MAX_REDIRECTS} redirects (a loop?)",
                                            "check NCBI_EUTILS_URL"))

    # -- E-utilities --------------------------------------------------------------------

    def esearch(self, term: str, *, mindate: str | date | None = None, maxdate: str | date | None = None,
                datetype: str = "edat", retstart: int = 0, retmax: int = 10000, usehistory: bool = True,
                context: str = "") -> SearchResult:
        """One esearch call (one page of ids). Use ``search_ids`` to get every id."""
        req = build_esearch(self.base_url, term, self._creds, mindate=mindate, maxdate=maxdate,
                            datetype=datetype, retstart=retstart, retmax=retmax, usehistory=usehistory,
                            force_post=self._creds.api_key is not None)
        return self._send(req, context, parse_esearch)

    def search_ids(self, term: str, *, mindate: str | date | None = None, maxdate: str | date | None = None,
                   datetype: str = "edat", context: str = "") -> SearchResult:
        """Every id the search matches, newest first, deduplicated.

        PubMed esearch serves only the first 9,999 ids of a result (retstart <= 9998).
        A larger result is split into date windows (by ``datetype``), bisected until each
        holds at most 9,999 ids. A single day over the cap cannot be split further: its
        first 9,999 ids are kept and a warning in ``warnings`` says how many were cut.
        """
        first = self.esearch(term, mindate=mindate, maxdate=maxdate, datetype=datetype,
                             retmax=self.page_size, usehistory=True, context=context)
        ids: dict[str, None] = {}
        warnings = list(first.warnings)
        if first.count <= ESEARCH_CAP:
            self._collect_pages(term, mindate, maxdate, datetype, first, ids, context)
        else:
            lo = parse_date_bound(mindate, upper=False) if mindate is not None else EARLIEST
            hi = parse_date_bound(maxdate, upper=True) if maxdate is not None else LATEST
            hi = min(hi, self._open_end(datetype))  # "3000/12/31" would cost ~17 bisections of empty future
            self.log.info("%s%d results exceed the 9,999 cap: splitting by %s", f"{context}: " if context else "",
                          first.count, datetype)
            self._collect_window(term, lo, hi, datetype, ids, warnings, context, known=None)
        return SearchResult(count=first.count, ids=tuple(ids), webenv=first.webenv, query_key=first.query_key,
                            query_translation=first.query_translation, warnings=tuple(dict.fromkeys(warnings)))

    def _open_end(self, datetype: str) -> date:
        # Entrez and modification dates never lie in the future (a week's margin covers NCBI's
        # US time zone and a skewed local clock); publication dates can, so pdat keeps the far end.
        return LATEST if datetype == "pdat" else self._today() + timedelta(days=7)

    def _collect_pages(self, term, mindate, maxdate, datetype, first: SearchResult, ids: dict, context: str) -> None:
        ids.update(dict.fromkeys(first.ids))
        retstart = len(first.ids)
        total = min(first.count, ESEARCH_CAP)
        while retstart < total:
            page = self.esearch(term, mindate=mindate, maxdate=maxdate, datetype=datetype, retstart=retstart,
                                retmax=self.page_size, usehistory=False, context=context)
            if not page.ids:  # the result shrank between calls
                break
            ids.update(dict.fromkeys(page.ids))
            retstart += len(page.ids)

    def _collect_window(self, term, lo: date, hi: date, datetype: str, ids: dict, warnings: list,
                        context: str, known: SearchResult | None) -> None:
        if known is None:
            known = self.esearch(term, mindate=lo, maxdate=hi, datetype=datetype, retmax=self.page_size,
                                 usehistory=False, context=context)
        if known.count <= ESEARCH_CAP:
            self._collect_pages(term, lo, hi, datetype, known, ids, context)
        elif lo >= hi:
            self._collect_pages(term, lo, hi, datetype, known, ids, context)
            msg = (f"{known.count} results on the single day {lo:%Y/%m/%d} ({datetype}) exceed the 9,999 cap: "
                   f"{known.count - ESEARCH_CAP} were not retrieved; narrow the query")
            self.log.warning("%s%s", f"{context}: " if context else "", msg)
            warnings.append(msg)
        else:
            mid = lo + (hi - lo) // 2
            # newer half first, so the merged ids keep PubMed's newest-first order
            self._collect_window(term, mid + timedelta(days=1), hi, datetype, ids, warnings, context, None)
            self._collect_window(term, lo, mid, datetype, ids, warnings, context, None)

    def efetch(self, ids: Sequence[str], *, context: str = "") -> bytes:
        """PubMed XML (a PubmedArticleSet) for ``ids``; long lists are POSTed. Unknown ids are omitted."""
        if not ids:
            return EMPTY_PUBMED_SET
        req = build_efetch(self.base_url, ids, self._creds, force_post=self._creds.api_key is not None)
        return self._send(req, context, _checked)


def _origin_text(url: str) -> str:
    scheme, host, port = origin(url)
    return f"{scheme}://{host}" + (f":{port}" if port else "")


def _checked(body: bytes) -> bytes:
    check_efetch(body)
    return body
