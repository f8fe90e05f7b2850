"""The "What's new" page: new studies, revised and retracted records, grade changes."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

import streamlit as st

from evidence import dashboard as dv
from evidence.cache import Cache
from evidence.outputs.digest import grade_changes
from evidence.registry import Registry


def page_new(cache: Cache, registry: Registry, last_run: dict) -> None:
    st.title("What's new")
    mode = st.radio("Since", ["the last refresh", "a date"], horizontal=True, key="since", bind="query-params")
    if mode == "a date":
        day = st.date_input("Since", value=date.today().replace(day=1), key="since_date", bind="query-params")
        since = datetime.combine(day, time.min, tzinfo=timezone.utc).isoformat()
        changes = cache.changes(since=since)
    else:
        since = last_run["started_at"]
        changes = cache.changes(run_id=last_run["id"])
        st.caption(f"Refresh {last_run['id']} started {since} ({last_run['status']}).")
    claim_changes = changes[changes["claim_id"].notna()] if not changes.empty else changes
    record_changes = changes[changes["kind"].isin(["revised", "retracted"])] if not changes.empty else changes
    pmids = sorted(set(changes["pmid"])) if not changes.empty else []
    titles = cache.claim_studies_frame().drop_duplicates("pmid") if pmids else None
    if titles is not None:
        titles = titles[titles["pmid"].isin(pmids)]
    st.subheader(f"New studies for claims ({len(claim_changes)})")
    st.dataframe(dv.new_studies(claim_changes, titles), hide_index=True, width="stretch")
    if not record_changes.empty:
        st.subheader(f"Revised or retracted records ({len(record_changes)})")
        st.dataframe(dv.new_studies(record_changes, titles), hide_index=True, width="stretch")
    if mode == "a date":
        changed, _firsts = grade_changes(cache, since=since, claims={c.id: c for c in registry.claims})
    else:
        changed, _firsts = grade_changes(cache, run_id=int(last_run["id"]), claims={c.id: c for c in registry.claims})
    grades = dv.grade_changes_frame(changed)
    st.subheader(f"Grade changes ({len(grades)})")
    if grades.empty:
        st.caption("No verdict or strength changed in this period.")
    else:
        st.dataframe(grades, hide_index=True, width="stretch")


