"""The claim page's reviews: one study at a time, in bulk (each bulk action undoable), and sign-off.

Every write names its reviewer (the sidebar's "Your name") and goes through the library
(``evidence.grading.review``, ``Cache.save_annotation``) on a writable cache opened for that
write alone; the page then reruns and the grade is recomputed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import pandas as pd
import streamlit as st

from evidence import dashboard as dv
from evidence.cache import Cache, utcnow
from evidence.errors import EvidenceError
from evidence.grading import review
from evidence.grading.service import ClaimEvidence
from evidence.models import Annotation
from evidence.settings import Settings
from evidence.vocabulary import DIRECTIONS


def _name() -> str:
    return str(st.session_state.get("reviewer") or "").strip()


def _write(settings: Settings, what: str, action: Callable[[Cache], str]) -> None:
    """Run one write on a writable cache; flash what it did and rerun, or show why it failed."""
    if not _name():
        st.error(f"Enter your name in the sidebar first: every review names its reviewer ({what} not saved).")
        return
    try:
        with Cache(settings.cache) as writable:
            message = action(writable)
    except EvidenceError as exc:
        st.error(f"{what} was not saved: {exc}")
        return
    st.session_state["flash"] = message
    st.rerun()


def review_section(ev: ClaimEvidence, studies: pd.DataFrame, settings: Settings, cache: Cache,
                   tz: str | None) -> None:
    st.subheader("Review")
    st.caption(f"Reviewing as **{dv.md_escape(_name())}**." if _name()
               else "Enter your name in the sidebar to review: every review names its reviewer.")
    _bulk(ev, studies, settings)
    _history(ev, settings, cache, tz)
    _annotation_form(ev.claim.id, studies, settings)
    _signoff(ev, settings)


def _bulk(ev: ClaimEvidence, studies: pd.DataFrame, settings: Settings) -> None:
    off = review.off_topic(ev)
    left, right = st.columns(2)
    with left.container(border=True):
        st.markdown("**Set aside the off-topic studies**")
        st.caption(f"{len(off)} stud{'y' if len(off) == 1 else 'ies'} judged not about this claim: mark "
                   "them all not relevant under your name, in one undoable action.")
        if st.button(f"Set aside {len(off)} off-topic studies", key="bulk_set_aside", disabled=not off):
            _write(settings, "The bulk action", lambda c: _set_aside(c, ev))
    titles = dict(zip(studies["pmid"], studies["title"], strict=False))
    with right.container(border=True):
        st.markdown("**Apply a direction to a selection**")
        chosen = st.multiselect("Studies (or select rows in the table)", list(titles), key="bulk_pmids",
                                format_func=lambda p: f"PMID {p}: {str(titles.get(p, ''))[:70]}")
        direction = st.selectbox("Direction", list(DIRECTIONS), key="bulk_direction")
        note = st.text_input("Note (optional)", key="bulk_note")
        if st.button("Apply to the selected studies", key="bulk_apply", disabled=not chosen):
            _write(settings, "The bulk action",
                   lambda c: _apply(c, ev.claim.id, chosen, direction or DIRECTIONS[0], note or ""))


def _set_aside(cache: Cache, ev: ClaimEvidence) -> str:
    action = review.set_aside_off_topic(cache, ev, _name())
    return f"{_name()} set aside {len(review.off_topic(ev))} off-topic studies (action {action}; undo below)."


def _apply(cache: Cache, claim_id: str, pmids: list[str], direction: str, note: str) -> str:
    action = review.apply_direction(cache, claim_id, pmids, direction, _name(), note)
    return f"{_name()} applied {direction} to {len(pmids)} studies (action {action}; undo below)."


def _undo(cache: Cache, action_id: int) -> str:
    restored, kept = review.undo_action(cache, action_id, _name())
    extra = f"; {kept} studies changed since were left as they are" if kept else ""
    return f"{_name()} undid action {action_id}: {restored} reviews put back as they were{extra}."


def _history(ev: ClaimEvidence, settings: Settings, cache: Cache, tz: str | None) -> None:
    actions = cache.review_actions(ev.claim.id)
    if not actions:
        return
    st.markdown("**Bulk actions on this claim** (newest first)")
    for a in actions[:10]:
        c1, c2 = st.columns([5, 1])
        pmids = ", ".join(a.pmids[:8]) + (f" and {len(a.pmids) - 8} more" if len(a.pmids) > 8 else "")
        text = f"#{a.id} · {a.reviewer} · {dv.readable_time(a.at, tz)} · {a.detail} (PMID {pmids})"
        if a.undone_at:
            text += f" · undone by {a.undone_by}, {dv.readable_time(a.undone_at, tz)}"
        c1.markdown(dv.md_escape(text))
        if not a.undone_at and c2.button("Undo", key=f"undo_{a.id}"):
            _write(settings, "The undo", functools.partial(_undo, action_id=a.id))


def _annotation_form(claim_id: str, studies: pd.DataFrame, settings: Settings) -> None:
    st.markdown("**Review one study**")
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
        submitted = st.form_submit_button("Save review")
    if not submitted:
        return
    relevant = {"not judged": None, "relevant": True, "not relevant": False}[relevance or "not judged"]

    def save(cache: Cache) -> str:
        cache.save_annotation(Annotation(claim_id=claim_id, pmid=pmid, reviewer=_name(), relevant=relevant,
                                         direction=None if direction not in DIRECTIONS else direction,
                                         note=(note or "").strip(), updated_at=utcnow()))
        return f"Saved {_name()}'s review of PMID {pmid}; the grade is recomputed."

    _write(settings, "The review", save)


def _signoff(ev: ClaimEvidence, settings: Settings) -> None:
    st.markdown("**Sign off this grade**")
    g = ev.grade
    with st.form("signoff"):
        note = st.text_input("Note (what you checked)", key="signoff_note")
        submitted = st.form_submit_button(f"Sign off: {g.verdict}, {g.strength}")
    if submitted:
        def save(cache: Cache) -> str:
            s = review.sign_off(cache, ev, _name(), note or "")
            return f"{s.reviewer} signed off {ev.claim.id}: {s.verdict} ({s.strength})."

        _write(settings, "The sign-off", save)
