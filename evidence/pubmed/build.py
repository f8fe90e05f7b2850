"""Pure E-utilities plumbing: build requests, read replies. No I/O happens here.

Requests are values (``Request``) built from a term, dates, paging, ids and
credentials, so they can be tested as tables and logged without secrets; the one
sender in ``evidence.pubmed.client`` turns them into HTTP. Replies are read with lxml into
``SearchResult`` or checked (efetch) and classified: an ``<ERROR>`` NCBI sends inside
an HTTP 200 is either transient ("Search Backend failed: ...") or final
("Invalid db name", the 9,999-record cap).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode, urlsplit

from lxml import etree

from evidence.errors import ConfigError, EutilsReplyError, FetchError, TruncatedResponse
from evidence.pubmed.dates import DATETYPES, EARLIEST, LATEST, format_date
from evidence.sanitize import strip_controls
from evidence.settings import DEFAULT_EUTILS_URL

__all__ = [
    "ESEARCH_CAP",
    "POST_OVER_CHARS",
    "POST_OVER_IDS",
    "Credentials",
    "Request",
    "SearchResult",
    "build_esearch",
    "build_efetch",
    "parse_esearch",
    "check_efetch",
    "scrub",
    "check_base_url",
    "origin",
]

# PubMed esearch serves only the first 9,999 ids of a result set (retstart <= 9998).
ESEARCH_CAP = 9999
# Like Biopython's _build_request: long URLs are refused by proxies and by NCBI, so
# past ~1,000 characters (or a few hundred ids) the parameters go in a POST body.
POST_OVER_CHARS = 1000
POST_OVER_IDS = 200


@dataclass(frozen=True)
class Credentials:
    """Who is calling (NCBI asks for tool + email) and the optional API key."""

    tool: str = "evidence"
    email: str | None = None
    api_key: str | None = None

    def __repr__(self) -> str:  # the key never reaches a log line through repr
        key = "'***'" if self.api_key else "None"
        return f"Credentials(tool={self.tool!r}, email={self.email!r}, api_key={key})"

    def params(self) -> list[tuple[str, str]]:
        out = [("tool", self.tool)]
        if self.email:
            out.append(("email", self.email))
        if self.api_key:
            out.append(("api_key", self.api_key))
        return out


@dataclass(frozen=True)
class Request:
    """One E-utilities call as data. ``params`` go in the query string (GET) or form body (POST)."""

    method: str
    url: str
    params: tuple[tuple[str, str], ...]
    utility: str  # "esearch" | "efetch"
    summary: str  # human description for messages: "esearch for term '...'", "efetch of 250 ids"

    def redacted_params(self) -> tuple[tuple[str, str], ...]:
        return tuple((k, "***" if k == "api_key" else v) for k, v in self.params)

    def __repr__(self) -> str:
        return f"Request({self.method} {self.url} {dict(self.redacted_params())!r})"


@dataclass(frozen=True)
class SearchResult:
    count: int
    ids: tuple[str, ...]
    webenv: str | None = None
    query_key: str | None = None
    query_translation: str | None = None
    warnings: tuple[str, ...] = ()  # "PhraseNotFound: abcXYZ", "OutputMessage: No items found."


def scrub(text: str, secret: str | None) -> str:
    """Remove the API key (URLs in library exceptions carry it) and terminal control characters
    (a reply's body is echoed into errors, logs and ``claim_state.last_error``) from any text."""
    if secret:
        text = text.replace(secret, "***")
    return strip_controls(re.sub(r"(api_key=)[^&\s'\"]+", r"\1***", text))


def check_base_url(url: str) -> str:
    """The E-utilities base URL (``NCBI_EUTILS_URL``) if usable, ending in '/'; else ConfigError."""
    where = f"NCBI_EUTILS_URL {url!r}"
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError when out of range (99999) or not a number
    except ValueError as exc:
        raise ConfigError(f"{where} is not a valid URL ({exc}); use e.g. {DEFAULT_EUTILS_URL}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where} is not an http(s) URL with a host; use e.g. {DEFAULT_EUTILS_URL}")
    if port == 0:
        raise ConfigError(f"{where} has port 0; use e.g. {DEFAULT_EUTILS_URL}")
    return url if url.endswith("/") else url + "/"


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of a URL: credentials are never sent beyond the base URL's origin."""
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    try:
        port = parts.port
    except ValueError:
        port = None
    return parts.scheme.lower(), (parts.hostname or "").lower(), port or default


def _choose_method(params: list[tuple[str, str]], n_ids: int = 0, *, force_post: bool = False) -> str:
    if force_post or n_ids > POST_OVER_IDS or len(urlencode(params)) > POST_OVER_CHARS:
        return "POST"
    return "GET"


def _short(term: str, limit: int = 80) -> str:
    return term if len(term) <= limit else term[: limit - 3] + "..."


def build_esearch(
    base_url: str,
    term: str,
    creds: Credentials,
    *,
    mindate: str | date | None = None,
    maxdate: str | date | None = None,
    datetype: str = "edat",
    retstart: int = 0,
    retmax: int = 10000,
    usehistory: bool = True,
    force_post: bool = False,
) -> Request:
    if not term.strip():
        raise ValueError("esearch needs a non-empty term")
    if datetype not in DATETYPES:
        raise ValueError(f"datetype must be one of {DATETYPES}, not {datetype!r}")
    if retstart < 0 or retmax < 0:
        raise ValueError("retstart and retmax must be >= 0")
    params = [("db", "pubmed"), ("term", term), ("retmode", "xml"),
              ("retstart", str(retstart)), ("retmax", str(retmax))]
    if usehistory:
        params.append(("usehistory", "y"))
    if mindate is not None or maxdate is not None:
        # NCBI ignores a range unless both ends are given; an open end means "up to now".
        params += [("datetype", datetype),
                   ("mindate", format_date(mindate if mindate is not None else EARLIEST)),
                   ("maxdate", format_date(maxdate if maxdate is not None else LATEST))]
    params += creds.params()
    dates = ""
    if mindate is not None or maxdate is not None:
        lo = format_date(mindate) if mindate else "..."
        hi = format_date(maxdate) if maxdate else "..."
        dates = f" ({datetype} {lo}-{hi})"
    summary = f"esearch for term '{_short(term)}'{dates}"
    return Request(
        _choose_method(params, force_post=force_post), base_url + "esearch.fcgi", tuple(params), "esearch", summary
    )


def _clean_ids(ids: Sequence[str]) -> list[str]:
    out: list[str] = []
    for raw in ids:
        pmid = str(raw).strip()
        if not pmid.isdigit():
            raise FetchError(f"efetch: {raw!r} is not a PMID (digits only); fix the id list")
        out.append(pmid)
    return out


def build_efetch(base_url: str, ids: Sequence[str], creds: Credentials, *, force_post: bool = False) -> Request:
    """efetch PubMed XML for explicit ids (rettype omitted + retmode=xml = full PubmedArticle)."""
    clean = _clean_ids(ids)
    if not clean:
        raise ValueError("efetch needs at least one id")
    params = [("db", "pubmed"), ("id", ",".join(clean)), ("retmode", "xml")] + creds.params()
    summary = f"efetch of {len(clean)} id{'s' if len(clean) != 1 else ''}" + (
        f" ({clean[0]})" if len(clean) == 1 else f" ({clean[0]}...{clean[-1]})"
    )
    return Request(
        _choose_method(params, len(clean), force_post=force_post),
        base_url + "efetch.fcgi",
        tuple(params),
        "efetch",
        summary,
    )


_TRANSIENT = re.compile(r"backend failed|temporar|timed? ?out|unavailable|try again|internal", re.I)
_CAP = re.compile(r"retstart|9,?99[89]", re.I)


def _classify(message: str) -> EutilsReplyError:
    if _CAP.search(message):
        return EutilsReplyError(
            f"NCBI refused to page past its 9,999-record esearch cap ({' '.join(message.split())}); "
            "narrow the query or its date range",
            transient=False,
        )
    return EutilsReplyError(" ".join(message.split()), transient=bool(_TRANSIENT.search(message)))


def _errors(root: etree._Element) -> list[str]:
    return [e.text.strip() for e in root.findall("ERROR") if e.text and e.text.strip()]


def _parse_xml(body: bytes, what: str) -> etree._Element:
    try:
        return etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    except etree.XMLSyntaxError as exc:
        raise TruncatedResponse(f"{what} reply is not complete XML ({len(body)} bytes): {exc}") from None


def parse_esearch(body: bytes) -> SearchResult:
    """Read an esearch XML reply; raise EutilsReplyError for an ``<ERROR>`` envelope."""
    root = _parse_xml(body, "esearch")
    if root.tag != "eSearchResult":
        raise TruncatedResponse(f"esearch reply has root <{root.tag}>, expected <eSearchResult>")
    errors = _errors(root)
    if errors:
        raise _classify("; ".join(errors))
    count_text = root.findtext("Count")
    if count_text is None:
        raise TruncatedResponse("esearch reply has no <Count>")
    ids = tuple(i.text.strip() for i in root.findall("IdList/Id") if i.text and i.text.strip())
    warnings = tuple(
        f"{el.tag}: {el.text.strip()}"
        for group in ("ErrorList", "WarningList")
        for el in root.iterfind(f"{group}/*")
        if isinstance(el.tag, str) and el.text and el.text.strip()
    )

    def text(tag: str) -> str | None:
        value = root.findtext(tag)
        return value.strip() if value and value.strip() else None

    return SearchResult(
        count=int(count_text),
        ids=ids,
        webenv=text("WebEnv"),
        query_key=text("QueryKey"),
        query_translation=text("QueryTranslation"),
        warnings=warnings,
    )


def check_efetch(body: bytes) -> None:
    """Cheap checks on an efetch reply before handing it to the PubMed XML parser.

    An ``<eFetchResult><ERROR>`` envelope raises EutilsReplyError; a body that does not
    end with ``</PubmedArticleSet>`` was cut in transit and raises TruncatedResponse.
    Full parsing is the caller's job (evidence.pubmed.xml_parser), so large replies are not
    parsed twice.
    """
    head = body[:600]
    if b"<eFetchResult" in head:
        root = _parse_xml(body, "efetch")
        errors = _errors(root) or ["empty eFetchResult envelope"]
        raise _classify("; ".join(errors))
    stripped = body.rstrip()
    if b"<PubmedArticleSet" not in head:
        raise TruncatedResponse(f"efetch reply is not a PubmedArticleSet ({len(body)} bytes, starts {head[:80]!r})")
    if not (stripped.endswith((b"</PubmedArticleSet>", b"<PubmedArticleSet/>"))):
        raise TruncatedResponse(f"efetch reply ends before </PubmedArticleSet> ({len(body)} bytes)")
