"""Import a file saved from the PubMed website (MEDLINE/.nbib or PubMed XML) into a claim.

The whole file is read and validated before anything is written: a malformed file
raises ``ImportFileError`` naming the file and line, and the cache is left untouched.
Valid records are stored in one ``Cache.store_batch`` transaction with source "import".
PubMed outranks a file: a record fetched from PubMed is linked to the claim but never
overwritten (a MEDLINE export holds less than PubMed's XML, and a file can be forged); when
the file's version differs from it (title, year, publication types, retraction), the import
says so (``conflicts``). An earlier imported copy is replaced, and the next refresh that
finds the PMID replaces any imported copy with PubMed's record.
The formats are read by ``evidence.pubmed.medline`` and ``evidence.pubmed.xml_parser``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from evidence.cache import Cache
from evidence.errors import ConfigError, ImportFileError, ParseError
from evidence.models import Record, is_pmid
from evidence.pubmed.medline import looks_like_medline, parse_medline
from evidence.pubmed.xml_parser import parse_pubmed_xml

__all__ = ["ImportResult", "import_file", "sniff_format"]


@dataclass(frozen=True)
class ImportResult:
    path: str
    format: str  # "medline" or "xml"
    claim_id: str
    pmids: tuple[str, ...]  # every record imported, in file order
    added: tuple[str, ...]  # new to the cache
    updated: tuple[str, ...]  # already cached, content changed
    unchanged: tuple[str, ...]
    linked: tuple[str, ...]  # newly linked to the claim
    duplicates: tuple[str, ...] = ()  # PMIDs repeated in the file (first occurrence kept)
    conflicts: tuple[str, ...] = ()  # cached from PubMed, the file's version differs: PubMed's kept

    def summary(self) -> str:
        """One line for the CLI: what the import did."""
        text = (f"imported {len(self.pmids)} records from {self.path} ({self.format}) into claim {self.claim_id}: "
                f"{len(self.added)} new, {len(self.updated)} revised, {len(self.unchanged)} unchanged, "
                f"{len(self.linked)} newly linked")
        text += f"; {len(self.duplicates)} duplicate PMIDs ignored" if self.duplicates else ""
        if self.conflicts:
            text += (f"; {len(self.conflicts)} differ from PubMed's record in the cache, which was kept "
                     f"(PMID {', '.join(self.conflicts)})")
        return text


def sniff_format(data: bytes) -> str:
    """"xml" when the content starts with '<', "medline" when with a "TAG - " line."""
    head = data.lstrip(b"\xef\xbb\xbf").lstrip()[:200]
    if head.startswith(b"<"):
        return "xml"
    if looks_like_medline(head.split(b"\n", 1)[0].decode("utf-8", "replace").rstrip("\r")):
        return "medline"
    return "unknown"


# --------------------------------------------------------------------------- import


def _parse_xml(data: bytes, name: str) -> list[tuple[Record, bytes]]:
    try:
        parsed, skipped = parse_pubmed_xml(data)
    except ParseError as exc:
        line = getattr(exc.__cause__, "lineno", None)
        where = f", line {line}" if line else ""
        raise ImportFileError(f"{name}{where}: {exc}; nothing was imported") from exc
    if skipped:
        s = skipped[0]
        raise ImportFileError(
            f"{name}: record {s.pmid or '(no PMID)'} cannot be read ({s.reason}); nothing was imported"
        )
    return [(p.record, p.raw_xml) for p in parsed]


def import_file(
    cache: Cache,
    path: str | Path,
    claim_id: str,
    *,
    known_claims: Collection[str] | None = None,
    now: str | None = None,
) -> ImportResult:
    """Read a PubMed export (MEDLINE/.nbib or XML, sniffed from content) and add it to a claim.

    Validates the whole file first; on any error raises ImportFileError and writes nothing.
    ``known_claims``: when given, ``claim_id`` must be one of them (else ConfigError).
    """
    if not claim_id or (known_claims is not None and claim_id not in known_claims):
        raise ConfigError(f"unknown claim {claim_id!r}: use a claim id from queries.yaml (`evidence claims`)")
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ImportFileError(f"cannot read {name}: {exc.strerror or exc}") from exc
    fmt = sniff_format(data)
    if fmt == "xml":
        items = _parse_xml(data, name)
    elif fmt == "medline":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise ImportFileError(f"{name}, line {line}: not UTF-8 text; save it again from PubMed") from exc
        items = parse_medline(text, name)
    else:
        raise ImportFileError(
            f"{name}, line 1: neither PubMed XML nor MEDLINE (.nbib) format; "
            "save it from PubMed as 'PubMed' format or fetch it as XML"
        )
    if not items:
        raise ImportFileError(f"{name}: no PubMed records found; nothing was imported")
    for record, _raw in items:
        if not is_pmid(record.pmid):
            raise ImportFileError(f"{name}: PMID {record.pmid!r} is not a PubMed id (1 to 10 digits 0-9, "
                                  "no leading zero); nothing was imported")
    seen: dict[str, tuple[Record, bytes]] = {}
    duplicates = []
    for record, raw in items:
        if record.pmid in seen:
            duplicates.append(record.pmid)
        else:
            seen[record.pmid] = (record, raw)
    cached = cache.stored_records(seen)
    conflicts = tuple(p for p, (record, _raw) in seen.items() if p in cached and cached[p].source == "pubmed"
                      and _citation(record) != _citation(cached[p].record))
    outcome = cache.store_batch(list(seen.values()), {pmid: [claim_id] for pmid in seen},
                                run_id=None, source="import", keep_existing=True, now=now)
    return ImportResult(
        path=name, format=fmt, claim_id=claim_id, pmids=tuple(seen), added=outcome.added,
        updated=outcome.updated, unchanged=outcome.unchanged,
        linked=tuple(p for c, p in outcome.new_members if c == claim_id), duplicates=tuple(duplicates),
        conflicts=conflicts,
    )


def _citation(record: Record) -> tuple[object, ...]:
    """What a copy of a record must share with PubMed's to be the same citation (a MEDLINE export
    holds less than the XML, so the two are never byte-equal)."""
    return (" ".join(record.title.split()).casefold(), record.year, frozenset(record.publication_types),
            record.retracted)
