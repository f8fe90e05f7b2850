"""The "What's new" page: the digest itself, in sentences, with every PMID linked.

Built from ``evidence.outputs.digest.build_digest`` and ``evidence.outputs.news``, so it
gives exactly the counts `evidence digest` prints for the same window (the last refresh, or
``--since`` a date); a claim's first grade is reported as such, never as a change.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from evidence import dashboard as dv
from evidence.cache import Cache
from evidence.outputs.digest import build_digest
from evidence.outputs.news import COUNT_MEANINGS, NewsItem, changed, digest_news, headline
from evidence.registry import Registry

SECTIONS = {
    "grade-change": "Grade changes",
    "new-studies": "New studies",
    "retracted": "Retractions",
    "revised": "Revised records",
    "first-grade": "First grades (not changes)",
}


def _line(item: NewsItem) -> str:
    """A sentence as Markdown: the text escaped, the claim and each PMID linked."""
    text = dv.md_escape(item.text)
    if item.claim_id:
        cid = dv.md_escape(item.claim_id)
        text = text.replace(cid, f"[{cid}](?page=claim&claim={item.claim_id})", 1)
    links = ", ".join(f"[PMID {p}]({dv.pubmed_url(p)})" for p in item.pmids)
    more = f" and {item.more} more (see the claim page)" if item.more else ""
    return f"- {text} {links}{more}".rstrip()


def page_new(cache: Cache, registry: Registry, last_run: dict, tz: str | None = None) -> None:
    st.title("What's new")
    mode = st.radio("Since", ["the last refresh", "a date"], horizontal=True, key="since", bind="query-params")
    claims = {c.id: c for c in registry.claims}
    if mode == "a date":
        day = st.date_input("Since", value=date.today().replace(day=1), key="since_date", bind="query-params")
        since = (day if isinstance(day, date) else date.today()).isoformat()
        digest = build_digest(cache, since=since, claims=claims)
        window = f"since {since}"
        command = f"evidence digest --since {since}"
    else:
        digest = build_digest(cache, run_id=int(last_run["id"]), claims=claims)
        window = (f"in refresh {last_run['id']}, started {dv.readable_time(last_run['started_at'], tz)} "
                  f"({last_run['status']})")
        command = "evidence digest"
    if not changed(digest):
        st.info(f"Nothing changed {window}: no new studies, no grade changes, no retractions, no revised records.")
        st.caption(f"The same as `{command}`.")
        return
    st.markdown(f"**{dv.md_escape(headline(digest))}** ({dv.md_escape(window)})")
    st.caption(dv.md_escape("What each count counts: " + "; ".join(
        f"{k.replace('_', ' ')}: {v}" for k, v in COUNT_MEANINGS.items())) + f". The same as `{command}`.")
    items = digest_news(digest)
    for kind, title in SECTIONS.items():
        mine = [i for i in items if i.kind == kind]
        if not mine:
            continue
        count = (f"{digest['counts']['new_studies']}, for {len(mine)} claim{'s' if len(mine) != 1 else ''}"
                 if kind == "new-studies" else str(len(mine)))
        st.subheader(f"{title} ({count})")
        st.markdown("\n".join(_line(i) for i in mine))
