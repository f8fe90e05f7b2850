"""View-model for the Streamlit dashboard: pure data shaping, safe HTML and charts.

``app.py`` only wires these functions to widgets. Nothing here reads the cache or the
network: every function takes frames or records and returns frames, strings or Altair
charts, so each can be tested without Streamlit.

    text      links, colours, badges and legends, escaping, local times, plain words
    frames    the overview and a claim's studies, and their filters
    findings  a claim's summary of findings in GRADE's style
    charts    designs per claim, the evidence pyramid, the timeline
    article   the article with each claim's quote highlighted, headings as headings
"""

from evidence.dashboard.article import QuoteMark, article_blocks, find_quote_span, highlight_article
from evidence.dashboard.charts import design_bar_chart, design_scale, pyramid_chart, timeline_chart
from evidence.dashboard.findings import (
    SOF_COLUMNS,
    certainty_steps,
    findings_sentence,
    set_aside_summary,
    sof_markdown,
    summary_of_findings,
    usable,
)
from evidence.dashboard.frames import (
    STUDY_COLUMNS,
    TABLE_COLUMNS,
    TITLE_LINK_TEXT,
    design_columns,
    design_counts_long,
    filter_overview,
    filter_studies,
    overview_frame,
    studies_frame,
    studies_table,
    title_link,
)
from evidence.dashboard.text import (
    DESIGN_COLOURS,
    DIRECTION_COLOURS,
    STALE_AFTER,
    STRENGTH_MEANINGS,
    STRENGTH_SYMBOLS,
    VERDICT_COLOURS,
    VERDICT_MEANINGS,
    copy_button_html,
    doi_url,
    legend_html,
    md_escape,
    parse_time,
    polarity_words,
    pubmed_search_url,
    pubmed_url,
    readable_time,
    run_help,
    staleness,
    text_of,
    verdict_badge,
    verdict_badge_html,
    verdict_style,
)

__all__ = [
    "DESIGN_COLOURS", "DIRECTION_COLOURS", "SOF_COLUMNS", "STALE_AFTER", "STRENGTH_MEANINGS", "STRENGTH_SYMBOLS",
    "STUDY_COLUMNS", "TABLE_COLUMNS", "TITLE_LINK_TEXT", "VERDICT_COLOURS", "VERDICT_MEANINGS", "QuoteMark",
    "article_blocks", "certainty_steps", "copy_button_html", "design_bar_chart", "design_columns",
    "design_counts_long", "design_scale", "doi_url", "filter_overview", "filter_studies", "find_quote_span",
    "findings_sentence", "highlight_article", "legend_html", "md_escape",
    "overview_frame", "parse_time", "polarity_words", "pubmed_search_url", "pubmed_url", "pyramid_chart",
    "readable_time", "run_help", "set_aside_summary", "sof_markdown", "staleness", "studies_frame", "studies_table",
    "summary_of_findings", "text_of", "timeline_chart", "title_link", "usable", "verdict_badge",
    "verdict_badge_html", "verdict_style",
]
