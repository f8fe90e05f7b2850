"""The Streamlit dashboard (``streamlit run app.py``): wiring only.

Settings come from the environment (EVIDENCE_QUERIES, EVIDENCE_CACHE), the cache is opened
read-only, the library grades (``evidence.grading.service``) and ``evidence.dashboard``
shapes the data; these modules place it on the page, one module a page:

    main       settings, registry, cache, sidebar (the reviewer's name); dispatches to a page
    loaders    cached loaders keyed on the cache's fingerprint; the empty states
    overview   every claim's verdict, strength and sign-off; a search; the key to the colours
    claim      one claim, led by the evidence: summary of findings, studies, row detail
      cite       (on the claim page) citations and the evidence statement, with copy buttons
      review     (on the claim page) one study, bulk actions with undo, sign-off
    article    the article with each claim highlighted, headings as headings
    new        the digest of a refresh or since a date, in sentences

The page, article, claim and filters live in the URL (``bind="query-params"``), so a link
opens the same view. Text from PubMed and the article is shown through st.dataframe /
st.text or escaped with ``dashboard.md_escape``. Raw HTML is built only by the view-model,
escaped there: the article view (``dashboard.highlight_article``), the verdict badges and
the key (``dashboard.verdict_badge_html``, ``legend_html``: vocabulary words only), the
sign-off line (``html.escape``), and the copy buttons (``dashboard.copy_button_html``, whose
one script is ours; the text it copies sits escaped in a hidden textarea).
"""
