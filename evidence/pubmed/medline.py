"""The MEDLINE (.nbib) format the PubMed website exports, read into ``Record``s.

Why the reader is ours and not ``Bio.Medline``: Bio.Medline groups values by tag, which
loses the order of personal (FAU/AU) and collective (CN) authors and the pairing of each
FAU with its AU, and it reports no line numbers. The format itself is simple
("TAG - value", 4-character tag, continuation lines indented by 6 spaces):
https://www.nlm.nih.gov/bsd/mms/medlineelements.html
"""

from __future__ import annotations

import re

from evidence.errors import ImportFileError
from evidence.models import Author, CommentCorrection, MeshHeading, PubDate, Record, is_pmid, month_number
from evidence.sanitize import strip_controls
from evidence.vocabulary import is_retracted

__all__ = ["parse_medline", "looks_like_medline"]

_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]{1,3}) {0,2}- (.*)$")
_CONTINUATION = "      "
_DP_RE = re.compile(r"^(\d{4})(?:\s+([A-Za-z]{3})[a-z]*(?:\s+(\d{1,2}))?)?$")
_SEASON_RE = re.compile(r"^(\d{4})\s+(Spring|Summer|Autumn|Fall|Winter)$")
_YEAR_RE = re.compile(r"\b(\d{4})\b")
_DATE_RE = re.compile(r"^(\d{4})/(\d{2})/(\d{2})")
_PHST_RE = re.compile(r"^(\d{4})/(\d{2})/(\d{2}).*\[(\w+)\]$")
_CC_PMID = re.compile(r"[0-9]+")
# MEDLINE tags of CommentsCorrections, by the XML RefType they stand for.
_CC_TAGS = {
    "CIN": "CommentIn", "CON": "CommentOn", "EIN": "ErratumIn", "EFR": "ErratumFor",
    "RIN": "RetractionIn", "ROF": "RetractionOf", "CRI": "CorrectedandRepublishedIn",
    "CRF": "CorrectedandRepublishedFrom", "ECI": "ExpressionOfConcernIn", "ECF": "ExpressionOfConcernFor",
    "RPI": "RepublishedIn", "RPF": "RepublishedFrom", "UIN": "UpdateIn", "UOF": "UpdateOf",
    "SPIN": "SummaryForPatientsIn", "ORI": "OriginalReportIn",
}  # fmt: skip


def _split_records(text: str, name: str) -> list[tuple[int, list[tuple[int, str, str]]]]:
    """(first line, [(line, tag, value)]) per record; continuation lines joined with a space.

    Linear in the file's size: a field's lines are gathered in a list and joined once (joining
    them one by one copied the growing value each time, minutes for a field of a few MB).
    Terminal control characters (ESC, BEL, NUL...) are dropped from every value.
    """
    records: list[tuple[int, list[tuple[int, str, str]]]] = []
    fields: list[tuple[int, str, list[str]]] = []

    def close() -> None:
        if fields:
            records.append((fields[0][0], [(at, tag, strip_controls(" ".join(parts))) for at, tag, parts in fields]))
            fields.clear()

    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not line:
            close()
            continue
        if raw.startswith(_CONTINUATION):
            if not fields:
                raise ImportFileError(
                    f"{name}, line {lineno}: a continuation line before any 'TAG - ' line; "
                    "this is not a MEDLINE file saved from PubMed"
                )
            fields[-1][2].append(line.strip())
            continue
        m = _TAG_LINE.match(line)
        if not m:
            raise ImportFileError(
                f"{name}, line {lineno}: {line[:40]!r} is not a MEDLINE field (expected 'XXXX- value'); "
                "save the file again from PubMed (Send to > Citation manager / Save as PubMed format)"
            )
        fields.append((lineno, m.group(1), [m.group(2).strip()]))
    close()
    return records


def _check_complete(text: str, records: list[tuple[int, list[tuple[int, str, str]]]], name: str) -> None:
    """A file cut short ends inside its last record: PubMed ends every record with its SO (source)
    line, and the file with a newline."""
    if not records:
        return
    first, fields = records[-1]
    if not text.endswith(("\n", "\r")) or fields[-1][1] != "SO":
        raise ImportFileError(
            f"{name}, line {fields[-1][0]}: the file ends inside the record that starts at line {first} "
            "(PubMed ends every record with its 'SO  - ' source line, and the file with a newline): "
            "it was cut short; save it again from PubMed. Nothing was imported"
        )


def _pub_date(dp: str | None) -> PubDate:
    if not dp:
        return PubDate()
    m = _DP_RE.match(dp)
    if m and (m.group(2) is None or month_number(m.group(2)) is not None):
        return PubDate(year=int(m.group(1)), month=month_number(m.group(2)),
                       day=int(m.group(3)) if m.group(3) else None)
    s = _SEASON_RE.match(dp)
    if s:
        return PubDate(year=int(s.group(1)), season=s.group(2))
    year = _YEAR_RE.search(dp)
    after = re.match(r"^\s*\d{4}\s+([A-Za-z]{3})", dp)
    return PubDate(year=int(year.group(1)) if year else None,
                   month=month_number(after.group(1)) if after else None, medline_date=dp)


def _iso(value: str | None) -> str | None:
    """"2006/10/25 09:00" or "20061024" -> "2006-10-25"."""
    if not value:
        return None
    m = _DATE_RE.match(value) or re.match(r"^(\d{4})(\d{2})(\d{2})$", value)
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None


def _mesh(value: str) -> MeshHeading:
    """"Crohn Disease/*diet therapy" -> descriptor, qualifiers, major when any part is starred."""
    parts = value.split("/")
    return MeshHeading(descriptor=parts[0].lstrip("*"), major=any(p.startswith("*") for p in parts),
                       qualifiers=tuple(p.lstrip("*") for p in parts[1:]))


def _authors(fields: list[tuple[int, str, str]]) -> tuple[Author, ...]:
    """Personal (FAU + AU) and collective (CN) authors in their file order."""
    authors: list[Author] = []
    pending: dict[str, str | None] | None = None  # an FAU waiting for its AU

    def flush() -> None:
        nonlocal pending
        if pending is not None:
            authors.append(Author(**pending))
            pending = None

    for _, tag, value in fields:
        if tag == "FAU":
            flush()
            last, _, fore = value.partition(",")
            pending = {"last_name": last.strip(), "fore_name": fore.strip() or None}
        elif tag == "AU":
            last, _, initials = value.rpartition(" ")
            if pending is not None:
                pending["initials"] = initials or None
                flush()
            else:  # AU without FAU (older records)
                authors.append(Author(last_name=last or initials, initials=initials if last else None))
        elif tag == "AUID" and value.startswith("ORCID:") and authors:
            if pending is None and authors[-1].orcid is None:
                a = authors[-1]
                authors[-1] = Author(a.last_name, a.fore_name, a.initials, a.collective_name,
                                     value.split(":", 1)[1].strip())
        elif tag == "CN":
            flush()
            authors.append(Author(collective_name=value))
    flush()
    return tuple(authors)


def _medline_record(fields: list[tuple[int, str, str]], first_line: int, name: str) -> Record:
    values: dict[str, list[str]] = {}
    for _, tag, value in fields:
        values.setdefault(tag, []).append(value)

    def one(tag: str) -> str | None:
        return values[tag][0] if values.get(tag) else None

    pmid = one("PMID")
    if not pmid or not is_pmid(pmid):
        what = (f"PMID {pmid!r} is not a PubMed id (1 to 10 digits 0-9, no leading zero)" if pmid
                else "the record has no PMID line")
        raise ImportFileError(f"{name}, line {first_line}: {what}; every PubMed record starts with 'PMID- <number>'")
    ids: dict[str, str] = {}
    for value in values.get("AID", []) + values.get("LID", []):  # AID (ArticleIdList) before LID
        body, bracket, kind = value.rpartition("[")  # "10.1111/x [doi]"; string methods stay linear
        if bracket and kind.endswith("]") and re.fullmatch(r"\w+", kind[:-1]):
            ids.setdefault(kind[:-1], body.rstrip())
    history: dict[str, str | None] = {}
    for value in values.get("PHST", []):
        m = _PHST_RE.match(value)
        if m:
            history.setdefault(m.group(4), f"{m.group(1)}-{m.group(2)}-{m.group(3)}")
    ccs = []
    for tag, ref_type in _CC_TAGS.items():
        for value in values.get(tag, []):
            source, marker, pmid_text = value.rpartition("PMID:")  # "Lancet. 2001;358:1. PMID: 11600210"
            linked = pmid_text.strip() if marker and _CC_PMID.fullmatch(pmid_text.strip()) else None
            ccs.append(CommentCorrection(ref_type=ref_type, pmid=linked,
                                         ref_source=(source if linked else value).strip().rstrip(".")))
    pub_types = tuple(values.get("PT", []))
    pub_date = _pub_date(one("DP"))
    kinds = {c.ref_type for c in ccs}
    return Record(
        pmid=pmid,
        title=one("TI") or one("TT") or one("BTI") or "",
        abstract=one("AB") or "",
        journal=one("JT") or one("BTI") or "",
        iso_abbreviation=one("TA") or "",  # MEDLINE has the NLM title abbreviation, not the ISO one
        volume=one("VI"),
        issue=one("IP"),
        pages=one("PG"),
        pub_date=pub_date,
        year=pub_date.year,
        authors=_authors(fields),
        languages=tuple(values.get("LA", [])),
        doi=ids.get("doi"),
        pmcid=one("PMC"),
        publication_types=pub_types,
        mesh=tuple(_mesh(v) for v in values.get("MH", [])),
        keywords=tuple(values.get("OT", [])),
        status=one("STAT"),
        entrez_date=history.get("entrez") or _iso(one("CRDT")),
        pubmed_date=history.get("pubmed") or _iso(one("EDAT")),
        medline_date=history.get("medline") or _iso(one("MHDA")),
        date_revised=_iso(one("LR")),
        comments_corrections=tuple(ccs),
        retracted=is_retracted(pub_types, kinds),
        expression_of_concern="Expression of Concern" in pub_types or "ExpressionOfConcernIn" in kinds,
        is_book=bool(values.get("BTI")) and not values.get("JT"),
    )


def looks_like_medline(text: str) -> bool:
    """True when the text's first non-blank line is a MEDLINE "TAG - value" line."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return bool(_TAG_LINE.match(first))


def parse_medline(text: str, name: str = "<text>") -> list[tuple[Record, bytes]]:
    """Every record of a MEDLINE/.nbib text with its own lines as bytes; raises ImportFileError."""
    lines = text.splitlines()
    out = []
    records = _split_records(text, name)
    _check_complete(text, records, name)
    for first, fields in records:
        last = fields[-1][0]
        while last < len(lines) and lines[last].startswith(_CONTINUATION):
            last += 1
        raw = strip_controls("\n".join(lines[first - 1 : last])).encode("utf-8") + b"\n"
        out.append((_medline_record(fields, first, name), raw))
    return out
