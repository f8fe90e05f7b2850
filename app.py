"""The evidence dashboard: ``streamlit run app.py``.

Wiring only: settings come from the environment (EVIDENCE_QUERIES, EVIDENCE_CACHE), the
cache is opened read-only, the library grades (``evidence.grading.service``) and
``evidence.dashboard`` shapes the data; this file places it on the page. Loaders are
cached with every input as an argument and keyed on ``cache.fingerprint()``, so a refresh
or an annotation shows at once. The page, article, claim and filters live in the URL
(``bind="query-params"``), so a link opens the same view.

Text from PubMed and the article is shown through st.dataframe / st.text or escaped with
``dashboard.md_escape``; the only raw HTML is the article view, built escaped in
``dashboard.highlight_article``.
"""

from __future__ import annotations

import os
from datetime import date, datetime, time, timezone
from pathlib import Path

import streamlit as st

st.set_page_config(page_title="evidence: claims vs PubMed", page_icon="🔬", layout="wide")

from evidence import dashboard as dv  # noqa: E402  (set_page_config must be the first st call)
from evidence.cache import Cache, utcnow  # noqa: E402
from evidence.errors import CacheError, EvidenceError  # noqa: E402
from evidence.grading.grade import pair_contradictions  # noqa: E402
from evidence.models import Annotation  # noqa: E402
from evidence.outputs.annotations_csv import export_annotations_csv  # noqa: E402
from evidence.outputs.digest import grade_changes  # noqa: E402
from evidence.registry import Registry, load_registry, search_term  # noqa: E402
from evidence.settings import Settings  # noqa: E402
from evidence.vocabulary import DIRECTIONS, STRENGTHS, VERDICTS  # noqa: E402

PAGES = ("overview", "claim", "article", "new")  # URL values: ?page=claim&claim=<id>
RUN_HELP = "evidence check      # validate queries.yaml\nevidence refresh    # fetch the studies\nstreamlit run app.py"


# --- cached loaders (every input is an argument) -------------------------------------

def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


@st.cache_resource(show_spinner=False, max_entries=4)
def cached_registry(queries: str, mtime_ns: int) -> Registry:
    return load_registry(queries)


@st.cache_resource(show_spinner=False, max_entries=2048)
def cached_claim_evidence(cache_path: str, queries: str, mtime_ns: int, claim_id: str, claim_key: tuple):
    """One claim's evidence. Keyed per claim, so a review recomputes only its own claim."""
    from evidence.grading.service import assess_claims

    claim = cached_registry(queries, mtime_ns).claim(claim_id)
    with Cache(cache_path, readonly=True) as cache:
        return assess_claims([claim], cache, summaries=True)[claim_id]


@st.cache_resource(show_spinner="Grading the evidence…", max_entries=4)
def cached_evidence(cache_path: str, queries: str, mtime_ns: int, fingerprint: tuple) -> tuple:
    """(grade by claim id, overview frame) for one state of the cache and registry.

    Grades come from the last refresh's snapshots while they are current (``grade_claims``);
    a claim reviewed or changed since is regraded.
    """
    from evidence.grading.service import grade_claims

    registry = cached_registry(queries, mtime_ns)
    with Cache(cache_path, readonly=True) as cache:
        grades = grade_claims(registry.claims, cache)
        state = cache.claims_overview()
        last_refreshed = dict(zip(state["claim_id"], state["last_success"], strict=True))
        overview = dv.overview_frame(registry.claims, grades, last_refreshed)
    return grades, overview


def _claim_key(fingerprint: tuple, claim_id: str, cache: Cache) -> tuple:
    # fingerprint = (last run, last change, last annotation time, annotations, memberships):
    # a claim's own key swaps the global annotation parts for that claim's annotations.
    notes = tuple((a.pmid, a.reviewer, a.relevant, a.direction, a.note, a.updated_at)
                  for a in cache.annotations(claim_id))
    return (fingerprint[0], fingerprint[1], fingerprint[4], notes)


def claim_evidence(cache_path: str, queries: str, mtime_ns: int, fingerprint: tuple, claim_id: str,
                   cache: Cache):
    """One claim's evidence, keyed on that claim's own state (its reviews), see cached_claim_evidence."""
    return cached_claim_evidence(cache_path, queries, mtime_ns, claim_id, _claim_key(fingerprint, claim_id, cache))


@st.cache_resource(show_spinner=False, max_entries=64)
def cached_studies(cache_path: str, queries: str, mtime_ns: int, claim_key: tuple, claim_id: str):
    return dv.studies_frame(cached_claim_evidence(cache_path, queries, mtime_ns, claim_id, claim_key))


# --- states ----------------------------------------------------------------------------

def empty_state(cache_path: Path, why: str) -> None:
    st.title("No evidence yet")
    st.info(f"{why} The dashboard shows only studies fetched from PubMed into `{cache_path}`. Run:")
    st.code(RUN_HELP, language="bash")
    st.stop()


def open_cache(settings: Settings) -> Cache:
    if not settings.cache.exists():
        empty_state(settings.cache, f"There is no cache at `{settings.cache}` yet.")
    try:
        return Cache(settings.cache, readonly=True)
    except CacheError as exc:
        st.error(f"The cache cannot be read: {exc}")
        st.stop()
        raise  # unreachable: st.stop() raises


# --- pages -----------------------------------------------------------------------------

def page_overview(registry: Registry, overview, article_ids: list[str]) -> None:
    st.title("Claims and their evidence")
    c1, c2, c3, c4 = st.columns(4)
    kinds = c1.multiselect("Kind", sorted(overview["kind"].unique()), key="kind", bind="query-params")
    verdicts = c2.multiselect("Verdict", list(VERDICTS), key="verdict", bind="query-params")
    strengths = c3.multiselect("Strength", list(STRENGTHS), key="strength", bind="query-params")
    sort = c4.selectbox("Sort by", ["verdict", "strength", "newest", "studies", "id"], key="sort",
                        bind="query-params")
    rows = dv.filter_overview(overview, articles=article_ids, kinds=kinds, verdicts=verdicts,
                              strengths=strengths, sort=sort)
    st.caption(f"{len(rows)} of {len(overview)} claims. Click a claim's id to see its studies and why it got its grade.")
    if rows.empty:
        st.warning("No claim matches these filters.")
        return
    # Grade first: on a narrow screen the long statement must not push the verdict out of view.
    table = rows[["verdict", "strength", "studies", "newest_year", "statement", "kind", "last_refreshed"]].copy()
    table.insert(0, "claim", [f"?page=claim&claim={c}" for c in rows["id"]])
    st.dataframe(
        table.style.map(dv.verdict_style, subset=["verdict"]), hide_index=True, width="stretch",
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


def page_claim(registry: Registry, settings: Settings, key: tuple, article_ids: list[str],
               cache: Cache) -> None:
    claims = [c for c in registry.claims if c.article in article_ids] or list(registry.claims)
    ids = [c.id for c in claims]
    # No format_func on URL-bound widgets: the URL holds the formatted option, and links say ?claim=<id>.
    claim_id = st.selectbox("Claim", ids, key="claim", bind="query-params")
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
    studies = cached_studies(*key[:3], _claim_key(key[3], claim_id, cache), claim_id)
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
        st.dataframe(log[["at", "term", "query_translation", "count", "mindate", "maxdate"]],
                     hide_index=True, width="stretch")


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
    directions = f3.multiselect("Direction", sorted(studies["direction"].unique()), key="direction",
                                bind="query-params")
    years = studies["year"].dropna().astype(int)
    span = None
    if len(years) and years.min() < years.max():
        span = f4.slider("Years", int(years.min()), int(years.max()), (int(years.min()), int(years.max())),
                         key="years", bind="query-params")
    search = st.text_input("Find a study (PMID, or words of its title or journal)", key="q", bind="query-params")
    shown = dv.filter_studies(studies, designs=designs, species=species, directions=directions, years=span,
                              search=search)
    st.subheader(f"Studies ({len(shown)} of {len(studies)}), best evidence first")
    st.dataframe(
        dv.studies_table(shown), hide_index=True, width="stretch",
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
            st.markdown(f"[PubMed]({dv.pubmed_url(s['pmid'])})" + (f" · [DOI]({dv.doi_url(s['doi'])})" if dv.doi_url(s["doi"]) else ""))
            st.markdown(f"**Design** {dv.md_escape(s['design'])}: {dv.md_escape(s['design_reason'])}  \n"
                        f"**Species** {dv.md_escape(s['species'])}: {dv.md_escape(s['species_reason'])}  \n"
                        f"**Direction** {dv.md_escape(s['direction'])}: {dv.md_escape(s['direction_reason'])}"
                        + (f"  \n**Reviewed by** {dv.md_escape(s['reviewed_by'])}" if dv.text_of(s["reviewed_by"]) else ""))
            st.text(dv.text_of(s["abstract"]) or "(no abstract)")
    return shown


CITE_FORMATS = {"AMA": ("ama", "txt"), "Vancouver": ("vancouver", "txt"), "APA": ("apa", "txt"),
                "BibTeX": ("bibtex", "bib"), "RIS": ("ris", "ris"), "CSL-JSON": ("csljson", "json"),
                "CSV": ("csv", "csv")}


def _cite(claim_id: str, shown, cache: Cache) -> None:
    """Citations of the studies shown (the filters apply), ready to copy or download."""
    from evidence.outputs.exports import export_records

    st.subheader("Cite these studies")
    c1, c2 = st.columns([1, 2])
    label = c1.selectbox("Format", list(CITE_FORMATS), key="cite")
    include = c2.checkbox("Include retracted studies (marked [RETRACTED])", value=False, key="cite_retracted")
    fmt, ext = CITE_FORMATS[label]
    records = {r.pmid: r for r in cache.records(list(shown["pmid"]))}
    ordered = [records[p] for p in shown["pmid"] if p in records]  # best evidence first, as listed
    text = export_records(ordered, fmt, include_retracted=include)
    left_out = sum(r.retracted for r in ordered) if not include else 0
    st.caption(f"{len(ordered) - left_out} studies" + (f"; {left_out} retracted left out" if left_out else "")
               + ". The copy icon of the box copies them all.")
    st.download_button(f"Download {label}", text, file_name=f"{claim_id}.{ext}", mime="text/plain")
    st.code(text or "(nothing to cite)", language=None, wrap_lines=True)


def _annotation_form(claim_id: str, studies, settings: Settings) -> None:
    st.subheader("Review a study")
    titles = dict(zip(studies["pmid"], studies["title"], strict=False))
    with st.form("annotate"):
        pmid = st.selectbox("Study", list(titles), key="ann_pmid",
                            format_func=lambda p: f"PMID {p}: {str(titles[p])[:100]}")
        relevance = st.radio("Relevance", ["not judged", "relevant", "not relevant"], horizontal=True,
                             key="ann_relevance")
        direction = st.selectbox("Direction", ["(keep the automatic one)", *DIRECTIONS], key="ann_direction")
        note = st.text_input("Note", key="ann_note")
        reviewer = st.text_input("Your name", key="ann_reviewer")
        submitted = st.form_submit_button("Save review")
    if not submitted:
        return
    if not reviewer.strip():
        st.error("Enter your name: every review names its reviewer.")
        return
    relevant = {"not judged": None, "relevant": True, "not relevant": False}[relevance]
    annotation = Annotation(claim_id=claim_id, pmid=pmid, reviewer=reviewer.strip(), relevant=relevant,
                            direction=None if direction not in DIRECTIONS else direction, note=note.strip(),
                            updated_at=utcnow())
    try:
        with Cache(settings.cache) as writable:  # the only write the dashboard makes
            writable.save_annotation(annotation)
    except EvidenceError as exc:
        st.error(f"The review was not saved: {exc}")
        return
    st.session_state["flash"] = f"Saved {reviewer.strip()}'s review of PMID {pmid}; the grade is recomputed."
    st.rerun()


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
                col.markdown(f"**[{cid}](?page=claim&claim={cid})** :{colour}-badge[{label}] `{g.strength}`  \n"
                             f"{dv.md_escape(registry.claim(cid).statement)}")
            st.caption(dv.md_escape(pair.note))
    marks = [dv.QuoteMark(c.id, c.quote, grades[c.id].grade.verdict, f"?page=claim&claim={c.id}")
             for c in claims]
    body, missing = dv.highlight_article(article.text, marks)
    st.caption("Each highlighted sentence is a checked claim, coloured by its verdict; click it for the evidence.")
    st.markdown(body, unsafe_allow_html=True)  # built with html.escape on every text (dashboard.highlight_article)
    if missing:
        st.warning("Quotes not found in the article text (run `evidence check`): " + ", ".join(missing))


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


# --- main ------------------------------------------------------------------------------

def main() -> None:
    settings = Settings.from_env(os.environ)
    try:
        registry = cached_registry(str(settings.queries), _mtime(settings.queries))
    except EvidenceError as exc:
        st.error(f"The claims registry cannot be loaded:\n\n{exc}")
        st.stop()
    cache = open_cache(settings)
    with cache:
        try:
            last_run = cache.last_run()
            fingerprint = cache.fingerprint()
        except CacheError as exc:
            st.error(f"The cache cannot be read: {exc}")
            st.stop()
        if last_run is None:
            empty_state(settings.cache, "The cache has no refresh yet.")
        key = (str(settings.cache), str(settings.queries), _mtime(settings.queries), fingerprint)
        try:
            grades, overview = cached_evidence(*key)
        except EvidenceError as exc:
            st.error(f"The evidence cannot be graded: {exc}")
            st.stop()
        page = st.sidebar.radio("Page", list(PAGES), key="page", bind="query-params")
        articles = [a.id for a in registry.articles]
        article_id = articles[0]
        if len(articles) > 1:
            article_id = st.sidebar.selectbox("Article", articles, key="article", bind="query-params")
        st.sidebar.caption(f"Last refresh: {last_run.get('ended_at') or last_run['started_at']} "
                           f"({last_run['status']}) · {cache.record_count()} records")
        st.sidebar.download_button("Download reviews (CSV)", export_annotations_csv(cache.annotations()),
                                   file_name="annotations.csv", mime="text/csv")
        stale = dv.staleness(last_run, datetime.now(timezone.utc))
        if stale:
            st.warning(stale)
        if "flash" in st.session_state:
            st.success(st.session_state.pop("flash"))
        if page == "claim":
            page_claim(registry, settings, key, [article_id], cache)
        elif page == "article":
            page_article(registry, grades, article_id)
        elif page == "new":
            page_new(cache, registry, last_run)
        else:
            page_overview(registry, overview, [article_id])


main()
