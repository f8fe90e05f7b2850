"""The refresh job: bring every claim's PubMed records into the cache, incrementally and safely.

Plan of one run:
  1. Search. A claim never searched, whose query changed, or under ``--full`` gets a full
     esearch. The other claims are incremental: one combined esearch (the OR of their terms,
     records modified since the oldest watermark) tells whether anything changed at all; only
     when it finds something does each claim get its own windowed esearch.
  2. Fetch. PMIDs found but not cached, plus cached records revised since they were fetched,
     are fetched once each (however many claims share them), in batches; each batch is parsed
     whole before anything is written, then written in one transaction with its claim links.
  3. Close. A claim's watermark moves only when its search succeeded and every PMID it found is
     in the cache. Grades are snapshotted and the digest written.

Killing the process at any point loses nothing: written batches are whole, unwritten ones are
found again by the next run because the watermarks did not move.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from evidence.cache import Cache
from evidence.errors import EvidenceError, FetchError, NCBIUnavailable, ParseError, RateLimited
from evidence.jobs.run_values import ClaimOutcome, RefreshOptions, RefreshSummary, SearchClient
from evidence.models import Claim
from evidence.pubmed.dates import LATEST, format_date
from evidence.pubmed.xml_parser import parse_pubmed_xml
from evidence.registry import Registry, search_term

__all__ = ["refresh", "RefreshOptions", "RefreshSummary", "ClaimOutcome", "SearchClient"]

# PubMed dates are days in US Eastern time; a one-day overlap keeps a UTC watermark safe.
_OVERLAP = timedelta(days=1)
_MAXDATE = format_date(LATEST)  # E-utilities needs a maxdate whenever mindate is given
_BATCH_ATTEMPTS = 3
_GIVE_UP_AFTER = 2  # consecutive requests failed after their retries: NCBI is down, stop the run


def _nothing_new(warning: str) -> bool:
    """NCBI's "OutputMessage: No items found." is the usual quiet week, not a problem.

    The client keeps each message with its element's name ("OutputMessage: ..."), so the
    name is dropped before comparing.
    """
    text = warning.split(":", 1)[1] if warning.startswith("OutputMessage:") else warning
    return text.strip().rstrip(".").lower() == "no items found"


@dataclass
class _Search:
    claim: Claim
    term: str
    mode: str
    found: set[str] = field(default_factory=set)
    revised: set[str] = field(default_factory=set)
    ok: bool = True
    error: str | None = None


class _Run:
    """State of one refresh run; ``refresh`` below is the public entry point."""

    def __init__(
        self,
        registry: Registry,
        cache: Cache,
        client: SearchClient,
        options: RefreshOptions,
        log: logging.Logger,
        progress: Callable[[int, str], object] | None,
    ) -> None:
        self.registry, self.cache, self.client, self.options = registry, cache, client, options
        self.log, self.progress = log, progress
        self.today = options.today or datetime.now(timezone.utc).date()
        self.errors: list[str] = []
        self.replaced: list[str] = []  # PMIDs whose imported copy PubMed's record replaced
        self.run_id = 0
        # PMIDs due for (re)fetching that no batch stored yet: a claim that found one of them
        # is not done, even when an older version of the record is cached.
        self.unfetched: set[str] = set()
        self.withdrawn: set[str] = set()  # asked for, but NCBI has no record
        self.outages = 0  # consecutive requests NCBI failed after their retries

    def claims(self) -> list[Claim]:
        if not self.options.claim_ids:
            return list(self.registry.claims)
        return [self.registry.claim(cid) for cid in self.options.claim_ids]

    # -- 1. search -------------------------------------------------------------------------

    def plan(self) -> list[_Search]:
        searches = []
        for claim in self.claims():
            term = search_term(claim)
            state = self.cache.claim_state(claim.id)
            incremental = not self.options.full and state is not None and state.watermark and state.term == term
            searches.append(_Search(claim, term, "incremental" if incremental else "full"))
        return searches

    def _esearch(self, term: str, claim_id: str | None, context: str, mindate: str | None) -> set[str]:
        datetype = "mdat" if mindate else "edat"
        result = self.client.search_ids(
            term, mindate=mindate, maxdate=_MAXDATE if mindate else None, datetype=datetype, context=context
        )
        warnings = result.warnings
        for warning in warnings:  # e.g. a phrase PubMed did not find: the query needs fixing
            self.log.log(
                logging.DEBUG if _nothing_new(warning) else logging.WARNING, "%s: NCBI says: %s", context, warning
            )
        self.cache.log_search(
            run_id=self.run_id,
            claim_id=claim_id,
            term=term,
            query_translation=result.query_translation,
            count=result.count,
            datetype=datetype if mindate else None,
            mindate=mindate,
            maxdate=_MAXDATE if mindate else None,
            warnings=warnings,
        )
        return set(result.ids)

    def _mindate(self, claim_id: str) -> str:
        state = self.cache.claim_state(claim_id)
        assert state is not None and state.watermark
        return format_date(date.fromisoformat(state.watermark) - _OVERLAP)

    def search(self, searches: list[_Search]) -> None:
        incremental = [s for s in searches if s.mode == "incremental"]
        if len(incremental) > 1:
            # One request answers "did anything change for any claim?"; usually it did not.
            combined = " OR ".join(f"({s.term})" for s in incremental)
            oldest = min(self._mindate(s.claim.id) for s in incremental)
            try:
                if not self._esearch(combined, None, f"all {len(incremental)} incremental claims", oldest):
                    for s in incremental:
                        s.mode = "unchanged"
            except FetchError as exc:
                self.log.warning("combined search failed, searching claim by claim: %s", exc)
        to_search = [s for s in searches if s.mode != "unchanged"]
        for number, s in enumerate(to_search, 1):
            if self.progress:
                self.progress(0, f"search {number}/{len(to_search)}: {s.claim.id}")
            mindate = self._mindate(s.claim.id) if s.mode == "incremental" else None
            try:
                s.found = self._esearch(s.term, s.claim.id, f"claim {s.claim.id}", mindate)
                self.outages = 0
            except FetchError as exc:
                s.ok, s.error = False, str(exc)
                self.errors.append(str(exc))
                self.log.error("%s", exc)
                if self._ncbi_down(exc, f"claim {s.claim.id}"):
                    for rest in to_search[number:]:
                        rest.ok, rest.error = False, "not searched: NCBI unavailable; the next run retries"
                    break
                continue
            cached = self.cache.cached_pmids(s.found)
            if self.options.full:
                s.revised = cached
            elif s.mode == "incremental":
                # Found again in a window of modification dates: revised since we fetched it?
                state = self.cache.claim_state(s.claim.id)
                assert state is not None and state.watermark
                s.revised = self.cache.fetched_on_or_before(cached, state.watermark)
            self.log.info("claim %s: %s search found %d (%d cached)", s.claim.id, s.mode, len(s.found), len(cached))

    # -- 2. fetch --------------------------------------------------------------------------

    def fetch(self, searches: list[_Search]) -> tuple[int, int]:
        wanted: dict[str, set[str]] = {}  # pmid -> claims that found it
        for s in searches:
            for pmid in s.found:
                wanted.setdefault(pmid, set()).add(s.claim.id)
        # An imported copy counts as missing: when PubMed returns a PMID, its record replaces the import.
        missing = set(wanted) - self.cache.cached_pmids(wanted, source="pubmed")
        to_fetch = sorted(missing | set().union(*[s.revised for s in searches]), key=int)
        self.unfetched = set(to_fetch)
        # Records already cached that a claim found: just link them.
        for s in searches:
            already = (s.found - missing) - s.revised
            if already:
                self.cache.link_claim(s.claim.id, already, run_id=self.run_id)
        added = updated = 0
        size = max(1, self.options.batch_size)
        batches = [to_fetch[i : i + size] for i in range(0, len(to_fetch), size)]
        for number, batch in enumerate(batches, 1):
            if self.outages >= _GIVE_UP_AFTER:
                break  # the records left unfetched keep their claims' watermarks: the next run retries
            if self.progress:
                self.progress(len(batch), f"batch {number}/{len(batches)}")
            outcome = self._fetch_batch(batch, wanted)
            if outcome:
                added += outcome[0]
                updated += outcome[1]
        return added, updated

    def _ncbi_down(self, exc: FetchError, what: str) -> bool:
        """Count an outage; True once NCBI has failed ``_GIVE_UP_AFTER`` requests in a row.

        Each failed request already spent its retry budget (about a minute): without this a
        cron run against a dead NCBI would keep trying every claim for most of an hour.
        A claim-specific error (a query NCBI rejects) is not an outage.
        """
        if not isinstance(exc, (NCBIUnavailable, RateLimited)):
            return False
        self.outages += 1
        if self.outages >= _GIVE_UP_AFTER:
            message = (
                f"NCBI failed {self.outages} requests in a row (the last: {what}): stopping this run; "
                "the next run finishes the job"
            )
            self.errors.append(message)
            self.log.error("%s", message)
            return True
        return False

    def _fetch_batch(self, batch: list[str], wanted: dict[str, set[str]]) -> tuple[int, int] | None:
        context = f"records {batch[0]}..{batch[-1]}"
        for attempt in range(1, _BATCH_ATTEMPTS + 1):
            try:
                data = self.client.efetch(batch, context=context)
                parsed, skipped = parse_pubmed_xml(data)
                break
            except ParseError as exc:
                self.log.warning("%s: unreadable response (attempt %d/%d): %s", context, attempt, _BATCH_ATTEMPTS, exc)
                if attempt == _BATCH_ATTEMPTS:
                    self.errors.append(f"{context}: {exc}")
                    return None
            except FetchError as exc:
                self.errors.append(str(exc))
                self.log.error("%s", exc)
                self._ncbi_down(exc, f"efetch of records {batch[0]}..{batch[-1]}")
                return None
        self.outages = 0
        for skip in skipped:
            message = f"PMID {skip.pmid or '?'}: record skipped, could not be parsed: {skip.reason}"
            self.errors.append(message)
            self.log.warning("%s", message)
        asked = set(batch)
        items = [(p.record, p.raw_xml) for p in parsed if p.record.pmid in asked]
        returned = {r.pmid for r, _ in items} | {k.pmid for k in skipped}
        if all(k.pmid for k in skipped):
            # NCBI silently omits PMIDs it no longer has (deleted or merged records): waiting for
            # them would block their claims forever, so they are reported and let go.
            for pmid in sorted(asked - returned, key=int):
                self.withdrawn.add(pmid)
                self.log.warning("PMID %s: NCBI returned no record for it (deleted or withdrawn?); skipped", pmid)
        outcome = self.cache.store_batch(
            items, {pmid: wanted.get(pmid, ()) for pmid, _ in ((r.pmid, b) for r, b in items)}, run_id=self.run_id
        )
        self.unfetched.difference_update(r.pmid for r, _ in items)
        for pmid in outcome.replaced:
            self.log.warning("PMID %s: the imported copy was replaced by PubMed's record", pmid)
        self.replaced.extend(outcome.replaced)
        return len(outcome.added), len(outcome.updated)

    # -- 3. close --------------------------------------------------------------------------

    def close(self, searches: list[_Search]) -> list[ClaimOutcome]:
        counts = self.cache.run_change_counts(self.run_id)
        revised = self.cache.run_revised(self.run_id)
        outcomes = []
        for s in searches:
            outcome = ClaimOutcome(s.claim.id, mode=s.mode, found=len(s.found))
            if s.ok:
                absent = ((s.found - self.cache.cached_pmids(s.found)) | (s.found & self.unfetched)) - self.withdrawn
                if absent:
                    s.ok = False
                    shown = ", ".join(sorted(absent, key=int)[:5])
                    s.error = f"{len(absent)} records not fetched yet ({shown}); the next run retries"
            if s.ok:
                if s.mode == "full":
                    # A changed query can stop matching studies it used to find.
                    dropped = self.cache.unlink_missing(s.claim.id, s.found, run_id=self.run_id)
                    if dropped:
                        self.log.info("claim %s: %d studies no longer match its query", s.claim.id, len(dropped))
                self.cache.claim_succeeded(s.claim.id, term=s.term, watermark=self.today.isoformat())
            else:
                self.cache.claim_failed(s.claim.id, s.error or "failed")
            members = self.cache.claim_pmids(s.claim.id)
            outcome.ok, outcome.error = s.ok, s.error
            outcome.new = counts.get(("new-study", s.claim.id), 0)
            outcome.updated = len(members & revised)
            outcome.total = len(members)
            outcomes.append(outcome)
        return outcomes


def refresh(
    registry: Registry,
    cache: Cache,
    client: SearchClient,
    options: RefreshOptions | None = None,
    *,
    logger: logging.Logger | None = None,
    progress: Callable[[int, str], object] | None = None,
    after_run: Callable[[Cache, int], Sequence[str]] | None = None,
) -> RefreshSummary:
    """Run one refresh. The caller holds the refresh lock (see ``evidence.cache.lock``).

    ``after_run(cache, run_id)`` runs once the records are in (grade snapshot, digest) and
    returns the paths it wrote; its failure is reported but never undoes the refresh.
    """
    options = options or RefreshOptions()
    log = logger or logging.getLogger("evidence.refresh")
    run = _Run(registry, cache, client, options, log, progress)
    started = time.monotonic()
    requests_before = client.requests_made
    run.run_id = cache.start_run(os.getpid())
    summary = RefreshSummary(run.run_id, "failed", [], 0, 0.0, 0, 0, run.errors, replaced=run.replaced)

    def record_end() -> None:
        summary.requests = client.requests_made - requests_before
        summary.seconds = time.monotonic() - started
        try:
            cache.finish_run(
                run.run_id, summary.status, requests=summary.requests, errors=run.errors, summary=summary.to_dict()
            )
        except EvidenceError as exc:  # the original error, if any, matters more
            log.error("could not record the end of run %d: %s", run.run_id, exc)

    try:
        searches = run.plan()
        run.search(searches)
        summary.added, summary.updated = run.fetch(searches)
        summary.claims = run.close(searches)
        failed = sum(not o.ok for o in summary.claims)
        summary.status = (
            "ok" if failed == 0 and not run.errors else "failed" if failed == len(summary.claims) else "partial"
        )
    finally:
        record_end()
    if after_run is not None:
        # After the run is recorded, so the digest reports its final status.
        try:
            summary.digest_paths = tuple(str(p) for p in after_run(cache, run.run_id))
        except EvidenceError as exc:
            run.errors.append(f"after the refresh: {exc}")
            summary.status = "partial" if summary.status == "ok" else summary.status
            record_end()
    return summary
