"""Machine-readable exports of PubMed records: BibTeX, RIS, CSL-JSON, CSV; plus a dispatcher.

``select_export`` picks what to export from the cache (a claim's relevant studies, best
evidence first, optionally by design) with each study's reviewer notes; the formatters are
pure: records in, text out. A study whose direction or relevance a reviewer set carries a
note naming the reviewer (BibTeX ``note``, RIS ``N1``, CSL-JSON ``note``, the CSV's ``note``).
Retracted studies are left out by default; with ``include_retracted=True`` they are kept
but their title starts with "[RETRACTED]" and a note says so, so no reference manager can
show them as ordinary citations.
The formats and their fields are documented in docs/exports.md.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from evidence.cache import Cache
from evidence.errors import ConfigError
from evidence.grading.labels import classify_records
from evidence.grading.service import ClaimEvidence, assess_claims
from evidence.models import Author, Record
from evidence.outputs.citations import RETRACTED_MARK, STYLES, citable, expand_pages, format_citations
from evidence.outputs.statement import cited_studies
from evidence.registry import Registry
from evidence.sanitize import csv_cell
from evidence.vocabulary import DESIGNS

__all__ = [
    "FORMATS",
    "to_csl_json",
    "csl_items",
    "to_bibtex",
    "to_ris",
    "to_csv",
    "export_records",
    "select_records",
    "select_export",
    "Selection",
    "reviewer_notes",
    "check_designs",
    "CSV_COLUMNS",
]

FORMATS: tuple[str, ...] = (*STYLES, "bibtex", "ris", "csl-json", "csv")
RETRACTION_NOTE = "Retracted publication: do not cite as evidence."
CSV_COLUMNS = (
    "pmid",
    "title",
    "authors",
    "journal",
    "journal_abbreviation",
    "year",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmcid",
    "publication_types",
    "retracted",
    "note",
)

_BIBTEX_SPECIAL = re.compile(r"([\\&%$#_{}~^])")
_BIBTEX_REPLACEMENT = {"\\": "\\textbackslash{}", "~": "\\textasciitilde{}", "^": "\\textasciicircum{}"}


def _title(r: Record) -> str:
    return f"{RETRACTED_MARK} {r.title}" if r.retracted else r.title


def _notes(r: Record, notes: Mapping[str, str] | None) -> list[str]:
    """The record's notes: the retraction warning first, then what reviewers decided."""
    out = [RETRACTION_NOTE] if r.retracted else []
    if notes and notes.get(r.pmid):
        out.append(notes[r.pmid])
    return out


def _split_pages(pages: str | None) -> tuple[str | None, str | None]:
    full = expand_pages(pages)
    if not full:
        return None, None
    start, sep, end = full.partition("-")
    return start, (end if sep and end else None)


# --------------------------------------------------------------------------- CSL-JSON


def _csl_name(a: Author) -> dict[str, str]:
    if a.collective_name:
        return {"literal": a.collective_name}
    name = {"family": a.last_name or ""}
    if a.fore_name or a.initials:
        name["given"] = a.fore_name or a.initials or ""
    return name


def csl_items(records: Iterable[Record], *, include_retracted: bool = False,
              notes: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """CSL-JSON items (https://citeproc-js.readthedocs.io/en/latest/csl-json/markup.html)."""
    items = []
    for r in citable(records, include_retracted):
        year = r.pub_date.year or r.year
        date = [] if year is None else [year]
        if date and r.pub_date.month:  # a day only follows a month, a month only a year
            date += [r.pub_date.month] + ([r.pub_date.day] if r.pub_date.day else [])
        item: dict[str, Any] = {
            "id": f"pmid{r.pmid}",
            "type": "book" if r.is_book else "article-journal",
            "title": _title(r),
            "author": [_csl_name(a) for a in r.authors],
            "container-title": r.journal or None,
            "container-title-short": r.iso_abbreviation or None,
            "volume": r.volume,
            "issue": r.issue,
            "page": expand_pages(r.pages),
            "issued": {"date-parts": [date]} if date else None,
            "DOI": r.doi,
            "PMID": r.pmid,
            "PMCID": r.pmcid,
            "language": r.languages[0] if r.languages else None,
            "abstract": r.abstract or None,
            "note": " ".join(_notes(r, notes)) or None,
        }
        if r.is_book:
            item.pop("container-title-short")
        items.append({k: v for k, v in item.items() if v not in (None, "", [])})
    return items


def to_csl_json(records: Iterable[Record], *, include_retracted: bool = False,
                notes: Mapping[str, str] | None = None) -> str:
    items = csl_items(records, include_retracted=include_retracted, notes=notes)
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------- BibTeX


def _bib_escape(text: str) -> str:
    """Escape BibTeX/LaTeX specials in one pass (a backslash becomes ``\\textbackslash{}``, whose
    braces must not be escaped again); UTF-8 is kept (biber and bibtexparser read it)."""
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_REPLACEMENT.get(m[1], "\\" + m[1]), text)


def _bib_name(a: Author) -> str:
    if a.collective_name:  # braces: one corporate name, never split into first/last
        return "{" + _bib_escape(a.collective_name) + "}"
    given = a.fore_name or a.initials
    return _bib_escape(f"{a.last_name}, {given}" if given else a.last_name or "")


def to_bibtex(records: Iterable[Record], *, include_retracted: bool = False,
              notes: Mapping[str, str] | None = None) -> str:
    """One ``@article`` (``@book`` for Bookshelf records) per record, keyed ``pmid<PMID>``."""
    entries = []
    for r in citable(records, include_retracted):
        start, end = _split_pages(r.pages)
        fields = [
            ("author", " and ".join(_bib_name(a) for a in r.authors)),
            ("title", _bib_escape(_title(r))),
            ("publisher" if r.is_book else "journal", _bib_escape(r.journal)),
            ("year", str(r.year) if r.year else ""),
            ("volume", _bib_escape(r.volume or "")),
            ("number", _bib_escape(r.issue or "")),
            ("pages", f"{start}--{end}" if end else start or ""),
            ("doi", _bib_escape(r.doi or "")),
            ("pmid", r.pmid),
            ("pmcid", r.pmcid or ""),
            ("note", _bib_escape(" ".join(_notes(r, notes)))),
        ]
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields if v)
        entries.append(f"@{'book' if r.is_book else 'article'}{{pmid{r.pmid},\n{body}\n}}\n")
    return "\n".join(entries)


# --------------------------------------------------------------------------- RIS


def _ris_name(a: Author) -> str:
    if a.collective_name:
        return a.collective_name
    given = a.fore_name or a.initials
    return f"{a.last_name}, {given}" if given else a.last_name or ""


def to_ris(records: Iterable[Record], *, include_retracted: bool = False,
           notes: Mapping[str, str] | None = None) -> str:
    """RIS as Zotero, EndNote and Mendeley read it ("TAG  - value", one record per TY...ER)."""
    out: list[str] = []
    for r in citable(records, include_retracted):
        start, end = _split_pages(r.pages)
        lines: list[tuple[str, str | None]] = [("TY", "BOOK" if r.is_book else "JOUR")]
        lines += [("AU", _ris_name(a)) for a in r.authors]
        lines += [
            ("TI", _title(r)),
            ("T2", r.journal),
            ("J2", r.iso_abbreviation),
            ("PY", str(r.year) if r.year else None),
            ("DA", r.pub_date.text or None),
            ("VL", r.volume),
            ("IS", r.issue),
            ("SP", start),
            ("EP", end),
            ("DO", r.doi),
            ("AN", r.pmid),
            ("DB", "PubMed"),
            ("LA", r.languages[0] if r.languages else None),
        ]
        lines += [("KW", k) for k in r.keywords]
        lines += [("N1", note) for note in _notes(r, notes)]
        if r.abstract:
            lines.append(("AB", " ".join(r.abstract.split())))
        out.extend(f"{tag}  - {value}" for tag, value in lines if value)
        out.append("ER  - ")
        out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------- CSV


def to_csv(records: Iterable[Record], *, include_retracted: bool = False,
           notes: Mapping[str, str] | None = None) -> str:
    """One row per record (columns ``CSV_COLUMNS``); authors joined by "; "; ``note``: reviewers' decisions.

    Every cell goes through ``csv_cell``: one that a spreadsheet would run as a formula
    (``=``, ``+``, ``-``, ``@``...) starts with an apostrophe (docs/exports.md).
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in citable(records, include_retracted):
        writer.writerow(csv_cell(cell) for cell in (
            r.pmid, _title(r), "; ".join(a.display for a in r.authors), r.journal, r.iso_abbreviation,
            r.year or "", r.volume or "", r.issue or "", r.pages or "", r.doi or "", r.pmcid or "",
            "; ".join(r.publication_types), "yes" if r.retracted else "no", (notes or {}).get(r.pmid, ""),
        ))  # fmt: skip
    return buf.getvalue()


# --------------------------------------------------------------------------- dispatcher


def export_records(records: Iterable[Record], fmt: str, *, include_retracted: bool = False,
                   notes: Mapping[str, str] | None = None) -> str:
    """``records`` as text in ``fmt``: one of FORMATS (ama, vancouver, apa, bibtex, ris, csl-json, csv).

    Citation styles give one reference per line, numbered in the given order; the other formats
    carry ``notes`` (PMID -> text: what reviewers decided) in their note field.
    Aliases: "csljson"/"csl" for csl-json (the CLI's spelling), "bib" for bibtex.
    """
    key = {"csljson": "csl-json", "csl": "csl-json", "bib": "bibtex"}.get(fmt.lower(), fmt.lower())
    records = list(records)
    if key in STYLES:
        lines = format_citations(records, key, include_retracted=include_retracted)
        return "".join(f"{i}. {line}\n" for i, line in enumerate(lines, 1))
    writers = {"bibtex": to_bibtex, "ris": to_ris, "csl-json": to_csl_json, "csv": to_csv}
    if key not in writers:
        raise ConfigError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    return writers[key](records, include_retracted=include_retracted, notes=notes)


def check_designs(designs: Iterable[str]) -> tuple[str, ...]:
    """Design names as the vocabulary spells them ("RCT" -> "rct"); an unknown one is a ConfigError."""
    out = []
    for name in designs:
        key = name.strip().lower().replace("_", "-").replace(" ", "-")
        if key not in DESIGNS:
            raise ConfigError(f"unknown design {name!r}: use one of {', '.join(DESIGNS)}")
        out.append(key)
    return tuple(dict.fromkeys(out))


def reviewer_notes(evidence: Iterable[ClaimEvidence]) -> dict[str, str]:
    """PMID -> what reviewers decided about it, claim by claim, naming each reviewer.

    The grade's own account (``Grade.reviewed``) where it has one; any other study a reviewer
    annotated is noted as reviewed by them.
    """
    out: dict[str, list[str]] = {}
    for ev in evidence:
        decided = dict(ev.grade.reviewed)
        for a in ev.assessments:
            if a.reviewed_by is None:
                continue
            what = decided.get(a.record.pmid) or f"reviewed by {a.reviewed_by}"
            out.setdefault(a.record.pmid, []).append(f"Reviewer decision ({ev.claim.id}): {what}.")
    return {pmid: " ".join(lines) for pmid, lines in out.items()}


@dataclass(frozen=True)
class Selection:
    """What to export: records best evidence first, and each one's reviewer notes."""

    records: list[Record]
    notes: dict[str, str] = field(default_factory=dict)


def select_export(
    registry: Registry, cache: Cache, *, claim_ids: Sequence[str] = (), designs: Sequence[str] = ()
) -> Selection:
    """Records for export: the named claims' evidence behind the verdict (``cited_studies``: the
    relevant studies; all cached records when no claim is named), optionally only those of the
    given designs (checked against the vocabulary, any case).

    Order: best evidence first within each claim, each PMID once. Notes: see ``reviewer_notes``.
    """
    wanted = set(check_designs(designs))
    notes: dict[str, str] = {}
    if claim_ids:
        evidence = assess_claims([registry.claim(c) for c in claim_ids], cache)
        records = [
            a.record
            for ev in evidence.values()
            for a in cited_studies(ev)
            if not wanted or a.study.design in wanted
        ]
        notes = reviewer_notes(evidence.values())
    else:
        everything = list(cache.iter_records())
        studies = classify_records(cache, everything) if wanted else {}
        records = [r for r in everything if not wanted or studies[r.pmid].design in wanted]
    first: dict[str, Record] = {}
    for r in records:
        first.setdefault(r.pmid, r)
    return Selection(list(first.values()), {p: n for p, n in notes.items() if p in first})


def select_records(
    registry: Registry, cache: Cache, *, claim_ids: Sequence[str] = (), designs: Sequence[str] = ()
) -> list[Record]:
    """The records of ``select_export``, without their notes."""
    return select_export(registry, cache, claim_ids=claim_ids, designs=designs).records
