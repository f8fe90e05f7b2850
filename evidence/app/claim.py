"""The claim page: the grade and its reasons, the studies behind it, citations, reviews."""

from __future__ import annotations

import streamlit as st

from evidence import dashboard as dv
from evidence.app.loaders import LoaderKey, _claim_key, cached_studies, claim_evidence
from evidence.cache import Cache, utcnow
from evidence.errors import EvidenceError
from evidence.models import Annotation
from evidence.registry import Registry, search_term
from evidence.settings import Settings
from evidence.vocabulary import DIRECTIONS


def page_claim(registry: Registry, settings: Settings, key: LoaderKey, article_ids: list[str], cache: Cache) -> None:
    claims = [c for c in registry.claims if c.article in article_ids] or list(registry.claims)
    ids = [c.id for c in claims]
    # No format_func on URL-bound widgets: the URL holds the formatted option, and links say ?claim=<id>.
    claim_id = st.selectbox("Claim", ids, key="claim", bind="query-params") or ids[0]
    claim = registry.claim(claim_id)
    ev = claim_evidence(*key, claim_id, cache)
    st.title(claim.statement)
    st.markdown(f"> {dv.md_escape(claim.quote)}")
    st.caption(f"article `{claim.article}` · kind {claim.kind} · polarity {claim.polarity}")
    label, colour = dv.verdict_badge(ev.grade.verdict)
    b1, b2, b3 = st.columns([1, 1, 4])
    b1.markdown(f"**Verdict** :{colour}-badge[{label}]")  # label is one of VERDICTS, not free text
    b2.markdown(f"**Strength** `{ev.grade.strength}`")
    b3.link_button("Run this search on PubMed", dv.pubmed_search_url(search_term(claim)))
    st.code(search_term(claim), language=None, wrap_lines=True)
    st.markdown("**Why this grade**")
    for reason in ev.grade.reasons:
        st.markdown(f"- {dv.md_escape(reason)}")
    studies = cached_studies(key[0], key[1], key[2], _claim_key(key[3], claim_id, cache), claim_id)
    if studies.empty:
        st.info("No studies in the cache for this claim. Run `evidence refresh` (or check its query).")
    else:
        shown = _claim_studies(studies)
        _cite(claim_id, shown, cache)
        _annotation_form(claim_id, studies, settings)
    st.subheader("Search log")
    log = cache.search_log(claim_id)
    if log.empty:
        st.caption("No search recorded for this claim yet.")
    else:
        st.dataframe(
            log[["at", "term", "query_translation", "count", "mindate", "maxdate"]], hide_index=True, width="stretch"
        )


def _claim_studies(studies):
    """Charts, filters, the table and abstracts; returns the studies the filters keep."""
    c1, c2 = st.columns(2)
    c1.markdown("**Evidence pyramid**")
    c1.altair_chart(dv.pyramid_chart(studies), width="stretch")
    c2.markdown("**Timeline**")
    c2.altair_chart(dv.timeline_chart(studies), width="stretch")
    f1, f2, f3, f4 = st.columns(4)
    designs = f1.multiselect("Design", sorted(studies["design"].unique()), key="design", bind="query-params")
    species = f2.multiselect("Species", sorted(studies["species"].unique()), key="species", bind="query-params")
    directions = f3.multiselect(
        "Direction", sorted(studies["direction"].unique()), key="direction", bind="query-params"
    )
    years = studies["year"].dropna().astype(int)
    span = None
    if len(years) and years.min() < years.max():
        span = f4.slider(
            "Years",
            int(years.min()),
            int(years.max()),
            (int(years.min()), int(years.max())),
            key="years",
            bind="query-params",
        )
    search = st.text_input("Find a study (PMID, or words of its title or journal)", key="q", bind="query-params")
    shown = dv.filter_studies(
        studies, designs=designs, species=species, directions=directions, years=span, search=search
    )
    st.subheader(f"Studies ({len(shown)} of {len(studies)}), best evidence first")
    st.dataframe(
        dv.studies_table(shown),
        hide_index=True,
        width="stretch",
        column_config={
            "pubmed": st.column_config.LinkColumn("PMID", display_text=r"https://pubmed\.ncbi\.nlm\.nih\.gov/(\d+)/"),
            "doi": st.column_config.LinkColumn("DOI", display_text=r"https://doi\.org/(.*)"),
            "year": st.column_config.NumberColumn(format="%d"),
        },
    )
    limit = 30
    st.markdown(f"**Abstracts** (first {min(limit, len(shown))}; narrow the filters to see others)")
    for _, s in shown.head(limit).iterrows():
        flag = " · ⚠ RETRACTED" if s["retracted"] else ""
        year = dv.text_of(s["year"])
        with st.expander(f"PMID {s['pmid']} · {year} · {dv.md_escape(s['title'])}{flag}"):
            st.markdown(
                f"[PubMed]({dv.pubmed_url(s['pmid'])})"
                + (f" · [DOI]({dv.doi_url(s['doi'])})" if dv.doi_url(s["doi"]) else "")
            )
            st.markdown(
                f"**Design** {dv.md_escape(s['design'])}: {dv.md_escape(s['design_reason'])}  \n"
                f"**Species** {dv.md_escape(s['species'])}: {dv.md_escape(s['species_reason'])}  \n"
                f"**Direction** {dv.md_escape(s['direction'])}: {dv.md_escape(s['direction_reason'])}"
                + (f"  \n**Reviewed by** {dv.md_escape(s['reviewed_by'])}" if dv.text_of(s["reviewed_by"]) else "")
            )
            st.text(dv.text_of(s["abstract"]) or "(no abstract)")
    return shown


CITE_FORMATS = {
    "AMA": ("ama", "txt"),
    "Vancouver": ("vancouver", "txt"),
    "APA": ("apa", "txt"),
    "BibTeX": ("bibtex", "bib"),
    "RIS": ("ris", "ris"),
    "CSL-JSON": ("csljson", "json"),
    "CSV": ("csv", "csv"),
}


def _cite(claim_id: str, shown, cache: Cache) -> None:
    """Citations of the studies shown (the filters apply), ready to copy or download."""
    from evidence.outputs.exports import export_records

    st.subheader("Cite these studies")
    c1, c2 = st.columns([1, 2])
    label = c1.selectbox("Format", list(CITE_FORMATS), key="cite") or "AMA"
    include = c2.checkbox("Include retracted studies (marked [RETRACTED])", value=False, key="cite_retracted")
    fmt, ext = CITE_FORMATS[label]
    records = {r.pmid: r for r in cache.records(list(shown["pmid"]))}
    ordered = [records[p] for p in shown["pmid"] if p in records]  # best evidence first, as listed
    text = export_records(ordered, fmt, include_retracted=include)
    left_out = sum(r.retracted for r in ordered) if not include else 0
    st.caption(
        f"{len(ordered) - left_out} studies"
        + (f"; {left_out} retracted left out" if left_out else "")
        + ". The copy icon of the box copies them all."
    )
    st.download_button(f"Download {label}", text, file_name=f"{claim_id}.{ext}", mime="text/plain")
    st.code(text or "(nothing to cite)", language=None, wrap_lines=True)


def _annotation_form(claim_id: str, studies, settings: Settings) -> None:
    st.subheader("Review a study")
    titles = dict(zip(studies["pmid"], studies["title"], strict=False))
    with st.form("annotate"):
        pmid = st.selectbox(
            "Study", list(titles), key="ann_pmid", format_func=lambda p: f"PMID {p}: {str(titles[p])[:100]}"
        )
        relevance = st.radio(
            "Relevance", ["not judged", "relevant", "not relevant"], horizontal=True, key="ann_relevance"
        )
        direction = st.selectbox("Direction", ["(keep the automatic one)", *DIRECTIONS], key="ann_direction")
        note = st.text_input("Note", key="ann_note")
        reviewer = st.text_input("Your name", key="ann_reviewer")
        submitted = st.form_submit_button("Save review")
    if not submitted:
        return
    if not reviewer.strip():
        st.error("Enter your name: every review names its reviewer.")
        return
    relevant = {"not judged": None, "relevant": True, "not relevant": False}[relevance or "not judged"]
    annotation = Annotation(
        claim_id=claim_id,
        pmid=pmid,
        reviewer=reviewer.strip(),
        relevant=relevant,
        direction=None if direction not in DIRECTIONS else direction,
        note=note.strip(),
        updated_at=utcnow(),
    )
    try:
        with Cache(settings.cache) as writable:  # the only write the dashboard makes
            writable.save_annotation(annotation)
    except EvidenceError as exc:
        st.error(f"The review was not saved: {exc}")
        return
    st.session_state["flash"] = f"Saved {reviewer.strip()}'s review of PMID {pmid}; the grade is recomputed."
    st.rerun()


