"""The evidence dashboard: ``streamlit run app.py``.

The pages live in ``evidence.app``; this file sets the page up and hands over.
"""

import streamlit as st

st.set_page_config(page_title="evidence: claims vs PubMed", page_icon="🔬", layout="wide")

from evidence.app.main import main  # noqa: E402  (set_page_config must be the first st call)

main()
