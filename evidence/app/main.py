"""The dashboard's entry point: settings, the registry and cache, the sidebar, the chosen page."""

from __future__ import annotations

import os
from datetime import datetime, timezone

import streamlit as st

from evidence import dashboard as dv
from evidence.app.article import page_article
from evidence.app.claim import page_claim
from evidence.app.loaders import _mtime, cached_evidence, cached_registry, empty_state, open_cache
from evidence.app.new import page_new
from evidence.app.overview import page_overview
from evidence.errors import CacheError, EvidenceError
from evidence.outputs.annotations_csv import export_annotations_csv
from evidence.settings import Settings

PAGES = ("overview", "claim", "article", "new")  # URL values: ?page=claim&claim=<id>


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
            article_id = st.sidebar.selectbox("Article", articles, key="article", bind="query-params") or article_id
        st.sidebar.caption(
            f"Last refresh: {last_run.get('ended_at') or last_run['started_at']} "
            f"({last_run['status']}) · {cache.record_count()} records"
        )
        st.sidebar.download_button(
            "Download reviews (CSV)",
            export_annotations_csv(cache.annotations()),
            file_name="annotations.csv",
            mime="text/csv",
        )
        drafts = [c.id for c in registry.claims if c.draft]
        if drafts:  # claims `evidence propose` wrote that no person has confirmed (docs/claims.md)
            st.sidebar.warning(f"{len(drafts)} draft claims to confirm (draft: true in the registry): "
                               + ", ".join(drafts))
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
