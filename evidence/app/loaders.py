"""Cached loaders and the empty states: every input is an argument, keyed on the cache's fingerprint.

A refresh or a review changes ``Cache.fingerprint()``, so the next rerun shows it at once.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pandas as pd
import streamlit as st

from evidence import dashboard as dv
from evidence.cache import Cache
from evidence.errors import CacheError
from evidence.grading.service import ClaimEvidence, ClaimGrade
from evidence.registry import Registry, load_registry
from evidence.settings import Settings

if TYPE_CHECKING:
    from evidence.grading.judges import ModelJudge

# (cache path, queries path, queries mtime, cache fingerprint): what every cached loader is keyed on.
LoaderKey = tuple[str, str, int, tuple[Any, ...]]


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


@st.cache_resource(show_spinner=False, max_entries=4)
def cached_registry(queries: str, mtime_ns: int) -> Registry:
    return load_registry(queries)


def judge_setting() -> tuple[str, str]:
    """(EVIDENCE_JUDGE_URL, EVIDENCE_JUDGE_MODEL): part of every grading loader's key, so grades
    computed with one judge are never shown for another."""
    return os.environ.get("EVIDENCE_JUDGE_URL", ""), os.environ.get("EVIDENCE_JUDGE_MODEL", "")


@st.cache_resource(show_spinner=False, max_entries=4)
def offline_judge(url: str, model: str) -> ModelJudge | None:
    """The model judge EVIDENCE_JUDGE_* configure, offline: the dashboard shows the directions the
    model gave in refreshes (cached answers) and never sends a request; None when none is set.

    Without it a dashboard would regrade with the rules alone and disagree with the refresh's
    grades. ``url`` and ``model`` key the cache (the key itself is read from the environment and
    never part of a cache key). Raises ConfigError on bad settings, shown by the page like any other.
    """
    from evidence.grading.judges import ModelJudge

    return ModelJudge.from_settings(Settings.from_env(os.environ), offline=True)


@st.cache_resource(show_spinner=False, max_entries=2048)
def cached_claim_evidence(cache_path: str, queries: str, mtime_ns: int, claim_id: str,
                          claim_key: tuple[Any, ...]) -> ClaimEvidence:
    """One claim's evidence. Keyed per claim, so a review recomputes only its own claim."""
    from evidence.grading.service import assess_claims

    claim = cached_registry(queries, mtime_ns).claim(claim_id)
    with Cache(cache_path, readonly=True) as cache:
        return assess_claims([claim], cache, summaries=True, judge=offline_judge(*claim_key[-1]))[claim_id]


def cached_evidence(cache_path: str, queries: str, mtime_ns: int,
                    fingerprint: tuple[Any, ...]) -> tuple[dict[str, ClaimGrade], pd.DataFrame]:
    """(grade by claim id, overview frame) for one state of the cache, registry and judge."""
    return _cached_evidence(cache_path, queries, mtime_ns, fingerprint, judge_setting())


@st.cache_resource(show_spinner="Grading the evidence…", max_entries=4)
def _cached_evidence(cache_path: str, queries: str, mtime_ns: int, fingerprint: tuple[Any, ...],
                     judge: tuple[str, str]) -> tuple[dict[str, ClaimGrade], pd.DataFrame]:
    """(grade by claim id, overview frame) for one state of the cache and registry.

    Grades come from the last refresh's snapshots while they are current (``grade_claims``);
    a claim reviewed or changed since is regraded.
    """
    from evidence.grading.service import grade_claims

    registry = cached_registry(queries, mtime_ns)
    with Cache(cache_path, readonly=True) as cache:
        grades = grade_claims(registry.claims, cache, judge=offline_judge(*judge))
        state = cache.claims_overview()
        last_refreshed = dict(zip(state["claim_id"], state["last_success"], strict=True))
        overview = dv.overview_frame(registry.claims, grades, last_refreshed)
    return grades, overview


def _claim_key(fingerprint: tuple[Any, ...], claim_id: str, cache: Cache) -> tuple[Any, ...]:
    # fingerprint = (last run, last change, last annotation time, annotations, memberships):
    # a claim's own key swaps the global annotation parts for that claim's annotations.
    notes = tuple((a.pmid, a.reviewer, a.relevant, a.direction, a.note, a.updated_at)
                  for a in cache.annotations(claim_id))
    # The judge comes last: cached_claim_evidence grades with it.
    return (fingerprint[0], fingerprint[1], fingerprint[4], notes, judge_setting())


def claim_evidence(cache_path: str, queries: str, mtime_ns: int, fingerprint: tuple[Any, ...], claim_id: str,
                   cache: Cache) -> ClaimEvidence:
    """One claim's evidence, keyed on that claim's own state (its reviews), see cached_claim_evidence."""
    return cached_claim_evidence(cache_path, queries, mtime_ns, claim_id, _claim_key(fingerprint, claim_id, cache))


@st.cache_resource(show_spinner=False, max_entries=64)
def cached_studies(cache_path: str, queries: str, mtime_ns: int, claim_key: tuple[Any, ...],
                   claim_id: str) -> pd.DataFrame:
    return dv.studies_frame(cached_claim_evidence(cache_path, queries, mtime_ns, claim_id, claim_key))



def empty_state(settings: Settings, why: str) -> NoReturn:
    """What to run, with the cache path in effect (EVIDENCE_CACHE spelled out when it is not the default)."""
    st.title("No evidence yet")
    st.info(f"{why} The dashboard shows only studies fetched from PubMed into `{settings.cache}`. Run:")
    st.code(dv.run_help(settings), language="bash")
    st.stop()
    raise AssertionError("unreachable: st.stop() raises")


def open_cache(settings: Settings) -> Cache:
    if not settings.cache.exists():
        empty_state(settings, f"There is no cache at `{settings.cache}` yet.")
    try:
        return Cache(settings.cache, readonly=True)
    except CacheError as exc:
        st.error(f"The cache cannot be read: {exc}")
        st.stop()
        raise  # unreachable: st.stop() raises


