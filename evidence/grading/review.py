"""Review that scales: bulk actions on a claim's studies (each undoable) and per-claim sign-offs.

A bulk action is many annotations saved at once under one reviewer's name, recorded in the
cache's review log so it can be undone (``Cache.undo_review_action``). A sign-off records who
checked a claim's grade, when, and with what note; it goes stale when the claim gains studies
after it or its grade no longer matches the one signed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from evidence.cache import Cache, utcnow
from evidence.errors import ConfigError
from evidence.grading.grade import Grade
from evidence.grading.service import ClaimEvidence
from evidence.models import Annotation, SignOff
from evidence.vocabulary import DIRECTIONS

__all__ = ["SignOffState", "apply_direction", "off_topic", "set_aside_off_topic", "sign_off",
           "signoff_state", "signoff_states", "undo_action"]

_JUDGED_OFF_TOPIC = "not about this claim"


def _reviewer(name: str) -> str:
    name = name.strip()
    if not name:
        raise ConfigError("enter your name: every review names its reviewer")
    return name


def off_topic(evidence: ClaimEvidence) -> list[str]:
    """PMIDs the judge set aside as not about the claim (no reviewer has ruled on them yet)."""
    return [a.record.pmid for a in evidence.assessments
            if not a.relevant and a.relevance_reason.startswith(_JUDGED_OFF_TOPIC)]


def _merged(cache: Cache, claim_id: str, reviewer: str) -> dict[str, Annotation]:
    return {a.pmid: a for a in cache.annotations(claim_id) if a.reviewer == reviewer}


def set_aside_off_topic(cache: Cache, evidence: ClaimEvidence, reviewer: str, note: str = "") -> int | None:
    """Mark every study judged off topic "not relevant" in one undoable action (None: nothing to do).

    The reviewer's own earlier direction for a study, if any, is kept.
    """
    reviewer = _reviewer(reviewer)
    pmids = off_topic(evidence)
    if not pmids:
        return None
    mine = _merged(cache, evidence.claim.id, reviewer)
    why = note.strip() or "off topic, as the judge said"
    notes = [Annotation(evidence.claim.id, p, reviewer, False, mine[p].direction if p in mine else None, why)
             for p in pmids]
    return cache.apply_review_action(evidence.claim.id, reviewer, "set-aside",
                                     f"{len(pmids)} studies set aside as off topic", notes)


def apply_direction(cache: Cache, claim_id: str, pmids: Sequence[str], direction: str, reviewer: str,
                    note: str = "") -> int:
    """Give the selected studies ``direction`` in one undoable action (the reviewer's relevance kept)."""
    reviewer = _reviewer(reviewer)
    if direction not in DIRECTIONS:
        raise ConfigError(f"unknown direction {direction!r}: use one of {', '.join(DIRECTIONS)}")
    chosen = list(dict.fromkeys(pmids))
    if not chosen:
        raise ConfigError("select at least one study")
    mine = _merged(cache, claim_id, reviewer)
    notes = [Annotation(claim_id, p, reviewer, mine[p].relevant if p in mine else None, direction,
                        note.strip() or (mine[p].note if p in mine else "")) for p in chosen]
    return cache.apply_review_action(claim_id, reviewer, "direction",
                                     f"{direction} applied to {len(chosen)} studies", notes)


def undo_action(cache: Cache, action_id: int, by: str) -> tuple[int, int]:
    """Undo a bulk action, naming who undid it: (annotations restored, later edits kept)."""
    return cache.undo_review_action(action_id, _reviewer(by))


def sign_off(cache: Cache, evidence: ClaimEvidence, reviewer: str, note: str = "") -> SignOff:
    """Record that ``reviewer`` checked the claim's grade as it stands now."""
    g = evidence.grade
    return cache.save_signoff(SignOff(evidence.claim.id, _reviewer(reviewer), g.verdict, g.strength, note.strip(),
                                      len(evidence.assessments), cache.last_change_id(), utcnow()))


@dataclass(frozen=True)
class SignOffState:
    """A claim's newest sign-off and whether it still holds, with the reasons when it does not."""

    signoff: SignOff
    stale: bool
    why: tuple[str, ...] = ()
    new_pmids: tuple[str, ...] = ()


def signoff_state(signoff: SignOff, grade: Grade, new_pmids: Sequence[str]) -> SignOffState:
    """Stale once the claim gained studies after the sign-off or its grade changed since."""
    why = []
    if new_pmids:
        n = len(new_pmids)
        why.append(f"{n} new stud{'y' if n == 1 else 'ies'} since")
    if (grade.verdict, grade.strength) != (signoff.verdict, signoff.strength):
        why.append(f"grade changed: {signoff.verdict} ({signoff.strength}) signed, "
                   f"now {grade.verdict} ({grade.strength})")
    return SignOffState(signoff, bool(why), tuple(why), tuple(new_pmids))


def signoff_states(cache: Cache, grades: Mapping[str, Grade]) -> dict[str, SignOffState]:
    """Each signed-off claim's state against its current grade."""
    out = {}
    for claim_id, s in cache.latest_signoffs().items():
        if claim_id in grades:
            out[claim_id] = signoff_state(s, grades[claim_id], cache.new_studies_after(claim_id, s.last_change))
    return out
