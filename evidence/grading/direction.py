"""Finding direction: does a study's conclusion support or contradict a claim?

Transparent rules, no model (docs/grading.md, "Direction"). In order:

  1. Relevance (``relevance``): a study that names neither the claim's intervention nor its
     outcome is "not about this claim": set aside, not read for or against it.
  2. Sentences are weighed by how much they speak to the claim's outcome; a sentence about
     another outcome barely counts.
  3. Each clause is read with its cues bound to their subject and scope (``reading``): the
     comparator arm's negation, a negation about method, "rather than X", a change verb's
     direction, a benefit or a harm, blocking logic for mechanism claims.
  4. Numbers the claim asserts (a proportion, an onset, a duration) are compared with the
     study's (``quantities``): "48% responded" does not support "up to 70%".
  5. The readings are combined: both ways at once is "mixed"; a qualified yes ("limited but",
     "temporary", "one of several mechanisms") is "mixed"; an underpowered null is "mixed";
     a review that takes no position is "unclear".

Every result names the sentence that decided it and why; a reviewer's annotation overrides
it (``apply_annotation``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from evidence.grading import lexicon as lx
from evidence.grading.quantities import compare_proportion, compare_time, times
from evidence.grading.reading import ClaimShape, ClauseReading, clauses, read_clause, sentences, shape_of
from evidence.grading.relevance import (
    Concepts,
    about_other_outcome,
    concepts,
    names_outcome,
    on_topic,
    scope,
    sentence_weight,
    stems,
)
from evidence.models import AbstractSection, Annotation, Claim, Quantity, Record
from evidence.vocabulary import DIRECTIONS

__all__ = ["Direction", "judge_conclusion", "judge_direction", "apply_annotation", "conclusion_text",
           "infer_polarity"]

_I = re.IGNORECASE
_CONCLUSION_LABELS = ("CONCLUSION", "CONCLUSIONS", "INTERPRETATION", "IMPLICATIONS", "CONCLUSIONS AND RELEVANCE",
                      "AUTHORS' CONCLUSIONS", "REVIEWER'S CONCLUSIONS", "DISCUSSION")


@dataclass(frozen=True)
class Direction:
    """How one study's finding reads against one claim, with the sentence and reason behind it."""

    direction: str  # supports, contradicts, mixed, unclear
    sentence: str  # the sentence that decided it ("" when none did)
    confidence: float  # 0-1, how clear-cut the cues were
    reason: str
    judge: str = "rules"  # who decided: "rules", "model <name>", "reviewer <name>"
    on_topic: bool = True  # False: the study is not about this claim; it is set aside, not graded
    # For a claim that asserts a number: how the study's figure compares ("as-claimed", "smaller",
    # "larger"); None when the claim asserts none or the study reports none.
    magnitude: str | None = None
    # "" when the study is direct evidence; else why it is indirect (another population, dose,
    # route or time point than the claim's), e.g. "another population: healthy volunteers".
    scope: str = ""


def infer_polarity(statement: str) -> str:
    """Polarity of a free-text statement or question: "no-effect" when it asserts absence or safety.

    For statements without a declared polarity (`evidence judge` pairs, PubMedQA questions); a
    Claim's own ``polarity`` always wins over this guess.
    """
    s = statement.lower()
    if lx.NOT_ONLY.search(s):
        return "effect"
    if re.search(r"\b(?:not|no|never|without|fail|lack)\b|n't\b|\bsafe\b|\bharmless|\bnon-?inferior|\bequivalent|"
                 r"\bcomparable|\bsimilar\b|\b(?:the )?same\b|\bas (?:effective|good|safe) as", s):
        return "no-effect"
    return "effect"


def conclusion_text(record: Record) -> tuple[str, str]:
    """(conclusion, where it came from): the labelled conclusion section, else the last 2 sentences."""
    for section in reversed(record.abstract_sections):
        label = (section.label or "").upper().strip(" :")
        if (section.nlm_category or "").upper() == "CONCLUSIONS" or label in _CONCLUSION_LABELS:
            return section.text, f'the abstract\'s "{section.label or section.nlm_category}" section'
    found = sentences(record.abstract)
    if not found:
        return "", "no abstract"
    if len(found) <= 2:
        return " ".join(found), "the abstract"
    return " ".join(found[-2:]), "the abstract's last sentences (no labelled conclusion)"


# What marks a time as the onset of an effect: a change, a benefit, or words of onset.
_ONSET_CUE = re.compile("|".join(p.pattern for p in (lx.GOOD, lx.EFFECT, lx.DOWN_VERB, lx.UP_VERB)) +
                        r"|\bacts?\b|\bseparat\w+|\bonset\b|\bgot there\b|\bremi|\brespon", _I)
_FLAG_WORDS = {"qualified", "partial", "noncommit", "caution", "hedged", "underpowered", "not", "comparator"}
_ADVICE = re.compile(r"^\s*(?:further|future|more|larger|additional|prospective|randomi[sz]ed)\b.*\b(?:needed|required|"
                     r"warranted|should)\b|^\s*(?:we|it is) (?:recommend|suggest)|^.*\bshould be (?:considered|"
                     r"performed|used|given|offered|done|targeted)\b", _I)


@dataclass
class _Tally:
    for_: float = 0.0
    against: float = 0.0
    qualified: float = 0.0  # weight of relevant sentences with a caveat
    affirmative: bool = False  # a sentence about the claim's subject asserts something, with no negation
    hedges: float = 0.0  # hedge cues in relevant sentences
    findings: int = 0  # cues for or against in relevant sentences (unweighted)
    flags: set[str] | None = None
    best: tuple[float, str, list[str]] = (-1.0, "", [])

    def take(self, weight: float, sentence: str, r: ClauseReading, caveats: float | None = None) -> None:
        """Count a clause's reading; ``caveats`` (default ``weight``) weighs its hedges and flags,
        which qualify the whole sentence even when the clause is about something else."""
        self.for_ += weight * r.for_
        self.against += weight * r.against
        if self.flags is None:
            self.flags = set()
        caveats = weight if caveats is None else caveats
        if caveats >= 0.6:
            self.flags |= r.flags
            self.hedges += r.hedges
            if "qualified" in r.flags or "partial" in r.flags:
                self.qualified += caveats
        if weight >= 0.6:
            self.findings += sum(1 for cue in r.cues if cue.split(" ")[0] not in _FLAG_WORDS)
        strength = weight * (abs(r.for_ - r.against) + 0.2 * len(r.flags)) + 0.01 * weight
        if strength > self.best[0]:
            self.best = (strength, sentence, r.cues)


def _affirms(c: Concepts, sentence: str, weight: float) -> bool:
    """A plain assertion about the claim: no negation, no open question, and either the claim's
    outcome named or, on subject words alone, at least two of them and no hedge. One shared word
    ("COVID-19") shows only that a sentence is about the same disease, and a hedged sentence
    ("may", "could", "suggest") proposes rather than asserts."""
    if weight < 1.0 or lx.NULL.search(sentence) or lx.NON_COMMITMENT.search(sentence) \
            or lx.UNMEASURED.search(sentence) or sentence.rstrip().endswith("?"):
        return False
    if names_outcome(c, sentence):
        return True
    return len(c.topic & stems(sentence)) >= 2


def _asides(c: Concepts, parts: list[str]) -> list[bool]:
    """Which clauses of a sentence are about something else, beside a clause about the claim.

    "improved depression, but suicidality did not differ": with outcome terms, a clause naming
    another outcome beside one naming the claim's. Without them (a bare statement), a clause
    sharing none of the claim's subject words beside one that does ("X is not associated with
    the disease but is associated with age")."""
    if c.outcome:
        named = [names_outcome(c, part) for part in parts]
        return [any(named) and not has and about_other_outcome(c, part) for part, has in zip(parts, named, strict=True)]
    shared = [bool(c.topic & stems(part)) for part in parts]
    return [any(shared) and not has for has in shared]


def _read(claim: Claim, c: Concepts, shape: ClaimShape, text: str) -> tuple[_Tally, list[str]]:
    tally, relevant = _Tally(flags=set()), []
    units = sentences(text)
    weights = [sentence_weight(c, s) for s in units]
    top = max(weights, default=0.0)
    for i, (sentence, weight) in enumerate(zip(units, weights, strict=True)):
        if top >= 1.0 and weight < 0.6:
            weight *= 0.3  # another outcome, when the study does speak to the claim's elsewhere
        # A conclusion states its finding first; later sentences qualify it, and advice or calls
        # for research are not findings at all.
        weight *= 1.3 if i == 0 else max(0.6, 1.0 - 0.15 * i)
        if _ADVICE.match(sentence):
            weight *= 0.4
        if weight >= 0.6:
            relevant.append(sentence)
            if _affirms(c, sentence, weight):
                tally.affirmative = True
        parts = clauses(sentence)
        for part, aside in zip(parts, _asides(c, parts), strict=True):
            tally.take(min(weight, 0.3) if aside else weight, sentence, read_clause(part, shape, c),
                       caveats=weight if aside and not c.outcome else None)
    return tally, relevant


def _quantities(claim: Claim, text: str, tally: _Tally) -> tuple[str | None, list[str]]:
    """Compare each number the claim asserts with the study's; adds to the tally, returns (magnitude, cues)."""
    magnitude, cues = None, []
    for q in claim.quantities:
        if q.kind == "proportion":
            found = compare_proportion(q, text)
            if found is None:
                continue
            position, figure = found
            magnitude = "smaller" if position == "close" else position
            cues.append(f'figure "{figure.text}" vs claimed {q.text}: '
                        + ("somewhat smaller" if position == "close" else position))
            # The claim's point is the number: the figure decides, cues of a benefit do not.
            tally.for_, tally.against = {"as-claimed": (3.0, 0.0), "larger": (3.0, 0.0), "close": (2.0, 2.0),
                                         "smaller": (0.0, 3.0)}[position]
            tally.flags = (tally.flags or set()) | {"by number"}
    timed = [q for q in claim.quantities if q.kind != "proportion"]
    for q, position, when in _time_positions(timed, text, claim):
        magnitude = magnitude or position
        cues.append(f'time "{when}" vs claimed {q.text}: {position}')
        if position == "as-claimed":
            tally.for_ += 1.5
        else:
            tally.against += 2.0
    return magnitude, cues


def _subject(q: Quantity) -> str:
    """The first word of what a quantity is about ("SSRI" in "SSRI response"), to route figures to it."""
    words = re.findall(r"[A-Za-z][\w-]+", q.of)
    return words[0].lower()[:5] if words else ""


def _time_positions(quantities: Sequence[Quantity], text: str, claim: Claim) -> list[tuple[Quantity, str, str]]:
    """Each time quantity's comparison with the first figure of a clause about it.

    An onset is read from the time of an effect; a duration from the time an effect ended or was
    still present. A quantity about a named subject ("SSRI response") reads only clauses naming it;
    the others read the rest.
    """
    named = {id(q): _subject(q) for q in quantities if _subject(q) and _subject(q) in text.lower()}
    out: list[tuple[Quantity, str, str]] = []
    for q in quantities:
        for clause in (p for s in sentences(text) for p in clauses(s)):
            low = clause.lower()
            mine = named.get(id(q))
            if (mine and mine not in low) or (not mine and any(n in low for n in named.values())):
                continue
            found = _time_in(q, clause, claim)
            if found is not None:
                out.append((q, *found))
                break
    return out


def _time_in(q: Quantity, clause: str, claim: Claim) -> tuple[str, str] | None:
    for figure in times(clause):
        context = figure.context
        if q.kind == "duration":
            ended, lasted = lx.TRANSIENT.search(context), lx.PERSISTENT.search(context)
            if not (ended or lasted):
                continue
            position = compare_time(q, figure.value)
            if claim.polarity != "no-effect" and ended and not lasted and position == "as-claimed" \
                    and q.bound not in ("at-least", "about"):
                continue
            return position, figure.text
        if q.kind == "onset" and _ONSET_CUE.search(context):
            return compare_time(q, figure.value), figure.text
    return None


def _decide(claim: Claim, tally: _Tally, magnitude: str | None, hedges: bool) -> tuple[str, float, str]:
    """(direction, confidence, why) from the combined readings."""
    flags = tally.flags or set()
    f, a = tally.for_, tally.against
    mass = f + a
    if "noncommit" in flags and (mass < 1.0 or (not claim.clinical and mass < 6.0)):
        return "unclear", 0.4, "the study takes no position on it (open question, mechanism not tested)"
    if "partial" in flags and not claim.clinical:
        return "mixed", 0.55, "it presents the mechanism as one of several, not the whole account"
    if mass == 0:
        if "unmeasured" in flags:
            return "unclear", 0.3, "the claim's outcome was not measured"
        if "qualified" in flags:
            return "mixed", 0.4, "a qualified statement: the evidence it describes comes with a caveat"
        if tally.affirmative and not claim.quantities and claim.polarity != "no-effect":
            return "supports", 0.3, ("no explicit cues; an affirmative statement about the claim's subject, read as "
                                     "support with low confidence")
        return "unclear", 0.2, "no finding about the claim's outcome in the conclusion"
    margin = (f - a) / mass
    conf = round(min(0.95, 0.45 + 0.45 * abs(margin) * min(1.0, mass / 3)), 2)
    if f and a and min(f, a) >= 0.6 * max(f, a):
        return "mixed", round(conf * 0.8, 2), f"it points both ways ({f:.1f} for, {a:.1f} against)"
    # A tentative claim ("X may reduce Y", "could X be a factor?") is met by a tentative finding.
    tentative = bool(lx.HEDGE.search(claim.statement))
    if tally.hedges >= 4 and tally.hedges >= 2 * tally.findings and "by number" not in flags and not tentative:
        return "mixed", 0.35, f"a tentative finding under heavy hedging ({tally.hedges:.0f} hedges)"
    if a > f and "underpowered" in flags and f > 0:
        return "mixed", 0.5, "a null result the study could not have detected (small, pilot or a trend)"
    if f > a and tally.qualified >= 1.0 and claim.polarity != "no-effect" and magnitude in (None, "as-claimed"):
        return "mixed", 0.55, "a qualified yes: the finding comes with a caveat the claim leaves out"
    direction = "supports" if f > a else "contradicts"
    if hedges and "hedged" in flags:
        conf = round(conf * 0.85, 2)
    return direction, conf, f"{f:.1f} for, {a:.1f} against"


def _judge_text(claim: Claim, record: Record, text: str, source: str) -> Direction:
    c = concepts(claim)
    shape = shape_of(claim)
    tally, relevant = _read(claim, c, shape, text)
    magnitude, quantity_cues = _quantities(claim, record.abstract or text, tally) if claim.quantities else (None, [])
    direction, confidence, why = _decide(claim, tally, magnitude, hedges=True)
    _strength, sentence, cues = tally.best
    if not relevant and not quantity_cues and sentence_weight(c, record.title) < 0.6:
        # Cues in sentences about something else are no finding about the claim (unless the title
        # says what the conclusion is about).
        direction, confidence = "unclear", 0.2
        why = "no sentence of the conclusion is about the claim's subject"
    cue_text = "; ".join([*quantity_cues, *cues[:6]]) or "no cues"
    return Direction(direction, sentence, confidence, f"from {source}: {why}; cues: {cue_text}",
                     magnitude=magnitude, scope=scope(claim, record))


def judge_direction(claim: Claim, record: Record) -> Direction:
    """Direction of one study's finding for a claim, read from the abstract's conclusion."""
    text, source = conclusion_text(record)
    if not text:
        return Direction("unclear", "", 0.0, f"PMID {record.pmid} has no abstract: direction needs a reviewer")
    ok, why = on_topic(claim, record)
    if not ok:
        return Direction("unclear", "", 0.1, f"off topic: {why}; a reviewer can mark it relevant", on_topic=False)
    return _judge_text(claim, record, text, source)


def judge_conclusion(statement: str, conclusion: str, polarity: str = "effect",
                     support_terms: Sequence[str] = (), contradict_terms: Sequence[str] = ()) -> Direction:
    """Judge one conclusion text against a free-text statement (no registry claim needed)."""
    claim = Claim(id="statement", article="", quote=statement, statement=statement, kind="efficacy", query="",
                  polarity=polarity, support_terms=tuple(support_terms), contradict_terms=tuple(contradict_terms))
    if not conclusion.strip():
        return Direction("unclear", "", 0.0, "no conclusion text to judge")
    record = Record(pmid="text", abstract=conclusion,
                    abstract_sections=(AbstractSection("CONCLUSIONS", "CONCLUSIONS", conclusion),))
    ok, why = on_topic(claim, record)
    if not ok:
        return Direction("unclear", "", 0.1, f"off topic: {why}", on_topic=False)
    return _judge_text(claim, record, conclusion, "the text")


def apply_annotation(direction: Direction, annotation: Annotation | None) -> Direction:
    """A reviewer's direction overrides the automatic one, with full confidence."""
    if annotation is None or annotation.direction is None:
        return direction
    if annotation.direction not in DIRECTIONS:
        return direction
    note = f": {annotation.note}" if annotation.note else ""
    return Direction(annotation.direction, direction.sentence, 1.0, f"reviewed by {annotation.reviewer}{note}",
                     judge=f"reviewer {annotation.reviewer}", on_topic=True, magnitude=direction.magnitude,
                     scope=direction.scope)
