"""Study and direction labels kept in the cache, recomputed whenever the rules change.

Classifying a study and judging its direction are pure but not free (regular expressions
over every abstract); with tens of thousands of studies the dashboard would redo them on
every cold start. So their results are kept in the cache's ``labels`` table under a version
derived from the source of the modules that compute them: change a rule and every label is
recomputed, never served stale.

With a model judge (``evidence.grading.judges``) the direction labels' version also names the
model and its prompt version, so switching judges re-judges; a pair the model left unanswered
(the endpoint failed) is stored under the rules' version, so the next run asks it again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache as memoize
from typing import TYPE_CHECKING, Any, TypeVar

from evidence.cache import Cache
from evidence.grading import appraisal, designs, lexicon, pubtypes, quantities, reading, relevance, sample_size, species
from evidence.grading import classify as classify_module
from evidence.grading import direction as direction_module
from evidence.grading.classify import StudyClass, classify
from evidence.grading.direction import Direction, judge_direction
from evidence.models import Claim, Record

if TYPE_CHECKING:
    from evidence.grading.judges import ModelJudge

T = TypeVar("T")

__all__ = ["label_version", "direction_version", "study_from_dict", "classify_records", "study_labels", "labelled"]


@memoize
def label_version() -> str:
    """Changes whenever the classification or direction rules change (any module they read with)."""
    modules = (classify_module, pubtypes, designs, species, sample_size, appraisal, direction_module, lexicon,
               quantities, reading, relevance)
    source = "".join(inspect.getsource(m) for m in modules)
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def direction_version(claim: Claim, judge: ModelJudge | None = None) -> str:
    """The rules' version plus the claim's wording (editing a claim re-judges its studies), plus
    the model judge's model and prompt version when one decides."""
    judged = dataclasses.replace(claim, id="", article="", quote="", query="", note=None, line=None,
                                 contradicts=(), languages=(), date_from=None, date_to=None, humans_only=False)
    claim_key = hashlib.sha256(repr(judged).encode())
    version = f"{label_version()}:{claim_key.hexdigest()[:12]}"
    return version if judge is None else f"{version}:{judge.version}"


def study_from_dict(data: dict) -> StudyClass:
    """A stored study label rebuilt; JSON gave lists where the label holds tuples."""
    return StudyClass(**{**data, "limitations": tuple(data.get("limitations") or ())})


def _direction(data: dict[str, Any]) -> Direction:
    return Direction(**data)


def _restore(build: Callable[[dict[str, Any]], T], stored: Mapping[str, dict[str, Any]]) -> dict[str, T]:
    """Stored labels rebuilt; one that does not fit (damaged, or from other code) is left out, so it
    is computed again like a missing one."""
    out = {}
    for key, data in stored.items():
        try:
            out[key] = build(data)
        except (TypeError, AttributeError):
            continue
    return out


def classify_records(cache: Cache, records: Sequence[Record]) -> dict[str, StudyClass]:
    """Each record's study label: stored ones reused, missing ones computed and stored."""
    version = label_version()
    stored = cache.get_labels("study", (r.pmid for r in records), version)
    out = _restore(study_from_dict, stored)
    fresh = {r.pmid: classify(r) for r in records if r.pmid not in out}
    cache.put_labels("study", {p: dataclasses.asdict(s) for p, s in fresh.items()}, version)
    return {**out, **fresh}


def _directions(cache: Cache, claim: Claim, records: Sequence[Record],
                judge: ModelJudge | None = None) -> dict[str, Direction]:
    version = direction_version(claim, judge)
    keys = {f"{claim.id}:{r.pmid}": r for r in records}
    stored = cache.get_labels("direction", keys, version)
    out = {key.split(":", 1)[1]: d for key, d in _restore(_direction, stored).items()}
    missing = [r for r in records if r.pmid not in out]
    rules = {r.pmid: judge_direction(claim, r) for r in missing}
    fresh, unsettled = (rules, frozenset()) if judge is None else judge.directions(claim, missing, rules, cache)
    cache.put_labels("direction", {f"{claim.id}:{p}": dataclasses.asdict(d) for p, d in fresh.items()
                                   if p not in unsettled}, version)
    if unsettled:
        cache.put_labels("direction", {f"{claim.id}:{p}": dataclasses.asdict(rules[p]) for p in unsettled},
                         direction_version(claim))
    out.update(fresh)
    return out


def study_labels(cache: Cache, pmids: Iterable[str], chunk: int = 500) -> dict[str, StudyClass]:
    """Stored study labels for ``pmids``; missing ones computed from full records, a chunk at a time."""
    wanted = list(dict.fromkeys(pmids))
    out = _restore(study_from_dict, cache.get_labels("study", wanted, label_version()))
    missing = [p for p in wanted if p not in out]
    for i in range(0, len(missing), chunk):
        out.update(classify_records(cache, cache.records(missing[i : i + chunk])))
    return out


def labelled(cache: Cache, claim: Claim, summaries: bool, judge: ModelJudge | None = None
             ) -> tuple[list[Record], dict[str, StudyClass], dict[str, Direction]]:
    """The claim's records with their study and direction labels (directions by ``judge`` when given).

    With ``summaries`` the records are light (see ``Cache.summaries_for_claim``) whenever every
    label is already stored; otherwise full records are read to compute what is missing.
    """
    if summaries:
        records = cache.summaries_for_claim(claim.id)
        pmids = [r.pmid for r in records]
        stored_studies = _restore(study_from_dict, cache.claim_labels(claim.id, "study", label_version(),
                                                                      prefix_claim=False))
        stored_dirs = _restore(_direction, cache.claim_labels(claim.id, "direction",
                                                              direction_version(claim, judge), prefix_claim=True))
        if all(p in stored_studies and p in stored_dirs for p in pmids):
            return records, stored_studies, stored_dirs
    records = cache.records_for_claim(claim.id)
    return records, classify_records(cache, records), _directions(cache, claim, records, judge)
