"""In whom a study was done: human, animal, in-vitro, mixed or unknown, with the reason.

MeSH check tags decide when the record is indexed. Without them (recent or unindexed
records) the title and abstract are read: the people, animals or cultures they name, and,
when they name none, the clinical words that only a study of people uses (a disorder, a
clinical rating scale) or the clinical design the classifier has found.
"""

from __future__ import annotations

import re

from evidence.models import Record

__all__ = ["ANIMAL_WORDS", "IN_VITRO", "IN_VIVO", "species_of"]

_FLAGS = re.IGNORECASE
_IN_VITRO_MESH = ("Cells, Cultured", "Cell Line", "Cell Line, Tumor", "In Vitro Techniques", "Tumor Cells, Cultured")

_HUMAN_TEXT = re.compile(r"\b(?:patients?|participants?|volunteers?|subjects|women|men|adults|children|"
                         r"infants|adolescents|individuals|persons|people|outpatients|inpatients|humans|"
                         r"(?:drug|\w+) users|non-?users|smokers|respondents|veterans|students|workers|employees|"
                         r"nurses|physicians|soldiers|athletes|mothers|pregnant women|elderly|"
                         r"in (?:healthy )?human (?:subjects|brain|volunteers))\b", _FLAGS)
# Species words; "animals" and "rodents" are left out of ANIMAL_WORDS because reviews use them
# in passing ("effects seen in animals"), while experiments name their species.
ANIMAL_WORDS = (r"rats?|mice|mouse|murine|cats?|feline|primates?|monkeys?|macaques?|marmosets?|dogs|canine|"
                r"pigs?|piglets?|porcine|rabbits?|zebrafish|sheep|ovine|bovine|cattle|hamsters?|"
                r"guinea pigs?|ferrets?|drosophila|c\. elegans|xenopus|chicks?")
_ANIMAL_TEXT = re.compile(rf"\b(?:{ANIMAL_WORDS}|rodents?|animal models?|animal data|in animals)\b", _FLAGS)
# Cells or tissue kept alive outside the body; a drug applied as a bath concentration.
IN_VITRO = re.compile(
    r"\b(?:in vitro|cell lines?|cultured (?:[\w-]+ ){0,2}(?:cells|neurons|neurones|astrocytes|slices|"
    r"cardiomyocytes|hepatocytes|tissue)|cell cultures?|HEK ?293|HeLa|organoids?|primary cultures?|"
    r"(?:brain|hippocampal|cortical|spinal|acute|organotypic) slices?|slice preparations?|patch[- ]clamp|"
    r"bath[- ]appli\w+|(?:iPSC|stem[- ]cell)-derived|induced pluripotent|oocytes)\b|"
    r"\d\s*(?:µM|μM|uM|nM|mM)\b|\bconcentrations?\b[^.;]{0,100}\bcells\b", _FLAGS)
# Signs the animal itself was treated or observed alive.
IN_VIVO = re.compile(r"\b(?:in vivo|mg/kg|awake|freely moving|behaviou?r(?:al)?|[\w-]+-like|microdialysis|"
                     r"intraperitoneal\w*|i\.p\.|injected|stressed|anaestheti[sz]ed|anesthetized)\b", _FLAGS)
# Words only a study of people uses: a psychiatric or pain disorder, a clinical rating scale.
_CLINICAL_TEXT = re.compile(
    r"(?i:\b(?:major depress\w*|depressive disorder|bipolar|schizophreni\w*|suicid\w*|anxiety disorders?|"
    r"social anxiety|fibromyalgia|(?:chronic|neuropathic|cancer) pain|psychiatric|clinical (?:trials?|practice|care)|"
    r"recreational|depressed|dementia|delirium|postoperative)\b)"
    r"|\b(?:MDD|TRD|GAD|SAD|PTSD|OCD|CRPS|MADRS|HDRS|HAM-[AD]|BDI|LSAS|QIDS|MoCA)\b"
)
# What mechanism reviews are about: they draw on animal and human work alike.
_MECHANISM_TEXT = re.compile(r"\b(?:mechanisms?|receptors?|signal(?:l)?ing|pathways?|pharmacolog\w*|"
                             r"neurobiolog\w*|synap\w+|antagonis\w+|metabolites?)\b", _FLAGS)
_PRIMARY_HUMAN_DESIGNS = ("rct", "non-randomized-trial", "cohort", "case-control", "cross-sectional", "case-series",
                          "case-report")
_HUMAN_DESIGNS = (*_PRIMARY_HUMAN_DESIGNS, "meta-analysis", "systematic-review", "guideline")
_DISCUSSION_DESIGNS = ("narrative-review", "editorial")
# Animals as background to a human study: "the rodent prediction", "animal studies", "in animals".
_BACKGROUND = re.compile(r"\b(?:rodents?|animals?|preclinical|rats?|mouse|mice|murine)\b (?:[\w-]+ ){0,2}?"
                         r"(?:predictions?|studies|data|findings|models?|work|literature|evidence|research)\b|"
                         r"\bin (?:animals|rodents)\b", _FLAGS)


def _in_passing(text: str) -> bool:
    """Every animal word sits in a background phrase."""
    spans = [m.span() for m in _BACKGROUND.finditer(text)]
    return all(any(s <= m.start() and m.end() <= e for s, e in spans) for m in _ANIMAL_TEXT.finditer(text))


def _quote(m: re.Match[str]) -> str:
    return m.group(0).strip()


def species_of(record: Record, design: str | None = None) -> tuple[str, str]:
    """Species and reason; ``design`` (when already known) lets a clinical design imply people."""
    descriptors = {h.descriptor for h in record.mesh}
    humans, animals = "Humans" in descriptors, "Animals" in descriptors
    vitro = sorted(descriptors.intersection(_IN_VITRO_MESH))
    text = f"{record.title} {record.abstract}"
    if humans and animals:
        return "mixed", 'MeSH check tags "Humans" and "Animals"'
    if humans:
        if vitro and not _HUMAN_TEXT.search(text):
            return "in-vitro", f'MeSH "Humans" with "{vitro[0]}" and no patients in the abstract'
        return "human", 'MeSH check tag "Humans"'
    if animals:
        return "animal", 'MeSH check tag "Animals"'
    if vitro:
        return "in-vitro", f'MeSH heading "{vitro[0]}"'
    return _from_text(text, design)


def _from_text(text: str, design: str | None) -> tuple[str, str]:
    h, a, v = _HUMAN_TEXT.search(text), _ANIMAL_TEXT.search(text), IN_VITRO.search(text)
    if a and v and not h:
        # "cultured murine neurons", "rat hippocampal slices": animal tissue studied outside the body;
        # with living animals treated too, an animal study. Never "mixed", which means human data.
        alive = IN_VIVO.search(text)
        if alive:
            return "animal", f'no MeSH check tags; text says "{_quote(a)}", treated alive ("{_quote(alive)}")'
        return "in-vitro", f'no MeSH check tags; text says "{_quote(v)}" (tissue from "{_quote(a)}", no in-vivo cue)'
    if a and h and design in _PRIMARY_HUMAN_DESIGNS and _in_passing(text):
        # A trial of patients that mentions "the rodent prediction" in passing is a human study.
        return "human", f'no MeSH check tags; a {design} of "{_quote(h)}" (animals named only as background)'
    found = [(k, m) for k, m in (("human", h), ("animal", a), ("in-vitro", v)) if m]
    if len(found) == 1:
        kind, m = found[0]
        return kind, f'no MeSH check tags; text says "{_quote(m)}"'
    if a is None and h is not None and v is not None:
        # Human participants whose samples were assayed in the lab: a clinical study.
        return "human", f'no MeSH check tags; text says "{_quote(h)}" (and "{_quote(v)}")'
    if found:
        words = ", ".join(f'"{_quote(m)}"' for _, m in found)
        return "mixed", f"no MeSH check tags; text names {words}"
    clinical = _CLINICAL_TEXT.search(text)
    if clinical:
        return "human", f'no MeSH check tags; text names "{_quote(clinical)}", a condition or measure of people'
    if design in _HUMAN_DESIGNS:
        return "human", f"no MeSH check tags and no species named; a {design} is a study of people"
    mechanism = _MECHANISM_TEXT.search(text)
    if design in _DISCUSSION_DESIGNS and mechanism:
        return "mixed", (f'no MeSH check tags; a {design} on "{_quote(mechanism)}" naming no species draws on '
                         "animal and human work")
    return "unknown", "no MeSH check tags and no species named in the title or abstract"
