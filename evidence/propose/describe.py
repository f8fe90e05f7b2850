"""A chosen quote described in the registry's terms: kind, polarity, modality, PICO, quantities, statement.

Every field is read from the article's words with the cues in ``evidence.propose.cues`` and the
MeSH concepts of the quote; nothing is looked up elsewhere. The values come from the registry's
own vocabularies (``evidence.vocabulary``), so a draft always passes ``evidence check``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from evidence.models import Quantity
from evidence.propose import cues
from evidence.propose.chooser import Topic
from evidence.propose.mesh import ConceptMatch
from evidence.vocabulary import BOUNDS, KINDS, MODALITIES, POLARITIES, QUANTITY_KINDS, UNITS

__all__ = ["Description", "describe", "quantities", "statement"]


@dataclass(frozen=True)
class Description:
    kind: str
    polarity: str
    modality: str
    statement: str
    intervention: str | None = None
    outcome: str | None = None
    population: str | None = None
    comparator: str | None = None
    quantities: tuple[Quantity, ...] = ()
    reasons: tuple[str, ...] = field(default=())  # how kind and polarity were decided


_POPULATION = re.compile(
    r"\b(?:in|for|among|of)\s+((?:(?:older|young|healthy|pregnant)\s+)?(?:patients|people|individuals|adults|children"
    r"|women|men|athletes|divers|users|smokers)(?:\s+(?:with|who|at)\s+[^,.;:]+?)?)(?=\s+(?:often|have|has|are|is"
    r"|do|does|can|may|should|experience|take)\b|[,.;:]|$)", re.I)
_POPULATION_SUBJECT = re.compile(r"\b((?:patients|people|individuals|adults|children|women|men)\s+(?:with|who)"
                                 r"\s+[^,.;:]+?)\s+(?:should|must|are|have|often|take|can)\b", re.I)
_COMPARATOR = re.compile(r"\b(?:unlike|compared (?:with|to)|than)\s+((?:the\s+)?[^,.;:()]{3,60})", re.I)
_BOUND_WORDS = (("up-to", r"up to|as many as|as much as"), ("at-least", r"at least|more than|over|over|>"),
                ("at-most", r"at most|less than|under|fewer than|<"),
                ("about", r"about|approximately|around|nearly|almost|roughly|~"))
_FRACTIONS = {"half": 50.0, "one-third": 33.0, "two-thirds": 67.0, "one-quarter": 25.0, "a-quarter": 25.0,
              "a-third": 33.0}
_TIME = re.compile(
    r"\b(within|in|for|over(?: a period of)?|after|lasting|last(?:s)?(?: for)?|up to)?\s*(\d+(?:\.\d+)?)"
    r"(?:\s*(?:-|–|to)\s*(\d+(?:\.\d+)?))?\s*(minutes?|hours?|days?|weeks?|months?|years?)\b", re.I)
_PROPORTION = re.compile(
    r"(?:\b(?P<bound>up to|as many as|at least|more than|over|less than|about|approximately|around|nearly"
    r"|almost|roughly)\s+)?(?:(?P<pct>\d+(?:\.\d+)?)\s?%|(?P<frac>half|one[- ]third|two[- ]thirds|one[- ]quarter"
    r"|a quarter|a third)|(?P<num>\d+)\s+in\s+(?P<den>\d+))(?:\s+of\s+(?P<of>(?:\w+\s?){1,3}))?", re.I)


def _bound(word: str | None) -> str:
    word = (word or "").lower()
    for bound, pattern in _BOUND_WORDS:
        if re.fullmatch(pattern, word):
            return bound
    return "about"


def quantities(text: str) -> tuple[Quantity, ...]:
    """The proportions, onsets and durations a sentence asserts ("up to 70% of patients", "within 24 hours")."""
    out: list[Quantity] = []
    for m in _PROPORTION.finditer(text):
        if m.group("pct"):
            value = float(m.group("pct"))
        elif m.group("frac"):
            value = _FRACTIONS[m.group("frac").lower().replace(" ", "-")]
        else:
            value = round(100 * float(m.group("num")) / max(float(m.group("den")), 1), 1)
        tail = text[m.end():m.end() + 12].lower()
        if tail.lstrip().startswith(("off", "of the air")):
            continue
        of = " ".join((m.group("of") or "").split()[:3])
        out.append(Quantity(kind="proportion", value=value, unit="%", bound=_bound(m.group("bound")), of=of))
    for m in _TIME.finditer(text):
        unit = m.group(4).lower().rstrip("s") + "s"
        if unit not in UNITS:
            continue
        lead = (m.group(1) or "").lower()
        kind = "onset" if lead in ("within", "in", "after") else "duration"
        bound = "within" if lead == "within" else "up-to" if lead == "up to" else "about"
        value_to = float(m.group(3)) if m.group(3) else None
        out.append(Quantity(kind=kind, value=float(m.group(2)), unit=unit, bound="between" if value_to else bound,
                            value_to=value_to))
    assert all(q.kind in QUANTITY_KINDS and q.bound in BOUNDS for q in out)
    return tuple(out)


def _kind(text: str, concepts: list[ConceptMatch], about_topic: bool) -> tuple[str, str]:
    disorders = [c for c in concepts if c.descriptor.disorder]
    treats = bool(cues.DECREASE.search(text) or cues.EFFICACY.search(text) or re.search(r"\btreat|heal|cure|reliev",
                                                                                          text, re.I))
    if cues.CONTRAINDICATION.search(text) or re.search(r"side[- ]effects?|adverse|unsafe|not safe|toxic|overload",
                                                       text, re.I):
        return "safety", "names a side effect, a harm or a contraindication"
    if cues.NO_EFFECT.search(text) and cues.SAFETY.search(text):
        return "safety", "says something is safe or harmless"
    if about_topic and disorders and (cues.CAUSE.search(text) or cues.INCREASE.search(text)) and not treats:
        return "safety", "the subject causes or worsens a disorder"
    if cues.EPIDEMIOLOGY.search(text) and not cues.PHARMACOLOGY.search(text):
        if re.search(r"\b(improv\w*|relie\w*|benefit\w*|recover\w*|respond(?:ed)? well)\b", text, re.I):
            return "efficacy", "gives the rate of a benefit"
        return "epidemiology", "gives a rate or prevalence"
    if cues.PHARMACOLOGY.search(text) and not disorders:
        return "pharmacology", "about the drug itself: class, dose, route, absorption"
    sick = disorders or re.search(r"\b(?:individuals|people|patients|adults|children) with\b", text, re.I)
    if not about_topic and sick and re.search(r"\b(levels?|lower|higher|deficien\w*|associated)\b", text, re.I):
        return "pathophysiology", "about the disorder, not the treatment"
    if about_topic and re.search(r"\brisks? of\b", text, re.I):
        return ("efficacy", "lowers a risk") if cues.DECREASE.search(text) else ("safety", "raises a risk")
    if re.search(r"\b(due to (?:its|the)|by (?:blocking|activating|increasing|decreasing|inhibiting|stimulating)"
                 r"|mechanisms?|works? by|related to its ability)\b", text, re.I):
        return "mechanism", "says how it works"
    if re.search(r"\b(effective|efficacy|effectiveness)\b", text, re.I):
        return "efficacy", "says it works"
    people = bool(_POPULATION.search(text) or _POPULATION_SUBJECT.search(text) or cues.EVIDENCE.search(text))
    if cues.MECHANISM.search(text) and not (disorders and treats):
        return "mechanism", "a biological effect, not a clinical outcome"
    if disorders or people:
        return "efficacy", "the subject improves an outcome in people"
    return "mechanism", "a biological effect, not a clinical outcome"


def _polarity(text: str, kind: str) -> str:
    if kind == "safety":
        safe = cues.NO_EFFECT.search(text) and not re.search(r"not safe|unsafe", text, re.I)
        return "no-effect" if safe else "effect"
    if kind in ("mechanism", "efficacy", "pathophysiology"):
        up, down = cues.INCREASE.search(text), cues.DECREASE.search(text)
        if up and (not down or up.start() < down.start()):
            return "increase"
        if down:
            return "decrease"
    return "effect"


def _modality(text: str) -> str:
    if cues.CONTRAINDICATION.search(text):
        return "normative"
    if cues.EXCLUSIVE.search(text):
        return "exclusive"
    if cues.HEDGE.search(text):
        return "hedged"
    return "asserted"


def statement(words: str, topic: Topic) -> str:
    """The claim in neutral words: no lead-in ("Studies have shown that"), no intensifier, pronouns resolved."""
    text = " ".join(words.split()).strip().rstrip(":;,")
    for _ in range(3):
        text = cues.LEAD_IN.sub("", text, count=1)
    text = re.sub(r"^(?:although|though|but|yet|which is why|and|while)\s+", "", text, flags=re.I)
    text = re.sub(r"^(?:it|the drug|the treatment|the therapy|this therapy|this treatment)\b(?!,)", topic.phrase,
                  text, count=1, flags=re.I)
    text = cues.INTENSIFIER.sub("", text)
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!")) else text.rstrip("?") + "."


def describe(words: str, concepts: list[ConceptMatch], topic: Topic, intervention: str | None) -> Description:
    about_topic = intervention is not None
    kind, why_kind = _kind(words, concepts, about_topic)
    polarity = _polarity(words, kind)
    outcomes = [re.sub(r"[’']s$", "", c.surface) for c in sorted(concepts, key=lambda c: c.descriptor.generic)
                if re.sub(r"[’']s$", "", c.surface.lower()) not in (intervention or "").lower() and c.descriptor.health]
    population = _POPULATION.search(words) or _POPULATION_SUBJECT.search(words)
    comparator = _COMPARATOR.search(words)
    assert kind in KINDS and polarity in POLARITIES
    modality = _modality(words)
    assert modality in MODALITIES
    return Description(
        kind=kind, polarity=polarity, modality=modality, statement=statement(words, topic),
        intervention=intervention, outcome="; ".join(dict.fromkeys(o.lower() for o in outcomes[:3])) or None,
        population=" ".join(population.group(1).split()) if population else None,
        comparator=" ".join(comparator.group(1).split()) if comparator else None,
        quantities=quantities(words), reasons=(f"kind {kind}: {why_kind}", f"polarity {polarity}"),
    )
