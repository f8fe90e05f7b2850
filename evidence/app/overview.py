"""The overview page: every claim's verdict, strength and studies by design."""

from __future__ import annotations

import streamlit as st

from evidence import dashboard as dv
from evidence.registry import Registry
from evidence.vocabulary import STRENGTHS, VERDICTS


def page_overview(registry: Registry, overview, article_ids: list[str]) -> None:
    st.title("Claims and their evidence")
    c1, c2, c3, c4 = st.columns(4)
    kinds = c1.multiselect("Kind", sorted(overview["kind"].unique()), key="kind", bind="query-params")
    verdicts = c2.multiselect("Verdict", list(VERDICTS), key="verdict", bind="query-params")
    strengths = c3.multiselect("Strength", list(STRENGTHS), key="strength", bind="query-params")
    sort = c4.selectbox("Sort by", ["verdict", "strength", "newest", "studies", "id"], key="sort",
                        bind="query-params") or "verdict"
    rows = dv.filter_overview(overview, articles=article_ids, kinds=kinds, verdicts=verdicts,
                              strengths=strengths, sort=sort)
    st.caption(f"{len(rows)} of {len(overview)} claims. "
               "Click a claim's id to see its studies and why it got its grade.")
    if rows.empty:
        st.warning("No claim matches these filters.")
        return
    # Grade first: on a narrow screen the long statement must not push the verdict out of view.
    table = rows[["verdict", "strength", "studies", "newest_year", "statement", "kind", "last_refreshed"]].copy()
    table.insert(0, "claim", [f"?page=claim&claim={c}" for c in rows["id"]])
    st.dataframe(
        table.style.map(dv.verdict_style, subset=["verdict"]),
        hide_index=True,
        width="stretch",
        column_config={
            "claim": st.column_config.LinkColumn("claim", display_text=r"\?page=claim&claim=(.*)"),
            "newest_year": st.column_config.NumberColumn("newest study", format="%d"),
            "last_refreshed": "last refreshed",
        },
    )
    st.subheader("Studies by design")
    st.altair_chart(dv.design_bar_chart(rows), width="stretch")
    st.subheader("Quotes")
    for _, row in rows.iterrows():
        label, colour = dv.verdict_badge(row["verdict"])
        with st.expander(f":{colour}[{label}] · {row['strength']} · {dv.md_escape(row['statement'])}"):
            st.markdown(f"> {dv.md_escape(row['quote'])}")
            st.markdown(f"[Open the claim page](?page=claim&claim={row['id']})")


