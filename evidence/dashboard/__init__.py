"""View-model for the Streamlit dashboard: pure data shaping, safe HTML and charts.

``app.py`` only wires these functions to widgets. Nothing here reads the cache or the
network: every function takes frames or records and returns frames, strings or Altair
charts, so each can be tested without Streamlit.

    text      links, colours, escaping, times
    frames    the overview, a claim's studies, what's new, and their filters
    charts    designs per claim, the evidence pyramid, the timeline
    article   the article with each claim's quote highlighted
"""

from evidence.dashboard.article import QuoteMark, find_quote_span, highlight_article
from evidence.dashboard.charts import design_bar_chart, pyramid_chart, timeline_chart
from evidence.dashboard.frames import (
    STUDY_COLUMNS,
    design_columns,
    design_counts_long,
    filter_overview,
    filter_studies,
    grade_changes_frame,
    new_studies,
    overview_frame,
    studies_frame,
    studies_table,
)
from evidence.dashboard.text import (
    DIRECTION_COLOURS,
    STALE_AFTER,
    VERDICT_COLOURS,
    doi_url,
    md_escape,
    parse_time,
    pubmed_search_url,
    pubmed_url,
    staleness,
    text_of,
    verdict_badge,
    verdict_style,
)

__all__ = [
    "DIRECTION_COLOURS", "STALE_AFTER", "STUDY_COLUMNS", "VERDICT_COLOURS", "QuoteMark", "design_bar_chart",
    "design_columns", "design_counts_long", "doi_url", "filter_overview", "filter_studies", "find_quote_span",
    "grade_changes_frame", "highlight_article", "md_escape", "new_studies", "overview_frame", "parse_time",
    "pubmed_search_url", "pubmed_url", "pyramid_chart", "staleness", "studies_frame", "studies_table",
    "text_of", "timeline_chart", "verdict_badge", "verdict_style",
]
