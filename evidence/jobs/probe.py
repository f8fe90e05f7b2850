"""`evidence check --online`: what each claim's query really searches, before the first refresh.

One paced esearch per claim asks PubMed for the count only (retmax 0: no ids, no records).
PubMed's translation of the query (QueryTranslation), the count and its warnings go to the
cache's search log (``run_id`` empty: a probe, not a refresh), and each claim is flagged when
its query finds nothing, finds more than 10,000 records (too broad to be about the claim), or
holds a phrase PubMed could not find (a misspelt heading or a phrase nobody uses).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from evidence.cache import Cache
from evidence.pubmed.client import EutilsClient
from evidence.registry import Registry, search_term
from evidence.settings import Settings

__all__ = ["ProbeRow", "probe_claims", "probe_flags", "probe_online", "probe_table", "MANY_HITS"]

MANY_HITS = 10_000
_NOT_FOUND = ("PhraseNotFound", "QuotedPhraseNotFound", "FieldNotFound", "PhraseIgnored")


@dataclass(frozen=True)
class ProbeRow:
    claim_id: str
    term: str
    count: int
    translation: str | None
    warnings: tuple[str, ...]
    flags: tuple[str, ...]
    draft: bool = False


def probe_flags(count: int, warnings: Iterable[str]) -> tuple[str, ...]:
    """What a writer should look at: no hits, too many hits, phrases PubMed did not find."""
    flags = []
    if count == 0:
        flags.append("0 hits")
    elif count > MANY_HITS:
        flags.append(f"over {MANY_HITS:,} hits")
    for warning in warnings:
        kind, _sep, value = warning.partition(": ")
        if kind in _NOT_FOUND:
            flags.append(f"not found: {value}" if kind != "FieldNotFound" else f"unknown field: {value}")
    return tuple(flags)


def probe_claims(registry: Registry, client: EutilsClient, cache: Cache,
                 claim_ids: Iterable[str] = ()) -> list[ProbeRow]:
    """One count-only esearch per claim (the client paces them), each logged in the cache's search log."""
    chosen = [registry.claim(c) for c in claim_ids] or list(registry.claims)
    rows = []
    for claim in chosen:
        term = search_term(claim)
        result = client.esearch(term, retmax=0, usehistory=False, context=f"claim {claim.id}")
        cache.log_search(run_id=None, claim_id=claim.id, term=term, query_translation=result.query_translation,
                         count=result.count, warnings=result.warnings)
        rows.append(ProbeRow(claim.id, term, result.count, result.query_translation, result.warnings,
                             probe_flags(result.count, result.warnings), claim.draft))
    return rows


def probe_table(rows: list[ProbeRow]) -> str:
    """A plain-text table: claim, hits, flags; then PubMed's translation of every flagged query."""
    width = max([len(r.claim_id) for r in rows] + [5])
    lines = [f"{'claim':<{width}}  {'hits':>9}  flags"]
    for r in rows:
        mark = " (draft)" if r.draft else ""
        lines.append(f"{r.claim_id:<{width}}  {r.count:>9,}  {'; '.join(r.flags) or 'ok'}{mark}")
    flagged = [r for r in rows if r.flags]
    lines.append(f"{len(rows)} queries searched, {len(flagged)} flagged (0 hits, over {MANY_HITS:,} hits, "
                 "or phrases PubMed could not find); each search is in the cache's search log")
    for r in flagged:
        lines.append(f"\n{r.claim_id}: PubMed searched {r.translation or '(no translation returned)'}")
    return "\n".join(lines)


def probe_online(registry: Registry, settings: Settings, claim_ids: Iterable[str] = ()) -> str:
    """`evidence check --online`: probe the claims with a client and cache made from ``settings``; the table."""
    client = EutilsClient(base_url=settings.eutils_url, api_key=settings.api_key, email=settings.email,
                          logger=logging.getLogger("evidence.eutils"))
    with Cache(settings.cache) as cache:
        return probe_table(probe_claims(registry, client, cache, claim_ids))
