"""Offline MeSH: the words of an article mapped to MeSH 2024 descriptors, and back to search terms.

The table (``mesh2024.tsv.gz``, built by scripts/build_mesh_table.py, licence and changes in
MESH.md) holds 25,746 descriptors of the categories a health article speaks of, each with its
entry terms ("Vitamin C" -> Ascorbic Acid, "Refractory Depression" -> Depressive Disorder,
Treatment-Resistant). Matching is the longest run of words that is an entry term, after the
same normalisation on both sides (case, hyphens, a plural last word), so "treatment-resistant
depression" and "Treatment Resistant Depression" meet.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = ["MESH_VERSION", "Descriptor", "ConceptMatch", "Mesh", "load_mesh", "normalize_words"]

MESH_VERSION = "MeSH 2024"
_TABLE = "mesh2024.tsv.gz"
_WORD = re.compile(r"[A-Za-z0-9]+")
MAX_WORDS = 8

# Descriptors whose entry terms are everyday words ("treatment" -> Therapeutics, "role" ->
# Role, "patients" -> Patients): matching them would make every sentence look medical and
# would put a meaningless block into a query.
GENERIC = frozenset({
    "Therapeutics", "Patients", "Research", "Disease", "Syndrome", "Time", "Methods", "Persons", "Humans",
    "Pharmaceutical Preparations", "Role", "Light", "Work", "Rest", "Health", "Data", "Knowledge", "Motivation",
    "Physicians", "Health Personnel", "Pressure", "Administration, Intravenous", "Signs and Symptoms",
    "Recognition, Psychology", "Achievement", "Attention", "Family", "Life", "Comprehension", "Friends",
    "Intelligence", "Self Report", "Men", "Women", "Population", "Body Weight", "Weights and Measures",
    "Safety", "Dosage Forms", "Water", "Gold", "Iron", "Cold Temperature", "Hot Temperature", "Temperature",
    "Exercise", "Diet", "Sleep", "Emotions", "Learning", "Memory", "Cognition", "Stress, Psychological",
    "Energy Metabolism", "Habits", "Behavior", "Drug Therapy", "Medicine", "Hospitals", "Pain",
    "Inflammation", "Blood", "Brain", "Heart", "Skin", "Face", "Hand", "Head", "Arm", "Eye", "Hair",
    "Environment", "Nature", "Bathing Beds", "Aging", "Longevity", "Wound Healing", "Immune System",
    "Emergencies", "Mental Disorders", "Neoplasms", "Quality of Life", "Prevalence", "Risk", "Incidence",
    "Anxiety", "Depression", "Fatigue", "Oxygen", "Vitamins", "Nutrients", "Infusions, Intravenous",
    "Hospitalization", "Surgical Procedures, Operative", "Hypersensitivity", "Infections", "Toxins, Biological",
    "Chronic Disease", "Mood Disorders", "Recovery of Function", "Death", "Mortality", "Survival",
})
# Everyday words that are also entry terms ("who" -> World Health Organization, "lead" -> the metal,
# "burns" -> the injury): as single lower-case words in prose they almost never mean the heading.
COMMON_WORDS = frozenset({
    "who", "lead", "leads", "will", "ability", "thought", "thoughts", "play", "plays", "saving", "need", "needs",
    "administration", "growth", "solution", "solutions", "feeling", "feelings", "role", "science", "method",
    "methods", "report", "reports", "work", "works", "light", "rest", "time", "help", "care", "understanding",
    "burns", "burn", "general", "control", "support", "body", "form", "forms", "set", "state", "cells", "point",
    "culture", "cure", "exposure", "length", "weight", "range", "signal", "signals", "balance", "touch",
    "pressure", "comfort", "energy", "power", "running", "walking", "swimming", "reading", "writing",
    "sense", "sight", "hearing", "taste", "smell", "vision", "speech", "language", "habit", "affect", "affects",
    "affected", "production", "sensation", "sensations", "conjunction", "practice", "response", "responses",
    "process", "delivery", "conditions", "condition", "host", "reflex", "core", "back",
})
# Descriptors above that still count as health words (so a sentence about pain or sleep is
# about health) even though they are too broad to stand alone as a reason to keep it.
_BROAD_HEALTH = frozenset({
    "Pain", "Inflammation", "Blood", "Brain", "Heart", "Skin", "Sleep", "Memory", "Cognition", "Anxiety",
    "Depression", "Fatigue", "Wound Healing", "Immune System", "Mental Disorders", "Neoplasms", "Quality of Life",
    "Prevalence", "Risk", "Incidence", "Stress, Psychological", "Emotions", "Learning", "Attention",
    "Energy Metabolism", "Aging", "Hypersensitivity", "Infections", "Chronic Disease", "Mood Disorders",
    "Diet", "Exercise", "Oxygen", "Vitamins", "Infusions, Intravenous", "Cold Temperature", "Hot Temperature",
    "Drug Therapy", "Surgical Procedures, Operative", "Hospitalization", "Death", "Mortality", "Survival",
    "Body Weight", "Recovery of Function", "Toxins, Biological", "Pressure",
})


# Headings outside C and F03 that articles treat as conditions ("symptoms of anxiety and depression").
_SYMPTOMS = frozenset({"Depression", "Anxiety", "Stress, Psychological", "Sleep Initiation and Maintenance Disorders"})


@dataclass(frozen=True)
class Descriptor:
    ui: str
    name: str
    trees: tuple[str, ...]  # tree heads: "C10", "F03", "D02"...
    terms: tuple[str, ...]  # entry terms (not the preferred name)
    abbreviations: tuple[str, ...]

    @property
    def categories(self) -> frozenset[str]:
        return frozenset(t[:1] for t in self.trees)

    @property
    def disorder(self) -> bool:
        """A disease, injury, sign or mental disorder (MeSH C, F03), or a symptom a treatment claims to relieve."""
        return "C" in self.categories or "F03" in self.trees or self.name in _SYMPTOMS

    @property
    def substance(self) -> bool:
        return "D" in self.categories

    @property
    def procedure(self) -> bool:
        return "E" in self.categories

    @property
    def generic(self) -> bool:
        return self.name in GENERIC

    @property
    def health(self) -> bool:
        """A health concept: a disorder, drug, procedure, body part, function or mind (A, C-G, N)."""
        if self.name in GENERIC:
            return self.name in _BROAD_HEALTH
        return bool(self.categories & set("ACDEFGN"))


@dataclass(frozen=True)
class ConceptMatch:
    start: int  # character offsets in the text matched
    end: int
    surface: str  # the article's own words
    descriptor: Descriptor


def _fold(word: str) -> str:
    """A plural last word folds to its singular form: "receptors" -> "receptor", "therapies" -> "therapi"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "i"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def normalize_words(text: str) -> tuple[str, ...]:
    """Lower-case words, a possessive dropped, the last word singular: the form terms are compared in."""
    words = _WORD.findall(text.lower().replace("’s", "").replace("'s", ""))
    if words:
        words[-1] = _fold(words[-1])
    return tuple(words)


def _natural(term: str) -> str:
    """"Deficiency, Vitamin C" -> "Vitamin C Deficiency": MeSH's inverted order as prose writes it."""
    head, sep, tail = term.partition(", ")
    return f"{tail} {head}" if sep and "," not in tail else term


class Mesh:
    """Entry term -> descriptors, and a longest-match scanner over text.

    Descriptors are built from their table line only when a lookup meets them: the index is
    all that loading pays for (about 100,000 keys).
    """

    def __init__(self, lines: dict[str, str]):
        self._lines = lines
        self._built: dict[str, Descriptor] = {}
        self._index: dict[tuple[str, ...], list[str]] = {}
        self._abbreviations: dict[str, list[str]] = {}
        self.by_name: dict[str, str] = {}
        for ui, line in lines.items():
            _ui, name, _trees, terms, abbreviations = (line.split("\t") + ["", "", "", ""])[:5]
            self.by_name[name.lower()] = ui
            for term in {name, *terms.split("|")} - {""}:
                forms = (term, _natural(term)) if ", " in term else (term,)
                for form in forms:
                    key = normalize_words(form)
                    if key and len(key) <= MAX_WORDS:
                        bucket = self._index.setdefault(key, [])
                        if ui not in bucket:
                            bucket.append(ui)
            for abbreviation in abbreviations.split("|"):
                if len(abbreviation) >= 3 and abbreviation.isupper():
                    self._abbreviations.setdefault(abbreviation, []).append(ui)

    def descriptor(self, ui: str) -> Descriptor:
        if ui not in self._built:
            self._built[ui] = _parse(self._lines[ui])
        return self._built[ui]

    def named(self, name: str) -> Descriptor | None:
        ui = self.by_name.get(name.lower())
        return self.descriptor(ui) if ui else None

    def _best(self, uis: list[str]) -> Descriptor:
        found = [self.descriptor(ui) for ui in uis]
        best = next((d for d in found if not d.generic), found[0])
        # A discipline (H) named like the therapy it practises: an article's "acupuncture" is the
        # treatment (Acupuncture Therapy, E02), not the profession (Acupuncture, H02).
        if best.categories == {"H"} and (therapy := self.named(f"{best.name} Therapy")) is not None:
            return therapy
        return best

    def lookup(self, phrase: str) -> Descriptor | None:
        """The descriptor a phrase names (exact entry term after normalisation), preferring non-generic ones."""
        found = self._index.get(normalize_words(phrase))
        return self._best(found) if found else None

    def scan(self, text: str, aliases: dict[str, Descriptor] | None = None) -> list[ConceptMatch]:
        """Every concept in ``text``, longest match first, left to right, never overlapping."""
        spans = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
        out: list[ConceptMatch] = []
        i = 0
        while i < len(spans):
            found = None
            for n in range(min(MAX_WORDS, len(spans) - i), 0, -1):
                start, end = spans[i][0], spans[i + n - 1][1]
                descriptor = self._match(text[start:end], spans[i][2] if n == 1 else None, aliases)
                if descriptor is not None:
                    found = ConceptMatch(start, end, text[start:end], descriptor)
                    i += n
                    break
            if found is None:
                i += 1
            else:
                out.append(found)
        return out

    def _match(self, phrase: str, single: str | None, aliases: dict[str, Descriptor] | None) -> Descriptor | None:
        if single is not None:
            if aliases and single in aliases:
                return aliases[single]
            if single.isupper() and single in self._abbreviations:
                return self.descriptor(self._abbreviations[single][0])
            if len(single) < 3 or single.isdigit() or (single.lower() in COMMON_WORDS and not single.isupper()):
                return None
        found = self._index.get(normalize_words(phrase))
        return self._best(found) if found else None


def _parse(line: str) -> Descriptor:
    ui, name, trees, terms, abbreviations = (line.rstrip("\n").split("\t") + ["", "", "", ""])[:5]
    split = lambda s: tuple(t for t in s.split("|") if t)  # noqa: E731
    return Descriptor(ui, name, tuple(t for t in trees.split(",") if t), split(terms), split(abbreviations))


@lru_cache(maxsize=1)
def load_mesh() -> Mesh:
    """The packaged table, read once per process (about a second)."""
    with resources.files("evidence.propose").joinpath(_TABLE).open("rb") as raw, gzip.open(raw, "rt",
                                                                                         encoding="utf-8") as f:
        return Mesh({line.split("\t", 1)[0]: line.rstrip("\n") for line in f if line.strip()})
