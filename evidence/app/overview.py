"""The overview page: every claim's verdict, strength, sign-off and studies by design; a search."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import streamlit as st

from evidence import dashboard as dv
from evidence.cache import Cache
from evidence.grading.review import SignOffState, signoff_states
from evidence.registry import Registry
from evidence.vocabulary import STRENGTHS, VERDICTS


def signoff_text(state: SignOffState | None, tz: str | None) -> str:
    """The overview's sign-off cell: who and when, or why it no longer holds."""
    if state is None:
        return ""
    s = state.signoff
    when = dv.readable_time(s.at, tz).split(",")[0]
    if state.stale:
        return f"⚠ stale: {s.reviewer}, {when} ({'; '.join(state.why)})"
    return f"✓ {s.reviewer}, {when}"


def page_overview(registry: Registry, overview: pd.DataFrame, article_ids: list[str], cache: Cache,
                  grades: dict, tz: str | None) -> None:
    st.title("Claims and their evidence")
    search = st.text_input("Search claims (id or words of the statement or quote)", key="find",
                           bind="query-params", placeholder="e.g. ptsd, bladder, depression")
    c1, c2, c3, c4 = st.columns(4)
    kinds = c1.multiselect("Kind", sorted(overview["kind"].unique()), key="kind", bind="query-params")
    verdicts = c2.multiselect("Verdict", list(VERDICTS), key="verdict", bind="query-params")
    strengths = c3.multiselect("Strength", list(STRENGTHS), key="strength", bind="query-params")
    sort = c4.selectbox("Sort by", ["verdict", "strength", "newest", "studies", "id"], key="sort",
                        bind="query-params") or "verdict"
    rows = dv.filter_overview(overview, articles=article_ids, kinds=kinds, verdicts=verdicts,
                              strengths=strengths, sort=sort, search=search or "")
    with st.expander("Key: what the verdict colours and strengths mean", expanded=True):
        key_verdict, key_strength = st.columns(2)
        key_verdict.markdown(dv.legend_html("verdict"), unsafe_allow_html=True)  # built from the vocabularies only
        key_strength.markdown(dv.legend_html("strength"), unsafe_allow_html=True)
    st.caption(f"{len(rows)} of {len(overview)} claims. "
               "Click a claim's id to see its studies and why it got its grade.")
    if rows.empty:
        st.warning("No claim matches this search and these filters." if search else "No claim matches these filters.")
        return
    states = signoff_states(cache, {cid: g.grade for cid, g in grades.items()})
    now = datetime.now(timezone.utc)
    # Grade first: on a narrow screen the long statement must not push the verdict out of view.
    table = rows[["verdict", "strength", "studies", "newest_year", "statement", "kind"]].copy()
    table.insert(0, "claim", [f"?page=claim&claim={c}" for c in rows["id"]])
    table.insert(4, "signed off", [signoff_text(states.get(c), tz) for c in rows["id"]])
    table["last refreshed"] = [dv.readable_time(t, tz, now) if dv.text_of(t) else "never"
                               for t in rows["last_refreshed"]]
    styled = table.style.apply(
        lambda r: [dv.verdict_style(r["verdict"], r["strength"])] * 2, axis=1, subset=["verdict", "strength"])
    st.dataframe(
        styled,
        hide_index=True,
        width="stretch",
        column_config={
            "claim": st.column_config.LinkColumn("claim", display_text=r"\?page=claim&claim=(.*)"),
            "newest_year": st.column_config.NumberColumn("newest study", format="%d"),
        },
    )
    st.subheader("Studies by design")
    st.caption("Each family of designs has its own hue (syntheses blue, trials green, observational orange, "
               "case reports purple, guidance and opinion vermillion), darker for the stronger design.")
    st.altair_chart(dv.design_bar_chart(rows), width="stretch")
    st.subheader("Quotes")
    for _, row in rows.iterrows():
        label, colour = dv.verdict_badge(row["verdict"])
        with st.expander(f":{colour}[{label}] · {row['strength']} · {dv.md_escape(row['statement'])}"):
            st.markdown(f"> {dv.md_escape(row['quote'])}")
            st.markdown(f"[Open the claim page](?page=claim&claim={row['id']})")
