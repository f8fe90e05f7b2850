"""Reviewers' annotations as CSV: export all, import with validation (nothing written on error)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Set
from pathlib import Path

from evidence.cache import Cache
from evidence.errors import ImportFileError
from evidence.models import Annotation
from evidence.vocabulary import DIRECTIONS

__all__ = ["ANNOTATION_COLUMNS", "export_annotations_csv", "parse_annotations_csv",
           "import_annotations_csv"]

ANNOTATION_COLUMNS = ("claim_id", "pmid", "reviewer", "relevant", "direction", "note", "updated_at")
_BOOL = {"": None, "yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}


def export_annotations_csv(annotations: Iterable[Annotation]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ANNOTATION_COLUMNS)
    for a in annotations:
        relevant = "" if a.relevant is None else ("yes" if a.relevant else "no")
        writer.writerow((a.claim_id, a.pmid, a.reviewer, relevant, a.direction or "", a.note, a.updated_at))
    return out.getvalue()


def parse_annotations_csv(text: str, source: str, claim_ids: Set[str]) -> list[Annotation]:
    """Every row validated; the first problem raises ImportFileError naming the line."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("claim_id", "pmid", "reviewer") if c not in (reader.fieldnames or ())]
    if missing:
        raise ImportFileError(
            f"{source}:1: missing column(s) {', '.join(missing)}; expected {', '.join(ANNOTATION_COLUMNS)}"
        )
    out = []
    for row in reader:
        line = reader.line_num
        claim_id, pmid, reviewer = ((row.get(k) or "").strip() for k in ("claim_id", "pmid", "reviewer"))
        if claim_id not in claim_ids:
            raise ImportFileError(f"{source}:{line}: unknown claim {claim_id!r}; it must be an id in queries.yaml")
        if not pmid.isdigit():
            raise ImportFileError(f"{source}:{line}: pmid {pmid!r} is not a PubMed id (digits only)")
        if not reviewer:
            raise ImportFileError(f"{source}:{line}: reviewer is empty; every annotation names its reviewer")
        relevant_text = (row.get("relevant") or "").strip().lower()
        if relevant_text not in _BOOL:
            raise ImportFileError(f"{source}:{line}: relevant {relevant_text!r} must be yes, no or empty")
        direction = (row.get("direction") or "").strip().lower() or None
        if direction is not None and direction not in DIRECTIONS:
            raise ImportFileError(
                f"{source}:{line}: direction {direction!r} must be one of {', '.join(DIRECTIONS)} or empty"
            )
        out.append(
            Annotation(
                claim_id=claim_id,
                pmid=pmid,
                reviewer=reviewer,
                relevant=_BOOL[relevant_text],
                direction=direction,
                note=(row.get("note") or "").strip(),
                updated_at=(row.get("updated_at") or "").strip(),
            )
        )
    return out


def import_annotations_csv(cache: Cache, path: Path, claim_ids: Set[str]) -> int:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc}") from exc
    annotations = parse_annotations_csv(text, str(path), claim_ids)
    cache.save_annotations(annotations)
    return len(annotations)
