"""The SQLite cache: the only package that speaks SQL.

One file (``cache/evidence.sqlite`` by default) in WAL mode, so the dashboard reads while
a refresh writes. Every write that belongs together is one transaction: a fetched batch
(records + the claims that found them + what changed) lands whole or not at all, so a
refresh killed at any moment leaves a consistent cache and the next run finishes the job.

Tables (schema version in ``meta``):
  records         one row per PMID: indexed columns, the parsed record as JSON, raw XML (zlib)
  claim_records   claim membership: which claim's search found which PMID, first/last seen
  claim_state     per claim: the term last sent, its watermark (last fully successful search)
  search_log      every esearch: run, claim, term as sent, NCBI's translation, count, window
  runs            every refresh: start, end, status, requests, added/updated, errors, summary
  changes         what each run changed: new study for a claim, revised record, new retraction
  annotations     reviewers' judgements of (claim, study) pairs; never touched by a refresh
  grades          each claim's grade after each run, for digests and "what's new"
  labels          derived labels (classification, direction) keyed by a version, recomputable
  review_actions  reviewers' bulk actions (v2), with review_action_items: what each study had before
  signoffs        per-claim sign-offs (v2): reviewer, note, the grade signed and the change log's position
"""

from __future__ import annotations

from evidence.cache.base import BatchOutcome, CacheBase, ClaimState, StoredRecord, utcnow
from evidence.cache.history import HistoryMixin
from evidence.cache.records import RecordsMixin
from evidence.cache.review_log import ReviewLogMixin
from evidence.cache.reviews import ReviewsMixin
from evidence.cache.schema import SCHEMA_VERSION

__all__ = ["Cache", "ClaimState", "StoredRecord", "BatchOutcome", "SCHEMA_VERSION", "utcnow"]


class Cache(RecordsMixin, HistoryMixin, ReviewsMixin, ReviewLogMixin, CacheBase):
    """The evidence cache. Open with ``Cache(path)`` (``readonly=True`` for readers); use it as
    a context manager to close it. Each group of operations lives in its own module."""
