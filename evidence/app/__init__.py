"""The Streamlit dashboard (``streamlit run app.py``): wiring only.

Settings come from the environment (EVIDENCE_QUERIES, EVIDENCE_CACHE), the cache is opened
read-only, the library grades (``evidence.grading.service``) and ``evidence.dashboard``
shapes the data; these modules place it on the page, one module a page:

    main       settings, registry, cache, sidebar; dispatches to a page
    loaders    cached loaders keyed on the cache's fingerprint; the empty states
    overview   every claim's verdict and strength
    claim      one claim: reasons, studies, citations, reviews
    article    the article with each claim highlighted
    new        what changed since a refresh or a date

The page, article, claim and filters live in the URL (``bind="query-params"``), so a link
opens the same view. Text from PubMed and the article is shown through st.dataframe /
st.text or escaped with ``dashboard.md_escape``; the only raw HTML is the article view,
built escaped in ``dashboard.highlight_article``.
"""
