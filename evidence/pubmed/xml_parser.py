"""Parse PubMed efetch XML (and NLM bulk files) into ``Record`` objects, streaming.

Handles the three record shapes NCBI has served: ``<PubmedArticle>``,
``<PubmedBookArticle>`` and the pre-2017 bulk format's bare ``<MedlineCitation>``
inside ``<MedlineCitationSet>`` (its ``<DeleteCitation>`` entries are skipped silently).

Why lxml ``iterparse`` and not ``Bio.Entrez.read``: measured in bench/parse.py (see
docs/benchmarks.md); Bio.Entrez also needs the DTD named in the DOCTYPE and downloads
it from NCBI when it is not bundled, which we never want. Here the parser never reads
a DTD and never touches the network.

Every lookup is anchored at the record's own elements (``PubmedData/ArticleIdList``,
not ``.//ArticleId``) so a reference list's PMIDs and DOIs never leak into the record.
Lookups read each container's children once (``xml_fields.children``) instead of running
an ElementPath search per field: the same first-match semantics, a fraction of the cost.
"""

from __future__ import annotations

import gzip
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, cast

from lxml import etree

from evidence.errors import ParseError
from evidence.models import CommentCorrection, PubDate, Record, month_number
from evidence.pubmed.xml_fields import (
    Children,
    below,
    children,
    findtext,
    first,
    opt_text,
    read_abstract,
    read_authors,
    read_comments_corrections,
    read_ids,
    read_mesh,
    text_of,
    texts,
)
from evidence.vocabulary import is_retracted

__all__ = ["ParsedRecord", "SkippedRecord", "iter_pubmed_xml", "parse_pubmed_xml", "parse_record_element"]

RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle", "MedlineCitation")
ROOT_TAGS = frozenset({"PubmedArticleSet", "MedlineCitationSet", "PubmedBookArticleSet"})
YEAR_RE = re.compile(r"\b(\d{4})\b")
MEDLINE_MONTH_RE = re.compile(r"^\s*\d{4}\s+([A-Za-z]{3})")
DATE_PARTS = frozenset({"Year", "Month", "Day"})
HISTORY_FIELDS = {"entrez": "entrez_date", "pubmed": "pubmed_date", "medline": "medline_date"}


@dataclass(frozen=True)
class ParsedRecord:
    """A parsed record and its element's XML, which the cache stores."""

    record: Record
    # The record's element serialised by lxml as UTF-8 (no XML declaration). Character
    # references are decoded, so raw UTF-8 and ``&#xe9;`` inputs give the same bytes;
    # ``parse_record_element(etree.fromstring(raw_xml))`` gives the same Record.
    raw_xml: bytes


@dataclass(frozen=True)
class SkippedRecord:
    """A record that could not be read; the rest of its batch was kept."""

    pmid: str | None  # None when the record had no readable PMID
    reason: str


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def parse_pub_date(elem: etree._Element | None) -> PubDate:
    """PubDate with Year/Month/Day, Year/Season, or a free-text MedlineDate.

    For a MedlineDate ("1998 Dec-1999 Jan", "2001 Mar-Jun", "1944-1945") the year is the
    first 4-digit year and the month the one right after it, if any: the start of the span.
    """
    if elem is None:
        return PubDate()
    kids = children(elem)
    medline = opt_text(first(kids, "MedlineDate"))
    if medline:
        year, month = YEAR_RE.search(medline), MEDLINE_MONTH_RE.match(medline)
        return PubDate(year=int(year.group(1)) if year else None, medline_date=medline,
                       month=month_number(month.group(1)) if month else None)  # fmt: skip
    if season := opt_text(first(kids, "Season")):
        return PubDate(year=_int(findtext(kids, "Year")), season=season)
    return PubDate(year=_int(findtext(kids, "Year")), month=month_number(findtext(kids, "Month")),
                   day=_int(findtext(kids, "Day")))  # fmt: skip


def iso_date(elem: etree._Element | None) -> str | None:
    """<Year>/<Month>/<Day> -> "YYYY-MM-DD" (month/day default to 01 when absent)."""
    if elem is None:
        return None
    ymd: dict[str, str] = {}  # first Year, Month and Day's own text, as findtext reads them
    for child in elem:
        tag = child.tag
        if tag in DATE_PARTS and tag not in ymd:
            ymd[tag] = child.text or ""
    year = _int(ymd.get("Year"))
    if year is None:
        return None
    month = month_number(ymd.get("Month")) or 1
    day = _int(ymd.get("Day")) or 1
    return "%04d-%02d-%02d" % (year, month, day)  # noqa: UP031 - a third of the cost of f"{year:04d}..."


def _history(data: etree._Element | None) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for d in below(children(data), "History", "PubMedPubDate"):
        field = HISTORY_FIELDS.get(d.get("PubStatus", ""))
        if field and field not in out:
            out[field] = iso_date(d)
    return out


def _flags(pub_types: tuple[str, ...], ccs: tuple[CommentCorrection, ...]) -> dict[str, bool]:
    kinds = {c.ref_type for c in ccs}
    return {
        "retracted": is_retracted(pub_types, kinds),
        "expression_of_concern": "Expression of Concern" in pub_types or "ExpressionOfConcernIn" in kinds,
    }


def _pmid(kids: Children) -> str | None:
    return (findtext(kids, "PMID") or "").strip() or None


def _citation(mc: etree._Element, data: etree._Element | None) -> Record:
    """A MedlineCitation (bare, or inside PubmedArticle with its PubmedData)."""
    m = children(mc)
    pmid = _pmid(m)
    if pmid is None:
        raise ParseError("MedlineCitation has no PMID; the record cannot be identified")
    if not pmid.isdigit():
        raise ParseError(f"PMID {pmid!r} is not a number; the record is malformed")
    art = first(m, "Article")
    if art is None:
        raise ParseError(f"PMID {pmid}: MedlineCitation has no Article element (title, journal, date)")
    a = children(art)
    journal = children(first(a, "Journal"))
    issue = children(first(journal, "JournalIssue"))
    pub_date = parse_pub_date(first(issue, "PubDate"))
    year = pub_date.year or _int(next((y.text or "" for y in below(a, "ArticleDate", "Year")), None))
    abstract, sections = read_abstract(first(a, "Abstract"))
    pages = opt_text(next(below(a, "Pagination", "MedlinePgn"), None))
    if pages is None:
        start = opt_text(next(below(a, "Pagination", "StartPage"), None))
        end = opt_text(next(below(a, "Pagination", "EndPage"), None))
        pages = f"{start}-{end}" if start and end else start
    doi, pmcid = read_ids([first(children(data), "ArticleIdList")], a.get("ELocationID", []))
    pub_types = texts(below(a, "PublicationTypeList", "PublicationType"))
    ccs = read_comments_corrections(m)
    return Record(
        pmid=pmid, title=text_of(first(a, "ArticleTitle")) or text_of(first(a, "VernacularTitle")),
        abstract=abstract, abstract_sections=sections,
        journal=opt_text(first(journal, "Title")) or "",
        iso_abbreviation=opt_text(first(journal, "ISOAbbreviation")) or "",
        volume=opt_text(first(issue, "Volume")), issue=opt_text(first(issue, "Issue")), pages=pages, pub_date=pub_date,
        year=year, authors=read_authors(first(a, "AuthorList")), languages=texts(a.get("Language", ())), doi=doi,
        pmcid=pmcid, publication_types=pub_types, mesh=read_mesh(m), keywords=texts(below(m, "KeywordList", "Keyword")),
        status=mc.get("Status"), date_revised=iso_date(first(m, "DateRevised")), comments_corrections=ccs,
        **_history(data), **_flags(pub_types, ccs),  # type: ignore[arg-type]  # str-keyed dicts of Record fields
    )  # fmt: skip


def _book(doc: etree._Element, data: etree._Element | None) -> Record:
    """A PubmedBookArticle: a Bookshelf chapter (ArticleTitle) or a whole book (BookTitle)."""
    k = children(doc)
    pmid = _pmid(k)
    if pmid is None:
        raise ParseError("BookDocument has no PMID; the record cannot be identified")
    book_elem = first(k, "Book")
    book = children(book_elem)
    book_title = text_of(first(book, "BookTitle")) if book_elem is not None else ""
    pub_date = parse_pub_date(first(book, "PubDate"))
    abstract, sections = read_abstract(first(k, "Abstract"))
    author_lists = [a for a in k.get("AuthorList", ()) if a.get("Type", "authors") == "authors"]
    doi, pmcid = read_ids([first(children(data), "ArticleIdList"), first(k, "ArticleIdList")], k.get("ELocationID", []))
    pub_types = texts(k.get("PublicationType", ()))
    return Record(
        pmid=pmid, title=text_of(first(k, "ArticleTitle")) or book_title, abstract=abstract,
        abstract_sections=sections, journal=book_title, volume=opt_text(first(book, "Volume")), pub_date=pub_date,
        year=pub_date.year, authors=read_authors(author_lists[0] if author_lists else None),
        languages=texts(k.get("Language", ())), doi=doi, pmcid=pmcid, publication_types=pub_types,
        keywords=texts(below(k, "KeywordList", "Keyword")), date_revised=iso_date(first(k, "DateRevised")),
        is_book=True, **_history(data), **_flags(pub_types, ()),  # type: ignore[arg-type]  # as in _citation
    )  # fmt: skip


def parse_record_element(elem: etree._Element) -> Record:
    """One PubmedArticle, PubmedBookArticle or bare MedlineCitation element -> Record.

    Raises ParseError when the element is not one of those or lacks what identifies it.
    """
    tag = elem.tag
    if tag == "PubmedArticle":
        kids = children(elem)
        mc = first(kids, "MedlineCitation")
        if mc is None:
            raise ParseError("PubmedArticle has no MedlineCitation; the record cannot be read")
        return _citation(mc, first(kids, "PubmedData"))
    if tag == "MedlineCitation":
        return _citation(elem, None)
    if tag == "PubmedBookArticle":
        kids = children(elem)
        doc = first(kids, "BookDocument")
        if doc is None:
            raise ParseError("PubmedBookArticle has no BookDocument; the record cannot be read")
        return _book(doc, first(kids, "PubmedBookData"))
    raise ParseError(f"<{tag}> is not a PubMed record element (PubmedArticle, PubmedBookArticle, MedlineCitation)")


def _open(source: bytes | str | os.PathLike | BinaryIO) -> tuple[BinaryIO, str]:
    """A binary stream over ``source`` and a name for error messages. str means a path."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = gzip.decompress(source) if bytes(source[:2]) == b"\x1f\x8b" else bytes(source)
        return io.BytesIO(data), f"the XML response ({len(data)} bytes)"
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            stream = cast(BinaryIO, gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb"))  # noqa: SIM115
        except OSError as exc:
            raise ParseError(f"cannot read PubMed XML file {path}: {exc.strerror or exc}") from exc
        return stream, f"file {path}"
    return source, f"stream {getattr(source, 'name', '<stream>')}"


def iter_pubmed_xml(source: bytes | str | os.PathLike | BinaryIO) -> Iterator[ParsedRecord | SkippedRecord]:
    """Yield each record of an efetch/bulk document as it is read; memory stays flat.

    ``source``: bytes (gzip detected), a path (".gz" read through gzip) or a binary stream.
    Raises ParseError, after the records before the fault, when the document is not
    well-formed (e.g. truncated) or is an E-utilities ``<ERROR>`` envelope.
    """
    stream, name = _open(source)
    opened_here = isinstance(source, (str, os.PathLike))
    errors: list[str] = []
    try:
        context = etree.iterparse(
            stream, events=("end",), tag=(*RECORD_TAGS, "DeleteCitation", "ERROR"),
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True,
            remove_comments=True, remove_pis=True,
        )  # fmt: skip
        try:
            for _, elem in context:
                parent = elem.getparent()
                if elem.tag == "ERROR":  # E-utilities envelope: <eFetchResult><ERROR>…
                    if parent is not None and parent.getparent() is None:
                        errors.append(text_of(elem) or "(empty ERROR element)")
                    continue
                if elem.tag == "MedlineCitation" and parent is not None and parent.tag == "PubmedArticle":
                    continue  # read with its PubmedArticle when that ends
                if elem.tag != "DeleteCitation":  # deletions of old bulk files: nothing to report
                    yield _parse_one(elem)
                elem.clear()
                if parent is not None:  # drop finished siblings so the tree does not grow
                    while elem.getprevious() is not None:
                        del parent[0]
        except etree.XMLSyntaxError as exc:
            msg = f"{name} is not well-formed XML ({exc}); it may be truncated: fetch the batch again"
            raise ParseError(msg) from exc
        root = context.root
    finally:
        if opened_here:
            stream.close()
    if errors:
        raise ParseError(f"NCBI returned an error instead of records in {name}: {'; '.join(errors)}")
    if root is not None and root.tag not in ROOT_TAGS:
        raise ParseError(f"{name} is a <{root.tag}> document, not a PubMed efetch result (<PubmedArticleSet>)")


def _parse_one(elem: etree._Element) -> ParsedRecord | SkippedRecord:
    try:
        record = parse_record_element(elem)
        return ParsedRecord(record=record, raw_xml=etree.tostring(elem, encoding="utf-8", with_tail=False))
    except Exception as exc:  # one bad record must not lose the batch
        kids = children(elem)
        pmid = (_pmid(children(first(kids, "MedlineCitation"))) or _pmid(children(first(kids, "BookDocument")))
                or _pmid(kids))
        return SkippedRecord(pmid, str(exc) if isinstance(exc, ParseError) else f"{type(exc).__name__}: {exc}")


def parse_pubmed_xml(data: bytes) -> tuple[list[ParsedRecord], list[SkippedRecord]]:
    """Parse a whole efetch response: (parsed records, skipped records).

    Raises ParseError (nothing returned) if the document is not well-formed or is an
    E-utilities error envelope; the caller should retry the batch.
    """
    parsed: list[ParsedRecord]
    skipped: list[SkippedRecord]
    parsed, skipped = [], []
    for item in iter_pubmed_xml(data):
        if isinstance(item, ParsedRecord):
            parsed.append(item)
        else:
            skipped.append(item)
    return parsed, skipped
