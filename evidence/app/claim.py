"""The claim page, led by the evidence: the grade and what decides it, the studies, citations, reviews.

Top to bottom: the statement and quote; the verdict badge (its colour as full as the strength)
and the sign-off; the summary of findings in GRADE's style; the studies table leading with
design, direction and the deciding sentence, each row's detail (labels, reasons, abstract)
below it; charts; citations and the evidence statement (``evidence.app.cite``); reviews, bulk
actions and sign-off (``evidence.app.review``); the search and its log.
"""

from __future__ import annotations

import html
from datetime import datetime, timezone

import pandas as pd
import streamlit as st

from evidence import dashboard as dv
from evidence.app import cite, review
from evidence.app.loaders import LoaderKey, _claim_key, cached_studies, claim_evidence
from evidence.cache import Cache
from evidence.grading.review import signoff_state
from evidence.grading.service import ClaimEvidence
from evidence.registry import Registry, search_term
from evidence.settings import Settings


def page_claim(registry: Registry, settings: Settings, key: LoaderKey, article_ids: list[str], cache: Cache,
               tz: str | None = None) -> None:
    claims = [c for c in registry.claims if c.article in article_ids] or list(registry.claims)
    ids = [c.id for c in claims]
    # No format_func on URL-bound widgets: the URL holds the formatted option, and links say ?claim=<id>.
    claim_id = st.sidebar.selectbox("Claim", ids, key="claim", bind="query-params") or ids[0]
    claim = registry.claim(claim_id)
    ev = claim_evidence(*key, claim_id, cache)
    st.title(claim.statement)
    st.markdown(f"> {dv.md_escape(claim.quote)}")
    st.caption(f"article `{claim.article}` · kind {claim.kind} · "
               f"{dv.md_escape(dv.polarity_words(claim.polarity, claim.outcome))}")
    _grade_line(ev, cache, tz)
    _summary_of_findings(ev)
    studies = cached_studies(key[0], key[1], key[2], _claim_key(key[3], claim_id, cache), claim_id)
    if studies.empty:
        st.info("No studies in the cache for this claim. Run `evidence refresh` (or check its query).")
    else:
        shown = _claim_studies(studies)
        cite.cite(ev, shown, cache)
        review.review_section(ev, studies, settings, cache, tz)
    with st.expander("Why this grade: every reason"):
        for reason in ev.grade.reasons:
            st.markdown(f"- {dv.md_escape(reason)}")
    st.subheader("The PubMed search")
    st.code(search_term(claim), language=None, wrap_lines=True)
    st.link_button("Run this search on PubMed", dv.pubmed_search_url(search_term(claim)))
    log = cache.search_log(claim_id)
    if log.empty:
        st.caption("No search recorded for this claim yet.")
    else:
        now = datetime.now(timezone.utc)
        log = log.assign(at=[dv.readable_time(t, tz, now) for t in log["at"]])
        st.dataframe(
            log[["at", "term", "query_translation", "count", "mindate", "maxdate"]], hide_index=True, width="stretch"
        )


def _grade_line(ev: ClaimEvidence, cache: Cache, tz: str | None) -> None:
    """The verdict badge (the label says the strength too) and, on the same line, the claim's sign-off."""
    g = ev.grade
    signoffs = cache.signoffs(ev.claim.id)
    if not signoffs:
        said = "not signed off yet (a reviewer can sign off this grade below)"
        style = "color:#666"
    else:
        state = signoff_state(signoffs[0], g, cache.new_studies_after(ev.claim.id, signoffs[0].last_change))
        s = state.signoff
        note = f": {s.note}" if s.note else ""
        said = f"signed off by {s.reviewer} on {dv.readable_time(s.at, tz)} ({s.verdict}, {s.strength}){note}"
        if state.stale:
            said = f"⚠ sign-off stale: {said}; since then: {'; '.join(state.why)}"
            style = "color:#a33;font-weight:600"
        else:
            said, style = f"✓ {said}", "color:#1b6e3a"
    # The badge is built from the vocabularies (dashboard.verdict_badge_html); the sign-off text is escaped.
    st.markdown(f'**Verdict** {dv.verdict_badge_html(g.verdict, g.strength)} '
                f'<span class="evidence-signoff" style="{style};margin-left:.8rem;font-size:.9rem">'
                f"{html.escape(said)}</span>", unsafe_allow_html=True)


def _summary_of_findings(ev: ClaimEvidence) -> None:
    """GRADE's summary of findings: studies and participants by design, their directions, the steps."""
    st.markdown(f"**Summary of findings** · {dv.md_escape(dv.findings_sentence(ev))}")
    sof = dv.summary_of_findings(ev)
    if not sof.empty:
        st.markdown(dv.sof_markdown(sof),  # vocabulary words and numbers only
                    help="Usable studies (relevant, not retracted) by design; participants as their abstracts "
                         "state them; directions as each study reads against the claim.")
    st.markdown(" → ".join(f"{mark} {dv.md_escape(text)}" for mark, text in dv.certainty_steps(ev.grade)))
    notes = [dv.set_aside_summary(ev)]
    if ev.grade.reviewed:
        notes.append("Reviewer decisions: " + "; ".join(f"PMID {p} {what}" for p, what in ev.grade.reviewed) + ".")
    if any(notes):
        st.caption(dv.md_escape(" ".join(n for n in notes if n)))


def _filters(studies: pd.DataFrame) -> pd.DataFrame:
    active = any(st.session_state.get(k) for k in ("design", "species", "direction", "q"))
    with st.expander("Filter the studies", expanded=bool(active)):
        f1, f2, f3, f4 = st.columns(4)
        designs = f1.multiselect("Design", sorted(studies["design"].unique()), key="design", bind="query-params")
        species = f2.multiselect("Species", sorted(studies["species"].unique()), key="species", bind="query-params")
        directions = f3.multiselect(
            "Direction", sorted(studies["direction"].unique()), key="direction", bind="query-params"
        )
        years = studies["year"].dropna().astype(int)
        span = None
        if len(years) and years.min() < years.max():
            span = f4.slider("Years", int(years.min()), int(years.max()), (int(years.min()), int(years.max())),
                             key="years", bind="query-params")
        search = st.text_input("Find a study (PMID, or words of its title or journal)", key="q",
                               bind="query-params")
    return dv.filter_studies(studies, designs=designs, species=species, directions=directions, years=span,
                             search=search or "")


def _claim_studies(studies: pd.DataFrame) -> pd.DataFrame:
    """Filters, the table (what decides first) and the selected study's detail; returns the kept studies."""
    shown = _filters(studies)
    st.subheader(f"Studies ({len(shown)} of {len(studies)}), best evidence first")
    table = dv.studies_table(shown)
    picked = st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        placeholder="",
        key="study_rows",
        on_select="rerun",
        selection_mode="multi-row",
        column_config={
            "design": st.column_config.TextColumn(width=125, pinned=True),
            "direction": st.column_config.TextColumn(width=125, pinned=True),
            "deciding sentence": st.column_config.TextColumn(width="large"),
            "n": st.column_config.NumberColumn(width=60),
            "species": st.column_config.TextColumn(width="small"),
            "retracted": st.column_config.TextColumn(width="small"),
            "reviewed by": st.column_config.TextColumn(width="small"),
            "title": st.column_config.LinkColumn("title", display_text=dv.TITLE_LINK_TEXT, width="large"),
            "year": st.column_config.NumberColumn(format="%d", width=60),
            "pubmed": st.column_config.LinkColumn("PMID", display_text=r"https://pubmed\.ncbi\.nlm\.nih\.gov/(\d+)/"),
            "doi": st.column_config.LinkColumn("DOI", display_text=r"https://doi\.org/(.*)"),
        },
    )
    pmids = list(shown["pmid"])
    rows = [pmids[i] for i in (picked.selection.rows if picked is not None and hasattr(picked, "selection")
                               else []) if i < len(pmids)]
    if rows != st.session_state.get("_picked_rows"):  # a new selection in the table drives the forms below
        st.session_state["_picked_rows"] = rows
        st.session_state["bulk_pmids"] = rows
        if rows:
            st.session_state["study"] = rows[0]
    _study_detail(shown)
    c1, c2 = st.columns(2)
    c1.markdown("**Evidence pyramid**")
    c1.altair_chart(dv.pyramid_chart(studies), width="stretch")
    c2.markdown("**Timeline**")
    c2.altair_chart(dv.timeline_chart(studies), width="stretch")
    return shown


def _study_detail(shown: pd.DataFrame) -> None:
    """The row detail: one study's labels with their reasons, and its abstract (never listed twice)."""
    if shown.empty:
        return
    titles = dict(zip(shown["pmid"], shown["title"], strict=False))
    if st.session_state.get("study") not in titles:
        st.session_state["study"] = next(iter(titles))
    pmid = st.selectbox("Row detail: select a row in the table, or pick a study", list(titles), key="study",
                        format_func=lambda p: f"PMID {p}: {str(titles[p])[:110]}")
    s = shown[shown["pmid"] == pmid].iloc[0]
    with st.container(border=True):
        flag = " · ⚠ **RETRACTED**" if s["retracted"] else ""
        st.markdown(f"**PMID {dv.md_escape(pmid)}** · {dv.text_of(s['year'])} · {dv.md_escape(s['title'])}{flag}")
        links = f"[PubMed]({dv.pubmed_url(pmid)})"
        if dv.doi_url(s["doi"]):
            links += f" · [DOI]({dv.doi_url(s['doi'])})"
        st.markdown(links + f" · {dv.md_escape(s['journal'])}")
        sentence = dv.text_of(s["direction_sentence"])
        lines = [
            f"**Design** {dv.md_escape(s['design'])}: {dv.md_escape(s['design_reason'])}",
            f"**Direction** {dv.md_escape(s['direction'])} ({dv.md_escape(s['judge'])} judge): "
            f"{dv.md_escape(s['direction_reason'])}",
            f"**Deciding sentence** \u201c{dv.md_escape(sentence)}\u201d" if sentence else "**Deciding sentence** none",
            f"**Species** {dv.md_escape(s['species'])}: {dv.md_escape(s['species_reason'])}",
            f"**n** {dv.text_of(s['n']) or 'not stated'}"
            + (f": {dv.md_escape(s['n_reason'])}" if dv.text_of(s["n_reason"]) else ""),
        ]
        if not s["relevant"]:
            lines.append(f"**Set aside** {dv.md_escape(s['relevance_reason'])}")
        if s["retracted"]:
            lines.append(f"**Retracted** {dv.md_escape(s['retracted_reason'])}")
        if dv.text_of(s["reviewed_by"]):
            lines.append(f"**Reviewed by** {dv.md_escape(s['reviewed_by'])}")
        st.markdown("  \n".join(lines))
        st.text(dv.text_of(s["abstract"]) or "(no abstract)")
