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
"""

from __future__ import annotations

import gzip
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from lxml import etree

from evidence.errors import ParseError
from evidence.models import AbstractSection, Author, CommentCorrection, MeshHeading, PubDate, Record, month_number
from evidence.vocabulary import is_retracted

__all__ = ["ParsedRecord", "SkippedRecord", "iter_pubmed_xml", "parse_pubmed_xml", "parse_record_element"]

RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle", "MedlineCitation")
ROOT_TAGS = frozenset({"PubmedArticleSet", "MedlineCitationSet", "PubmedBookArticleSet"})
MATHML = "{http://www.w3.org/1998/Math/MathML}"
YEAR_RE = re.compile(r"\b(\d{4})\b")
MEDLINE_MONTH_RE = re.compile(r"^\s*\d{4}\s+([A-Za-z]{3})")
AUTHOR_FIELDS = {
    "LastName": "last_name", "ForeName": "fore_name", "Initials": "initials", "CollectiveName": "collective_name"
}
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


def _collect(elem: etree._Element, parts: list[str]) -> None:
    if elem.text:
        parts.append(elem.text)
    for child in elem:
        tag = child.tag
        if isinstance(tag, str):  # comments and processing instructions carry no text
            if tag.startswith(MATHML):
                # MathML is pretty-printed token by token ("<mi>V</mi> <mo>.</mo>"):
                # join its tokens tightly so "V.O2max" does not become "V . O 2 m a x".
                parts.append("".join(t.strip() for t in child.itertext()))
            else:
                _collect(child, parts)
        if child.tail:
            parts.append(child.tail)


def text_of(elem: etree._Element | None) -> str:
    """All text under ``elem`` (inline <i>, <sup>, MathML... flattened), whitespace normalised."""
    if elem is None:
        return ""
    if len(elem) == 0:
        return " ".join(elem.text.split()) if elem.text else ""
    parts: list[str] = []
    _collect(elem, parts)
    return " ".join("".join(parts).split())


def _opt(elem: etree._Element | None, path: str) -> str | None:
    """Flattened text at ``path`` below ``elem``, or None when absent or empty."""
    if elem is None:
        return None
    return text_of(elem.find(path)) or None


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
    medline = _opt(elem, "MedlineDate")
    if medline:
        year, month = YEAR_RE.search(medline), MEDLINE_MONTH_RE.match(medline)
        return PubDate(year=int(year.group(1)) if year else None, medline_date=medline,
                       month=month_number(month.group(1)) if month else None)  # fmt: skip
    if season := _opt(elem, "Season"):
        return PubDate(year=_int(elem.findtext("Year")), season=season)
    return PubDate(year=_int(elem.findtext("Year")), month=month_number(elem.findtext("Month")),
                   day=_int(elem.findtext("Day")))  # fmt: skip


def iso_date(elem: etree._Element | None) -> str | None:
    """<Year>/<Month>/<Day> -> "YYYY-MM-DD" (month/day default to 01 when absent)."""
    if elem is None:
        return None
    year = _int(elem.findtext("Year"))
    if year is None:
        return None
    month = month_number(elem.findtext("Month")) or 1
    day = _int(elem.findtext("Day")) or 1
    return f"{year:04d}-{month:02d}-{day:02d}"


def _orcid(value: str) -> str:
    """Bare ORCID iD: NCBI sends "0000-…", "http(s)://orcid.org/0000-…" or 16 digits without dashes."""
    value = value.strip().rstrip("/").rsplit("/", 1)[-1]
    if len(value) == 16 and "-" not in value:
        value = "-".join(value[i : i + 4] for i in range(0, 16, 4))
    return value


def _authors(author_list: etree._Element | None) -> tuple[Author, ...]:
    if author_list is None:
        return ()
    authors = []
    for a in author_list.iterfind("Author"):
        if a.get("ValidYN") == "N":  # NLM keeps erroneous names but marks them invalid
            continue
        fields: dict[str, str | None] = {}
        for child in a:  # one pass over the children: authors are the bulk of big records
            tag = child.tag
            if tag == "Identifier":
                if "orcid" not in fields and child.get("Source") == "ORCID" and child.text:
                    fields["orcid"] = _orcid(child.text)
            elif tag in AUTHOR_FIELDS:
                fields[AUTHOR_FIELDS[tag]] = text_of(child) or None
        authors.append(Author(**fields))
    return tuple(authors)


def _abstract(abstract: etree._Element | None) -> tuple[str, tuple[AbstractSection, ...]]:
    """Plain abstract text ("LABEL: text" lines when structured) and its sections."""
    if abstract is None:
        return "", ()
    sections = tuple(
        AbstractSection(label=t.get("Label") or None, nlm_category=t.get("NlmCategory") or None, text=text_of(t))
        for t in abstract.iterfind("AbstractText")
    )
    sections = tuple(s for s in sections if s.text or s.label)
    joined = "\n".join(f"{s.label}: {s.text}" if s.label else s.text for s in sections)
    return joined, sections


def _ids(id_lists: list[etree._Element | None], elocations: list[etree._Element]) -> tuple[str | None, str | None]:
    """(doi, pmcid) from the record's own ArticleIdLists, then ELocationID for the DOI."""
    doi = pmcid = None
    for id_list in id_lists:
        if id_list is None:
            continue
        for aid in id_list.iterfind("ArticleId"):
            kind, value = aid.get("IdType"), (aid.text or "").strip()
            if kind == "doi" and value and doi is None:
                doi = value
            elif kind == "pmc" and value and pmcid is None:
                pmcid = value if value.upper().startswith("PMC") else f"PMC{value}"
    valid_dois = (e.text.strip() for e in elocations
                  if e.get("EIdType") == "doi" and e.get("ValidYN") != "N" and e.text)
    return doi or next(valid_dois, None), pmcid


def _mesh(mc: etree._Element) -> tuple[MeshHeading, ...]:
    headings = []
    for h in mc.iterfind("MeshHeadingList/MeshHeading"):
        d = h.find("DescriptorName")
        if d is None:
            continue
        quals = h.findall("QualifierName")
        major = d.get("MajorTopicYN") == "Y" or any(q.get("MajorTopicYN") == "Y" for q in quals)
        headings.append(MeshHeading(text_of(d), d.get("UI"), major, tuple(text_of(q) for q in quals)))
    return tuple(headings)


def _history(data: etree._Element | None) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    if data is not None:
        for d in data.iterfind("History/PubMedPubDate"):
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


def _texts(elem: etree._Element | None, path: str) -> tuple[str, ...]:
    return () if elem is None else tuple(t for t in (text_of(e) for e in elem.iterfind(path)) if t)


def _pmid(elem: etree._Element | None) -> str | None:
    return None if elem is None else (elem.findtext("PMID") or "").strip() or None


def _citation(mc: etree._Element, data: etree._Element | None) -> Record:
    """A MedlineCitation (bare, or inside PubmedArticle with its PubmedData)."""
    pmid = _pmid(mc)
    if pmid is None:
        raise ParseError("MedlineCitation has no PMID; the record cannot be identified")
    if not pmid.isdigit():
        raise ParseError(f"PMID {pmid!r} is not a number; the record is malformed")
    art = mc.find("Article")
    if art is None:
        raise ParseError(f"PMID {pmid}: MedlineCitation has no Article element (title, journal, date)")
    journal = art.find("Journal")
    issue = journal.find("JournalIssue") if journal is not None else None
    pub_date = parse_pub_date(issue.find("PubDate") if issue is not None else None)
    year = pub_date.year or _int(art.findtext("ArticleDate/Year"))
    abstract, sections = _abstract(art.find("Abstract"))
    pages = _opt(art, "Pagination/MedlinePgn")
    if pages is None:
        start, end = _opt(art, "Pagination/StartPage"), _opt(art, "Pagination/EndPage")
        pages = f"{start}-{end}" if start and end else start
    doi, pmcid = _ids([data.find("ArticleIdList") if data is not None else None], art.findall("ELocationID"))
    pub_types = _texts(art, "PublicationTypeList/PublicationType")
    ccs = tuple(
        CommentCorrection(ref_type=c.get("RefType", ""), pmid=_opt(c, "PMID"), ref_source=_opt(c, "RefSource"))
        for c in mc.iterfind("CommentsCorrectionsList/CommentsCorrections")
    )
    return Record(
        pmid=pmid, title=text_of(art.find("ArticleTitle")) or text_of(art.find("VernacularTitle")),
        abstract=abstract, abstract_sections=sections,
        journal=_opt(journal, "Title") or "", iso_abbreviation=_opt(journal, "ISOAbbreviation") or "",
        volume=_opt(issue, "Volume"), issue=_opt(issue, "Issue"), pages=pages, pub_date=pub_date, year=year,
        authors=_authors(art.find("AuthorList")), languages=_texts(art, "Language"), doi=doi, pmcid=pmcid,
        publication_types=pub_types, mesh=_mesh(mc), keywords=_texts(mc, "KeywordList/Keyword"),
        status=mc.get("Status"), date_revised=iso_date(mc.find("DateRevised")), comments_corrections=ccs,
        **_history(data), **_flags(pub_types, ccs),
    )  # fmt: skip


def _book(doc: etree._Element, data: etree._Element | None) -> Record:
    """A PubmedBookArticle: a Bookshelf chapter (ArticleTitle) or a whole book (BookTitle)."""
    pmid = _pmid(doc)
    if pmid is None:
        raise ParseError("BookDocument has no PMID; the record cannot be identified")
    book = doc.find("Book")
    book_title = text_of(book.find("BookTitle")) if book is not None else ""
    pub_date = parse_pub_date(book.find("PubDate") if book is not None else None)
    abstract, sections = _abstract(doc.find("Abstract"))
    author_lists = [a for a in doc.iterfind("AuthorList") if a.get("Type", "authors") == "authors"]
    doi, pmcid = _ids(
        [data.find("ArticleIdList") if data is not None else None, doc.find("ArticleIdList")],
        doc.findall("ELocationID"),
    )
    pub_types = _texts(doc, "PublicationType")
    return Record(
        pmid=pmid, title=text_of(doc.find("ArticleTitle")) or book_title, abstract=abstract,
        abstract_sections=sections, journal=book_title, volume=_opt(book, "Volume"), pub_date=pub_date,
        year=pub_date.year, authors=_authors(author_lists[0] if author_lists else None),
        languages=_texts(doc, "Language"), doi=doi, pmcid=pmcid, publication_types=pub_types,
        keywords=_texts(doc, "KeywordList/Keyword"), date_revised=iso_date(doc.find("DateRevised")), is_book=True,
        **_history(data), **_flags(pub_types, ()),
    )  # fmt: skip


def parse_record_element(elem: etree._Element) -> Record:
    """One PubmedArticle, PubmedBookArticle or bare MedlineCitation element -> Record.

    Raises ParseError when the element is not one of those or lacks what identifies it.
    """
    tag = elem.tag
    if tag == "PubmedArticle":
        mc = elem.find("MedlineCitation")
        if mc is None:
            raise ParseError("PubmedArticle has no MedlineCitation; the record cannot be read")
        return _citation(mc, elem.find("PubmedData"))
    if tag == "MedlineCitation":
        return _citation(elem, None)
    if tag == "PubmedBookArticle":
        doc = elem.find("BookDocument")
        if doc is None:
            raise ParseError("PubmedBookArticle has no BookDocument; the record cannot be read")
        return _book(doc, elem.find("PubmedBookData"))
    raise ParseError(f"<{tag}> is not a PubMed record element (PubmedArticle, PubmedBookArticle, MedlineCitation)")


def _open(source: bytes | str | os.PathLike | BinaryIO) -> tuple[BinaryIO, str]:
    """A binary stream over ``source`` and a name for error messages. str means a path."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = gzip.decompress(source) if bytes(source[:2]) == b"\x1f\x8b" else bytes(source)
        return io.BytesIO(data), f"the XML response ({len(data)} bytes)"
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            stream: BinaryIO = gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")  # noqa: SIM115
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
    except Exception as exc:
        pmid = _pmid(elem.find("MedlineCitation")) or _pmid(elem.find("BookDocument")) or _pmid(elem)
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
        (parsed if isinstance(item, ParsedRecord) else skipped).append(item)
    return parsed, skipped
