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
from evidence.cache import Cache
from evidence.errors import CacheError, EvidenceError
from evidence.outputs.annotations_csv import export_annotations_csv
from evidence.registry import Registry
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
            _pages(cache, registry, settings)
        except CacheError as exc:  # a damaged cache: one message that says what to do, never a traceback
            st.error(f"The cache cannot be read: {exc}")
            st.stop()
        except EvidenceError as exc:
            st.error(f"The evidence cannot be shown: {exc}")
            st.stop()


def _pages(cache: Cache, registry: Registry, settings: Settings) -> None:
    """The sidebar and the chosen page (``st.stop()`` passes through: it is not an EvidenceError)."""
    last_run = cache.last_run()
    fingerprint = cache.fingerprint()
    if last_run is None:
        empty_state(settings, "The cache has no refresh yet.")
    key = (str(settings.cache), str(settings.queries), _mtime(settings.queries), fingerprint)
    grades, overview = cached_evidence(*key)
    page = st.sidebar.radio("Page", list(PAGES), key="page", bind="query-params")
    articles = [a.id for a in registry.articles]
    article_id = articles[0]
    if len(articles) > 1:
        article_id = st.sidebar.selectbox("Article", articles, key="article", bind="query-params") or article_id
    tz = st.context.timezone  # the reader's own time zone (None outside a browser: the machine's)
    now = datetime.now(timezone.utc)
    ended = dv.readable_time(last_run.get("ended_at") or last_run["started_at"], tz, now)
    st.sidebar.caption(f"Last refresh: {ended} ({last_run['status']}) · {cache.record_count()} records")
    st.sidebar.text_input("Your name (for reviews and sign-offs)", key="reviewer",
                          help="Every review, bulk action, undo and sign-off is recorded under this name.")
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
    stale = dv.staleness(last_run, now)
    if stale:
        st.warning(stale)
    if "flash" in st.session_state:
        st.success(st.session_state.pop("flash"))
    if page == "claim":
        page_claim(registry, settings, key, [article_id], cache, tz)
    elif page == "article":
        page_article(registry, grades, article_id)
    elif page == "new":
        page_new(cache, registry, last_run, tz)
    else:
        page_overview(registry, overview, [article_id], cache, grades, tz)
