"""Reviewers' annotations as CSV: export all, import with validation (nothing written on error).

Export: every cell goes through ``csv_cell``, so a note such as ``=HYPERLINK(...)`` or
``@SUM(1+1)`` opens in a spreadsheet as text, never as a formula; import removes that
apostrophe again (``csv_value``), so a file exported and imported gives the same notes.

Import reads UTF-8 (with or without a BOM) or UTF-16 with a BOM, and refuses anything it
would otherwise have to guess: another encoding, an unclosed quote, a row with more cells
than the header, a row repeated, a PMID that is not one (``١٢٣``, ``0009997``) or not a study
of the claim in the cache, a date that is not ISO 8601. Every problem names the file and line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Set
from datetime import datetime, timezone
from pathlib import Path

from evidence.cache import Cache
from evidence.errors import ImportFileError
from evidence.models import Annotation, is_pmid
from evidence.sanitize import csv_cell, csv_value, strip_controls
from evidence.vocabulary import DIRECTIONS

__all__ = ["ANNOTATION_COLUMNS", "export_annotations_csv", "parse_annotations_csv", "read_annotations_text",
           "import_annotations_csv"]

ANNOTATION_COLUMNS = ("claim_id", "pmid", "reviewer", "relevant", "direction", "note", "updated_at")
_BOOL = {"": None, "yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}


def export_annotations_csv(annotations: Iterable[Annotation]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ANNOTATION_COLUMNS)
    for a in annotations:
        relevant = "" if a.relevant is None else ("yes" if a.relevant else "no")
        writer.writerow(csv_cell(cell) for cell in
                        (a.claim_id, a.pmid, a.reviewer, relevant, a.direction or "", a.note, a.updated_at))
    return out.getvalue()


def read_annotations_text(data: bytes, source: str) -> str:
    """The CSV's text: UTF-8 (BOM or not) or UTF-16 with a BOM; anything else is refused by line."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportFileError(f"{source}: not valid UTF-16 text ({exc.reason}); save the CSV as UTF-8") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(f"{source}:{line}: not UTF-8 text (Latin-1 or Windows-1252?); "
                              "save the CSV as UTF-8 (\"CSV UTF-8\" in Excel) and import it again") from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ImportFileError(f"{source}:{line}: the file holds NUL characters (UTF-16 without a byte-order mark?); "
                              "save the CSV as UTF-8 and import it again")
    return text


def _iso(value: str, where: str) -> str:
    """An ISO 8601 time as the cache stores it (UTC, seconds); "" stays "" (import time)."""
    if not value:
        return ""
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        raise ImportFileError(f"{where}: updated_at {value!r} is not an ISO 8601 time; "
                              "write e.g. 2026-11-01T10:00:00+00:00, or leave it empty") from None
    t = t if t.tzinfo else t.replace(tzinfo=timezone.utc)
    return t.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def _swallowed_rows(value: str, claim_ids: Set[str]) -> bool:
    """True when a multi-line cell holds lines that look like the file's own rows."""
    for line in value.split("\n")[1:]:
        m = re.match(r"\s*([^,]+),\s*(\d+)\s*,", line)
        if m and m.group(1).strip() in claim_ids:
            return True
    return False


def parse_annotations_csv(text: str, source: str, claim_ids: Set[str],
                          linked: Mapping[str, Set[str]] | None = None) -> list[Annotation]:
    """Every row validated; the first problem raises ImportFileError naming the line.

    ``linked`` (claim id -> PMIDs of its studies in the cache), when given, must hold each
    row's PMID: a review of a study the claim does not have is refused.
    """
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        raise ImportFileError(f"{source}:1: the header is not valid CSV ({exc})") from None
    missing = [c for c in ("claim_id", "pmid", "reviewer") if c not in (fieldnames or ())]
    if missing:
        raise ImportFileError(
            f"{source}:1: missing column(s) {', '.join(missing)}; expected {', '.join(ANNOTATION_COLUMNS)}"
        )
    out: list[Annotation] = []
    seen: dict[tuple[str, str, str], int] = {}
    start = 2
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            hint = "; an unclosed quote?" if "end of data" in str(exc) else "; a stray quote?"
            raise ImportFileError(f"{source}:{start}: not valid CSV ({exc}{hint}); nothing was imported") from None
        line, where = start, f"{source}:{start}"
        start = reader.line_num + 1
        if None in row:
            raise ImportFileError(f"{where}: the row has more cells than the header (an unclosed or stray quote?)")
        cells = {k: csv_value(v or "") for k, v in row.items()}
        if any("\n" in v and (k != "note" or _swallowed_rows(v, claim_ids)) for k, v in cells.items()):
            raise ImportFileError(f"{where}: a cell runs over several lines into what look like further rows "
                                  "(an unclosed quote?); close the quote and import again")
        claim_id, pmid, reviewer = (strip_controls(cells.get(k) or "").strip()
                                    for k in ("claim_id", "pmid", "reviewer"))
        if claim_id not in claim_ids:
            raise ImportFileError(f"{where}: unknown claim {claim_id!r}; it must be an id in queries.yaml")
        if not is_pmid(pmid):
            raise ImportFileError(f"{where}: pmid {pmid!r} is not a PubMed id (1 to 10 digits 0-9, no leading zero)")
        if linked is not None and pmid not in linked.get(claim_id, ()):
            raise ImportFileError(f"{where}: PMID {pmid} is not a study of claim {claim_id!r} in the cache; "
                                  "check the row, or `evidence refresh` / `evidence import` the study first")
        if not reviewer:
            raise ImportFileError(f"{where}: reviewer is empty; every annotation names its reviewer")
        relevant_text = (cells.get("relevant") or "").strip().lower()
        if relevant_text not in _BOOL:
            raise ImportFileError(f"{where}: relevant {relevant_text!r} must be yes, no or empty")
        direction = (cells.get("direction") or "").strip().lower() or None
        if direction is not None and direction not in DIRECTIONS:
            raise ImportFileError(
                f"{where}: direction {direction!r} must be one of {', '.join(DIRECTIONS)} or empty"
            )
        key = (claim_id, pmid, reviewer)
        if key in seen:
            raise ImportFileError(f"{where}: repeats line {seen[key]} (claim {claim_id}, PMID {pmid}, reviewer "
                                  f"{reviewer!r}); keep one row per claim, study and reviewer")
        seen[key] = line
        out.append(
            Annotation(
                claim_id=claim_id,
                pmid=pmid,
                reviewer=reviewer,
                relevant=_BOOL[relevant_text],
                direction=direction,
                note=strip_controls(cells.get("note") or "").strip(),
                updated_at=_iso((cells.get("updated_at") or "").strip(), where),
            )
        )
    return out


def import_annotations_csv(cache: Cache, path: Path, claim_ids: Set[str]) -> int:
    """Validate the whole file against the registry's claims and the cache's studies, then store it."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    text = read_annotations_text(data, str(path))
    linked = {claim_id: cache.claim_pmids(claim_id) for claim_id in sorted(claim_ids)}
    annotations = parse_annotations_csv(text, str(path), claim_ids, linked)
    cache.save_annotations(annotations)
    return len(annotations)
