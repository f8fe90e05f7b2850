"""The article page: the article's text with each checked claim highlighted by its verdict."""

from __future__ import annotations

import streamlit as st

from evidence import dashboard as dv
from evidence.grading.grade import pair_contradictions
from evidence.registry import Registry


def page_article(registry: Registry, grades: dict, article_id: str) -> None:
    article = registry.article(article_id)
    claims = registry.claims_for(article_id)
    st.title(article.title)
    st.caption(f"{article.publisher} · {article.source}")
    contradictions = pair_contradictions(claims, [grades[c.id].grade for c in claims])
    if contradictions:
        st.subheader("Claims that contradict each other")
        for pair in contradictions:
            cols = st.columns(2)
            for col, cid in zip(cols, pair.claims, strict=False):
                g = grades[cid].grade
                label, colour = dv.verdict_badge(g.verdict)
                col.markdown(
                    f"**[{cid}](?page=claim&claim={cid})** :{colour}-badge[{label}] `{g.strength}`  \n"
                    f"{dv.md_escape(registry.claim(cid).statement)}"
                )
            st.caption(dv.md_escape(pair.note))
    marks = [dv.QuoteMark(c.id, c.quote, grades[c.id].grade.verdict, f"?page=claim&claim={c.id}", c.statement,
                          grades[c.id].grade.strength) for c in claims]
    body, missing = dv.highlight_article(article.text, marks)
    st.caption("Each highlighted sentence is a checked claim, coloured by its verdict; its tag names the claim "
               "(rest the pointer on it for the statement) and is as full as the grade is strong. "
               "Click either for the evidence.")
    with st.expander("Key: what the colours mean", expanded=True):
        key_verdict, key_strength = st.columns(2)
        key_verdict.markdown(dv.legend_html("verdict"), unsafe_allow_html=True)  # built from the vocabularies only
        key_strength.markdown(dv.legend_html("strength"), unsafe_allow_html=True)
    st.markdown(body, unsafe_allow_html=True)  # built with html.escape on every text (dashboard.highlight_article)
    if missing:
        st.warning("Quotes not found in the article text (run `evidence check`): " + ", ".join(missing))


