"""Is a study about the claim, and which of its sentences speak to the claim's outcome?

A study counts as evidence for a claim only when it names the claim's intervention (or,
for a comparative claim, its comparator) and the claim's outcome or subject: a depression
trial under a pain claim names ketamine but not pain, and is set aside as "not about this
claim" rather than read for or against it. Within a study, sentences about the claim's
outcome decide; sentences about other outcomes weigh little. The claim's own synonyms
(``intervention_terms``, ``outcome_terms``...) are used when given, else the words of its
PICO fields and statement. Pure functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from evidence.models import Claim, Record

__all__ = ["Concepts", "concepts", "on_topic", "sentence_weight", "scope", "stems", "mentions", "names_outcome",
           "about_other_outcome"]

_STOP = set("""a an the of in on to for and or with without by at from as is are was were be been being do does did
can could may might should would will not no than that this these those it its their there what which who whom whose
when where why how whether any all some more most less patients study studies its into over under after before
within about such also other than then""".split())
# Words too general to show that a study is about a claim's subject.
_GENERIC = {"patien", "treatm", "therap", "study", "studie", "effect", "effects", "result", "clinic", "use", "used",
            "level", "levels", "increa", "decrea", "associ", "risk", "can", "may", "cause", "causes", "people", "human",
            "humans", "improv", "reduce", "reduct", "signif", "respon", "long-t", "short-", "term", "high", "low",
            "lead", "leads", "adult", "adults", "health", "medica", "disord", "condit", "rapid", "common", "severe",
            "sympto", "impair", "eviden", "benefi", "activi", "change", "chang", "days", "weeks", "hours", "months",
            "within", "up", "usuall", "often", "includ", "person", "partic", "experi", "make", "makes", "work",
            "works", "new", "shown", "known", "types", "type", "certai", "parti", "espec", "mild",
            "commonl", "treate", "treati", "receiv", "sugges", "claim", "true", "false", "cases", "case"}
# Words of an intervention that do not name it ("repeated ketamine infusion" is about ketamine).
_NOT_THE_AGENT = {"intravenous", "infusion", "infusions", "repeated", "single", "dose", "doses", "subanaesthetic",
                  "subanesthetic", "low-dose", "therapy", "treatment", "oral", "nasal", "intranasal", "use", "one",
                  "long-term", "exposure", "frequent", "spray", "or", "and"}
# Outcomes studies commonly report beside the one a claim is about.
_HEALTHY = re.compile(r"\bhealthy (?:volunteers?|subjects|participants|adults|men|women|individuals)\b", re.I)
# Outcomes studies commonly report beside the one a claim is about.
_OUTCOME_NOUNS = re.compile(
    r"\b(?:depress\w*|mood|anxi\w+|function(?:ing|al)?|self-rated|clinician-rated|quality of life|cogniti\w+|memory|"
    r"sleep|pain|suicid\w*|side[- ]effects?|adverse \w+|psychotomimetic|psychedelic|dissociat\w+|nausea|"
    r"blood[- ]pressure|heart rate|craving|weight|mortality|survival|remission|relapse|response|substance use)\b",
    re.I)
_VS_HEALTHY = re.compile(r"\b(?:than|versus|vs\.?|compared (?:with|to)|and|relative to) (?:\w+ ){0,2}healthy\b", re.I)


def stems(text: str) -> set[str]:
    """Six-letter stems of the content words of ``text`` ("suicidal" and "suicide" share "suicid")."""
    return {w[:6] for w in re.findall(r"[a-z][a-z0-9-]+", text.lower()) if w not in _STOP and len(w) > 2}


def mentions(term: str, text_lower: str) -> bool:
    """``term`` (a word or phrase, any case) occurs in the text as a word or the start of one;
    hyphens and spaces are interchangeable ("blood-pressure" names "blood pressure")."""
    pattern = re.escape(term.lower()).replace(r"\ ", "[ -]").replace(r"\-", "[ -]")
    return re.search(r"(?<![a-z0-9])" + pattern, text_lower) is not None


@dataclass(frozen=True)
class Concepts:
    """What a study must name to be about the claim, and what its sentences are weighed by."""

    intervention: tuple[str, ...]  # phrases; empty when the claim names no intervention
    comparator: tuple[str, ...]
    outcome: tuple[str, ...]  # explicit outcome phrases (the registry's outcome_terms), may be empty
    topic: frozenset[str]  # stems of the claim's subject (statement, outcome, population), without the agent
    population: tuple[str, ...]


def _agent_words(text: str | None) -> tuple[str, ...]:
    words = re.findall(r"[a-z][a-z0-9-]{3,}", (text or "").lower())
    return tuple(dict.fromkeys(w for w in words if w not in _NOT_THE_AGENT and w not in _STOP))


def concepts(claim: Claim) -> Concepts:
    intervention = tuple(t.lower() for t in claim.intervention_terms) or _agent_words(claim.intervention)
    comparator = tuple(t.lower() for t in claim.comparator_terms)
    agent_stems = {w[:6] for t in intervention for w in t.split()}
    text = " ".join(filter(None, (claim.statement, claim.outcome, claim.population, *claim.outcome_terms,
                                  *claim.support_terms)))
    topic = frozenset(stems(text) - _GENERIC - agent_stems)
    return Concepts(intervention, comparator, tuple(t.lower() for t in claim.outcome_terms), topic,
                    tuple(t.lower() for t in claim.population_terms))


def _record_text(record: Record) -> str:
    mesh = " ".join(h.descriptor for h in record.mesh)
    abstract = record.abstract or " ".join(s.text for s in record.abstract_sections)
    return f"{record.title} {abstract} {' '.join(record.keywords)} {mesh}".lower()


def on_topic(claim: Claim, record: Record, c: Concepts | None = None) -> tuple[bool, str]:
    """(about the claim?, why not): it names the intervention (or comparator) and the outcome or subject."""
    c = c or concepts(claim)
    whole = _record_text(record)
    if c.intervention and not any(t in whole for t in c.intervention) and not any(
            mentions(t, whole) for t in c.comparator):
        return False, f"the record never mentions {' or '.join(c.intervention)}"
    if c.outcome:
        if any(mentions(t, whole) for t in c.outcome):
            return True, ""
        return False, (f"the record names none of the claim's outcome terms ({', '.join(c.outcome[:5])}); "
                       "it is about another outcome")
    shared = c.topic & stems(whole)
    if c.topic and not shared:
        return False, f"the record never mentions the claim's subject ({', '.join(sorted(c.topic)[:6])})"
    return True, ""


def names_outcome(c: Concepts, text: str) -> bool:
    """The text names one of the claim's outcome terms."""
    low = text.lower()
    return any(mentions(t, low) for t in c.outcome)


def about_other_outcome(c: Concepts, text: str) -> bool:
    """The text names an outcome that is not the claim's ("self-rated anxiety", "function", "depression")."""
    for m in _OUTCOME_NOUNS.finditer(text):
        word = m.group(0).lower()
        if not any(mentions(t, word) or word.startswith(t) for t in c.outcome) and word[:6] not in c.topic:
            return True
    return False


def sentence_weight(c: Concepts, sentence: str) -> float:
    """How much a sentence speaks to the claim: its outcome named 2, its subject 1, only the agent 0.3."""
    low = sentence.lower()
    if c.outcome and any(mentions(t, low) for t in c.outcome):
        return 2.0
    overlap = len(c.topic & stems(low))
    if overlap >= 2 or (overlap == 1 and not c.outcome):
        return 1.0 + 0.25 * min(overlap - 1, 4)
    if overlap == 1:
        return 0.6
    if c.intervention and any(t in low for t in c.intervention):
        return 0.3
    return 0.15


def scope(claim: Claim, record: Record) -> str:
    """"" when the study is direct evidence for the claim; else why it is indirect."""
    text = f"{record.title} {record.abstract}"
    if claim.clinical and _HEALTHY.search(text) and not _VS_HEALTHY.search(text):
        return "another population: healthy volunteers"
    return ""
