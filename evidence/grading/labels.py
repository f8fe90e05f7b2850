"""Study and direction labels kept in the cache, recomputed whenever the rules change.

Classifying a study and judging its direction are pure but not free (regular expressions
over every abstract); with tens of thousands of studies the dashboard would redo them on
every cold start. So their results are kept in the cache's ``labels`` table under a version
derived from the source of the modules that compute them: change a rule and every label is
recomputed, never served stale.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
from collections.abc import Iterable, Mapping, Sequence
from functools import cache as memoize
from typing import Any, TypeVar

from evidence.cache import Cache
from evidence.grading import classify as classify_module
from evidence.grading import direction as direction_module
from evidence.grading.classify import StudyClass, classify
from evidence.grading.direction import Direction, judge_direction
from evidence.models import Claim, Record

T = TypeVar("T")

__all__ = ["label_version", "direction_version", "classify_records", "study_labels", "labelled"]


@memoize
def label_version() -> str:
    """Changes whenever the classification or direction rules change."""
    source = inspect.getsource(classify_module) + inspect.getsource(direction_module)
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def direction_version(claim: Claim) -> str:
    """The rules' version plus the claim's wording: editing a claim re-judges its studies."""
    claim_key = hashlib.sha256(repr((claim.statement, claim.polarity, claim.population, claim.intervention,
                                     claim.outcome, claim.support_terms, claim.contradict_terms)).encode())
    return f"{label_version()}:{claim_key.hexdigest()[:12]}"


def _restore(cls: type[T], stored: Mapping[str, dict[str, Any]]) -> dict[str, T]:
    """Stored labels rebuilt as ``cls``; one that does not fit (damaged, or from other code) is left
    out, so it is computed again like a missing one."""
    out = {}
    for key, data in stored.items():
        try:
            out[key] = cls(**data)
        except TypeError:
            continue
    return out


def classify_records(cache: Cache, records: Sequence[Record]) -> dict[str, StudyClass]:
    """Each record's study label: stored ones reused, missing ones computed and stored."""
    version = label_version()
    stored = cache.get_labels("study", (r.pmid for r in records), version)
    out = _restore(StudyClass, stored)
    fresh = {r.pmid: classify(r) for r in records if r.pmid not in out}
    cache.put_labels("study", {p: dataclasses.asdict(s) for p, s in fresh.items()}, version)
    return {**out, **fresh}


def _directions(cache: Cache, claim: Claim, records: Sequence[Record]) -> dict[str, Direction]:
    version = direction_version(claim)
    keys = {f"{claim.id}:{r.pmid}": r for r in records}
    stored = cache.get_labels("direction", keys, version)
    out = {key.split(":", 1)[1]: d for key, d in _restore(Direction, stored).items()}
    fresh = {key: judge_direction(claim, r) for key, r in keys.items() if r.pmid not in out}
    cache.put_labels("direction", {k: dataclasses.asdict(d) for k, d in fresh.items()}, version)
    out.update({key.split(":", 1)[1]: d for key, d in fresh.items()})
    return out


def study_labels(cache: Cache, pmids: Iterable[str], chunk: int = 500) -> dict[str, StudyClass]:
    """Stored study labels for ``pmids``; missing ones computed from full records, a chunk at a time."""
    wanted = list(dict.fromkeys(pmids))
    out = _restore(StudyClass, cache.get_labels("study", wanted, label_version()))
    missing = [p for p in wanted if p not in out]
    for i in range(0, len(missing), chunk):
        out.update(classify_records(cache, cache.records(missing[i : i + chunk])))
    return out


def labelled(cache: Cache, claim: Claim, summaries: bool) -> tuple[list[Record], dict[str, StudyClass],
                                                                    dict[str, Direction]]:
    """The claim's records with their study and direction labels.

    With ``summaries`` the records are light (see ``Cache.summaries_for_claim``) whenever every
    label is already stored; otherwise full records are read to compute what is missing.
    """
    if summaries:
        records = cache.summaries_for_claim(claim.id)
        pmids = [r.pmid for r in records]
        stored_studies = _restore(StudyClass, cache.claim_labels(claim.id, "study", label_version(),
                                                                 prefix_claim=False))
        stored_dirs = _restore(Direction, cache.claim_labels(claim.id, "direction", direction_version(claim),
                                                             prefix_claim=True))
        if all(p in stored_studies and p in stored_dirs for p in pmids):
            return records, stored_studies, stored_dirs
    records = cache.records_for_claim(claim.id)
    return records, classify_records(cache, records), _directions(cache, claim, records)
