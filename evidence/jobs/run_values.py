"""What a refresh run is asked (RefreshOptions, the SearchClient it talks to) and what it reports
(RefreshSummary, one ClaimOutcome a claim): the job's values, apart from the job itself."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from evidence.pubmed.build import SearchResult

__all__ = ["RefreshOptions", "RefreshSummary", "ClaimOutcome", "SearchClient"]


class SearchClient(Protocol):
    requests_made: int

    def search_ids(
        self,
        term: str,
        *,
        mindate: str | None = None,
        maxdate: str | None = None,
        datetype: str = "edat",
        context: str = "",
    ) -> SearchResult: ...

    def efetch(self, ids: Sequence[str], *, context: str = "") -> bytes: ...


@dataclass(frozen=True)
class RefreshOptions:
    claim_ids: tuple[str, ...] = ()  # empty: every claim in the registry
    full: bool = False  # ignore watermarks: search everything again and refetch what is found
    batch_size: int = 500
    today: date | None = None  # the run's date (UTC); injectable for tests


@dataclass
class ClaimOutcome:
    claim_id: str
    mode: str = "incremental"  # full | incremental | unchanged
    found: int = 0
    new: int = 0
    updated: int = 0
    total: int = 0
    ok: bool = True
    error: str | None = None


@dataclass
class RefreshSummary:
    run_id: int
    status: str  # ok | partial | failed
    claims: list[ClaimOutcome]
    requests: int
    seconds: float
    added: int
    updated: int
    errors: list[str] = field(default_factory=list)
    digest_paths: tuple[str, ...] = ()
    replaced: list[str] = field(default_factory=list)  # imported copies PubMed's record replaced

    @property
    def exit_code(self) -> int:
        return 0 if self.status == "ok" else 1

    @property
    def new_studies(self) -> int:
        """Studies the claims gained in this run: what ``evidence digest`` counts as new studies
        (a record found by two claims is new to both, so this can exceed ``added``)."""
        return sum(c.new for c in self.claims)

    def to_text(self) -> str:
        """The per-claim table and the run's line, each count saying what it counts."""
        width = max([len(c.claim_id) for c in self.claims] + [5])
        lines = [
            "new: studies the claim gained in this run (as `evidence digest` counts them); revised: its records "
            "whose PubMed XML changed; studies: its studies now in the cache",
            f"{'claim':<{width}}  {'mode':<11} {'new':>5} {'revised':>7} {'studies':>7}  status",
        ]
        for c in self.claims:
            status = "ok" if c.ok else f"FAILED: {c.error}"
            lines.append(f"{c.claim_id:<{width}}  {c.mode:<11} {c.new:>5} {c.updated:>7} {c.total:>7}  {status}")
        lines.append(
            f"run {self.run_id} {self.status}: {self.new_studies} new studies for claims "
            f"({self.added} records new to the cache), {self.updated} records revised, "
            f"{self.requests} requests, {self.seconds:.1f} s"
        )
        if self.replaced:
            lines.append(f"{len(self.replaced)} imported records replaced by PubMed's: PMID {', '.join(self.replaced)}")
        lines.extend(f"error: {e}" for e in self.errors)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "status": self.status,
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "added": self.added,
            "updated": self.updated,
            "new_studies": self.new_studies,
            "errors": self.errors,
            "replaced": self.replaced,
            "claims": [c.__dict__ for c in self.claims],
        }
