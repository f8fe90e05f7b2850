"""The claim page's writer's corner: citations to copy or download, and a paste-ready evidence statement.

By default the citations are the evidence behind the verdict (``outputs.statement.cited_studies``:
what ``evidence export --claim`` writes); the studies the filters keep, or all studies, are a
choice. The statement numbers the studies as the citation list does.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from evidence import dashboard as dv
from evidence.cache import Cache
from evidence.grading.service import ClaimEvidence
from evidence.outputs.citations import citable
from evidence.outputs.exports import export_records, reviewer_notes
from evidence.outputs.statement import CITE_SCOPES, cited_studies, evidence_statement

CITE_FORMATS = {
    "AMA": ("ama", "txt"),
    "Vancouver": ("vancouver", "txt"),
    "APA": ("apa", "txt"),
    "BibTeX": ("bibtex", "bib"),
    "RIS": ("ris", "ris"),
    "CSL-JSON": ("csljson", "json"),
    "CSV": ("csv", "csv"),
}
SCOPES = {"verdict": CITE_SCOPES["verdict"], "shown": "the studies the filters above keep",
          "all": CITE_SCOPES["all"]}


def cite(ev: ClaimEvidence, shown: pd.DataFrame, cache: Cache) -> None:
    """Citations of the chosen studies, best evidence first, with a visible copy button."""
    st.subheader("Cite the evidence")
    c1, c2, c3 = st.columns([3, 1, 2])
    scope = c1.radio("Cite", list(SCOPES), format_func=SCOPES.__getitem__, key="cite_scope") or "verdict"
    label = c2.selectbox("Format", list(CITE_FORMATS), key="cite") or "AMA"
    include = c3.checkbox("Include retracted studies (marked [RETRACTED])", value=False, key="cite_retracted")
    fmt, ext = CITE_FORMATS[label]
    if scope == "shown":
        pmids = list(shown["pmid"])
    else:
        pmids = [a.record.pmid for a in cited_studies(ev, scope)]
    records = {r.pmid: r for r in cache.records(pmids)}
    ordered = [records[p] for p in pmids if p in records]  # best evidence first, as listed
    text = export_records(ordered, fmt, include_retracted=include, notes=reviewer_notes([ev]))
    cited = [r.pmid for r in citable(ordered, include)]
    left_out = len(ordered) - len(cited)
    c3.caption(f"{len(cited)} studies" + (f"; {left_out} retracted left out" if left_out else "")
               + ". Every reference links its DOI or PubMed page.")
    b1, b2 = st.columns([1, 3])
    with b1:
        st.html(dv.copy_button_html(text, f"Copy {len(cited)} citations", f"cite-{ev.claim.id}"),
                unsafe_allow_javascript=True)  # the text is escaped; the script is the button's own
    b2.download_button(f"Download {label}", text, file_name=f"{ev.claim.id}.{ext}", mime="text/plain")
    st.code(text or "(nothing to cite)", language=None, wrap_lines=True, height=220 if len(cited) > 6 else "content")
    statement = evidence_statement(ev, cited)
    st.markdown("**Evidence statement**, ready to paste (the numbers are the citations above)")
    st.html(dv.copy_button_html(statement, "Copy the statement", f"statement-{ev.claim.id}"),
            unsafe_allow_javascript=True)
    st.code(statement, language=None, wrap_lines=True)
