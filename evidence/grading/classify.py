"""Study classification: what kind of study a PubMed record is, in whom, how large.

``classify(record)`` returns a :class:`StudyClass` whose every label carries the
reason it was given, so a reviewer can check it against the abstract.

Sources, best first: PubMed's publication types (set by NLM indexers), MeSH
descriptors and check tags, then the title and abstract text. The text rules matter:
recent records (status Publisher / In-Process / PubMed-not-MEDLINE) have no indexing
yet, and a randomised trial must still be recognised as one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from evidence.models import Record
from evidence.vocabulary import RETRACTED_TYPE, RETRACTION_LINK, TIERS

__all__ = ["StudyClass", "classify", "design_from_publication_types"]



@dataclass(frozen=True)
class StudyClass:
    """Design, tier, species and size of one study, each with its reason."""

    design: str
    design_reason: str
    tier: int
    species: str
    species_reason: str
    n: int | None = None
    n_reason: str = ""
    retracted: bool = False
    retracted_reason: str = ""
    expression_of_concern: bool = False
    concern_reason: str = ""
    pooled: str | None = None  # for reviews: "rcts" or "observational" when the abstract says
    notice: bool = False  # a retraction notice, erratum or expression of concern itself
    # What the study says of its own evidence: the certainty a review states ("very-low-certainty
    # evidence" -> "very-low"), and self-declared limits ("pilot", "underpowered", "small sample").
    stated_certainty: str | None = None
    limitations: tuple[str, ...] = ()


# --- publication types --------------------------------------------------------------

_NOTICE_TYPES = ("Retraction of Publication", "Published Erratum", "Expression of Concern", "Retraction Notice")
_TRIAL_TYPES = ("Controlled Clinical Trial", "Clinical Trial", "Clinical Trial, Phase I", "Clinical Trial, Phase II",
                "Clinical Trial, Phase III", "Clinical Trial, Phase IV", "Pragmatic Clinical Trial",
                "Equivalence Trial", "Adaptive Clinical Trial", "Clinical Trial, Veterinary")
# Ordered: the first match decides. A meta-analysis tagged "Review" is a meta-analysis.
_PT_ORDER: tuple[tuple[str, str], ...] = (
    ("Meta-Analysis", "meta-analysis"), ("Systematic Review", "systematic-review"),
    ("Randomized Controlled Trial", "rct"), ("Randomized Controlled Trial, Veterinary", "rct"),
    *((t, "non-randomized-trial") for t in _TRIAL_TYPES),
    ("Practice Guideline", "guideline"), ("Guideline", "guideline"),
    ("Consensus Development Conference, NIH", "guideline"), ("Consensus Development Conference", "guideline"),
    ("Case Reports", "case-report"), ("Review", "narrative-review"),
    ("Editorial", "editorial"), ("Comment", "editorial"), ("Letter", "editorial"),
)
_OTHER_TYPES = ("News", "Newspaper Article", "Interview", "Biography", "Portrait", "Historical Article",
                "Congress", "Bibliography", "Patient Education Handout", "Personal Narrative", "Video-Audio Media")


def design_from_publication_types(pts: tuple[str, ...] | list[str]) -> tuple[str, str] | None:
    """The design PubMed's own publication types imply, or None when they say nothing.

    Used by ``classify`` and, as ground truth, by ``bench/designs.py``.
    """
    for pt in pts:
        if pt in _NOTICE_TYPES:
            return "other", f'publication type "{pt}": a notice, not a study'
    for name, design in _PT_ORDER:
        if name in pts:
            return design, f'publication type "{name}"'
    for name in _OTHER_TYPES:
        if name in pts:
            return "other", f'publication type "{name}"'
    return None


# --- text cues ----------------------------------------------------------------------

_FLAGS = re.IGNORECASE
_RANDOM = re.compile(
    r"randomi[sz]ed[ ,-]+(?:double|single|triple|controlled|clinical|placebo|crossover|cross-over|"
    r"parallel|multi-?cent|open|pilot|phase|trial|comparative|prospective|sham|study)[\w-]*"
    r"|randomly (?:assigned|allocated|divided|selected to receive)|were randomi[sz]ed|"
    r"underwent randomi[sz]ation|randomi[sz]ation (?:to|was)|randomi[sz]ed (?:\d+|to)\b",
    _FLAGS,
)
_META = re.compile(r"meta-?\s?analy[sz](?:is|es|ed)|pooled analysis of (?:\d+|data from)", _FLAGS)
_META_OWN = re.compile(
    r"(?:this|our|present|updated|a|we (?:performed|conducted|undertook|carried out|did))\s+"
    r"(?:systematic review and |network |bayesian |cumulative |individual[- ]patient[- ]data )?"
    r"meta-?\s?analy[sz]is|systematic review and (?:network )?meta-?\s?analy[sz]is|meta-?analy[sz]is of|"
    r"(?:were|was) (?:pooled|meta-analy[sz]ed)|random[- ]effects? (?:model|meta)",
    _FLAGS,
)
_SR = re.compile(
    r"systematic(?:ally)? (?:review|search|literature)|(?:searched|search of) (?:the )?(?:pubmed|medline|"
    r"embase|cochrane|web of science|scopus|cinahl|electronic databases)|PRISMA|"
    r"(?:studies|trials|articles) (?:were|met) (?:included|the inclusion)|search strategy|"
    r"(?:register|databases?) (?:was|were) searched",
    _FLAGS,
)
_TEXT_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("non-randomized-trial", re.compile(
        r"non-?randomi[sz]ed (?:controlled |clinical )?(?:trial|study)|single[- ]arm|quasi-?experimental|"
        r"open-label,? (?:phase|pilot|uncontrolled)|phase (?:i|ii|1|2|1b|2a|i/ii) (?:trial|study)|"
        r"uncontrolled (?:trial|study)|controlled before[- ]and[- ]after", _FLAGS)),
    ("case-control", re.compile(r"case[- ]control|matched controls", _FLAGS)),
    ("cohort", re.compile(
        r"cohort|prospective(?:ly)? (?:study|studies|observational|follow|collected|enrolled|recruited)|"
        r"retrospective(?:ly)? (?:study|analysis|review|chart|cohort|observational)|longitudinal (?:study|data)|"
        r"population-based study|followed (?:up )?for (?:a median of )?\d", _FLAGS)),
    ("cross-sectional", re.compile(r"cross-?sectional|(?:online|national|questionnaire) survey|"
                                   r"surveyed|prevalence study", _FLAGS)),
    ("case-report", re.compile(
        r"case report|we (?:report|describe|present) (?:a|an|the|one) (?:case|patient|rare|unusual|\d+-year-old)|"
        r"^(?:a|an) \d+-year-old (?:man|woman|male|female|boy|girl|patient)", _FLAGS | re.MULTILINE)),
    ("case-series", re.compile(r"case series|series of \d+ (?:patients|cases)|we (?:report|describe|present) "
                               r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten) (?:cases|patients)", _FLAGS)),
    ("guideline", re.compile(r"guideline|consensus statement|position statement|recommendations? (?:of|from) the",
                             _FLAGS)),
    ("narrative-review", re.compile(r"\breview\b|overview|we discuss|state of the art", _FLAGS)),
)
_NOTICE_TITLE = re.compile(r"^\s*\[?(?:retraction|notice of retraction|erratum|correction|corrigendum|"
                           r"expression of concern)\s*(?::|to\b|notice|$)", _FLAGS)
_EDITORIAL_TITLE = re.compile(r"^\s*(?:re:|reply|response to|comment on|in reply)|\bletter\b|editorial", _FLAGS)

_MESH_DESIGN: tuple[tuple[str, str], ...] = (
    ("Case-Control Studies", "case-control"), ("Cohort Studies", "cohort"), ("Prospective Studies", "cohort"),
    ("Longitudinal Studies", "cohort"), ("Retrospective Studies", "cohort"), ("Follow-Up Studies", "cohort"),
    ("Cross-Sectional Studies", "cross-sectional"),
)


def _quote(m: re.Match[str]) -> str:
    return m.group(0).strip()


def _design(record: Record) -> tuple[str, str, str | None]:
    pts = record.publication_types
    text = f"{record.title}\n{record.abstract}"
    from_pt = design_from_publication_types(pts)
    if from_pt and from_pt[0] == "other" and "notice" in from_pt[1]:
        return from_pt[0], from_pt[1], None
    if _NOTICE_TITLE.search(record.title):
        return "other", f'title "{record.title[:60]}" is a notice (retraction/erratum), not a study', None
    if from_pt:
        design, reason = from_pt
        if design in ("meta-analysis", "systematic-review"):
            return design, reason, _pooled(record.abstract)
        if design == "non-randomized-trial":
            m = _own_trial(text)
            if m:
                return "rct", f'{reason} and abstract says "{_quote(m)}"', None
        if design == "narrative-review":  # pre-2019 systematic reviews were typed only "Review"
            m = _META_OWN.search(text) or (_META.search(record.title) if record.title else None)
            if m:
                return "meta-analysis", f'{reason} and text says "{_quote(m)}"', _pooled(record.abstract)
            m = _SR.search(text)
            if m:
                return "systematic-review", f'{reason} and text says "{_quote(m)}"', _pooled(record.abstract)
        if design != "other" or not record.abstract:
            return design, reason, None
    for heading, design in _MESH_DESIGN:
        if any(h.descriptor == heading for h in record.mesh):
            # MeSH design headings are weaker than the trial/review cues in the text.
            m = _own_trial(text)
            if m:
                return "rct", f'abstract says "{_quote(m)}"', None
            return design, f'MeSH heading "{heading}"', None
    return _design_from_text(record)


def _design_from_text(record: Record) -> tuple[str, str, str | None]:
    text = f"{record.title}\n{record.abstract}"
    title_meta = _META.search(record.title)
    m = title_meta or _META_OWN.search(record.abstract)
    if m:
        return "meta-analysis", f'{"title" if title_meta else "abstract"} says "{_quote(m)}"', _pooled(record.abstract)
    m = _SR.search(text)
    if m:
        return "systematic-review", f'text says "{_quote(m)}"', _pooled(record.abstract)
    m = _REVIEW_OWN.search(text)
    if m:
        return "narrative-review", f'text says "{_quote(m)}"', None
    m = _own_trial(text)
    if m:
        return "rct", f'abstract says "{_quote(m)}"', None
    for design, pattern in _TEXT_RULES:
        if design == "narrative-review":
            m = pattern.search(record.title) or (pattern.search(record.abstract) if not _has_results(record) else None)
        else:
            m = pattern.search(text)
        if m:
            return design, f'text says "{_quote(m)}"', None
    if not record.abstract and _EDITORIAL_TITLE.search(record.title):
        return "editorial", "no abstract and the title reads as a letter or comment", None
    if not record.abstract:
        return "other", "no publication type and no abstract to classify from", None
    return "other", "no design stated in the publication types or the abstract", None


_REVIEW_OWN = re.compile(r"\b(?:this|the present|in this|our) (?:narrative )?review\b|\bwe review\b", _FLAGS)


def _own_trial(text: str) -> re.Match[str] | None:
    """A randomisation cue about this study, not "randomized trials" cited or pooled."""
    for m in _RANDOM.finditer(text):
        after = text[m.end():m.end() + 12].lower()
        if re.search(r"non-?randomi", text[max(0, m.start() - 4):m.end()], _FLAGS):
            continue
        if m.group(0).lower().endswith(("trials", "studies")) or after.startswith(("s ", "s,", "s.", " trials")):
            continue
        return m
    return None


def _has_results(record: Record) -> bool:
    return any((s.nlm_category or "").upper() in ("RESULTS", "METHODS") for s in record.abstract_sections)


def _pooled(abstract: str) -> str | None:
    if re.search(r"randomi[sz]ed (?:controlled |clinical )?(?:trials|studies)|\bRCTs\b", abstract, _FLAGS):
        return "rcts"
    if re.search(r"observational|cohort|case-control|cross-sectional", abstract, _FLAGS):
        return "observational"
    return None


# --- species ------------------------------------------------------------------------

_IN_VITRO_MESH = ("Cells, Cultured", "Cell Line", "Cell Line, Tumor", "In Vitro Techniques", "Tumor Cells, Cultured")
_HUMAN_TEXT = re.compile(r"\b(?:patients?|participants?|volunteers?|subjects|women|men|adults|children|"
                         r"infants|adolescents|individuals|persons|people|outpatients|inpatients)\b", _FLAGS)
_ANIMAL_TEXT = re.compile(r"\b(?:rats?|mice|mouse|murine|rodents?|primates?|monkeys?|macaques?|dogs|canine|"
                          r"pigs?|porcine|rabbits?|zebrafish|sheep|ovine|bovine|cattle|hamsters?|guinea pigs?|"
                          r"drosophila|c\. elegans|animal models?)\b", _FLAGS)
_VITRO_TEXT = re.compile(r"\b(?:in vitro|cell lines?|cultured (?:cells|neurons)|cell cultures?|HEK ?293|HeLa|"
                         r"organoids?|primary cultures?)\b", _FLAGS)


def _species(record: Record) -> tuple[str, str]:
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
    h, a, v = _HUMAN_TEXT.search(text), _ANIMAL_TEXT.search(text), _VITRO_TEXT.search(text)
    found = [(k, m) for k, m in (("human", h), ("animal", a), ("in-vitro", v)) if m]
    if not found:
        return "unknown", "no MeSH check tags and no species named in the title or abstract"
    if len(found) == 1:
        kind, m = found[0]
        return kind, f'no MeSH check tags; text says "{_quote(m)}"'
    if a is None and h is not None and v is not None:
        # Human participants whose samples were assayed in the lab: a clinical study.
        return "human", f'no MeSH check tags; text says "{_quote(h)}" (and "{_quote(v)}")'
    words = ", ".join(f'"{_quote(m)}"' for _, m in found)
    return "mixed", f"no MeSH check tags; text names {words}"


# --- sample size --------------------------------------------------------------------

_NUM = r"(\d{1,3}(?:[,\u2009 ]\d{3})+|\d+)"
_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i > 1}
_PEOPLE = (r"(?:patients|participants|subjects|volunteers|women|men|adults|children|infants|individuals|"
           r"persons|people|cases|neonates|adolescents|pregnancies|mothers|students|smokers|veterans|"
           r"healthy \w+|eligible \w+|consecutive \w+|[a-z]+ patients)")
_N_TOTAL = re.compile(
    rf"(?:a total of|total of|overall,?|in total,?|altogether,?|including|included|enrolled|recruited|"
    rf"randomi[sz]ed)\s+{_NUM}\s+{_PEOPLE}"
    rf"|{_NUM}\s+{_PEOPLE}\s+(?:were|was|had been)\s+(?:randomi[sz]ed|randomly|enrolled|included|recruited|studied|"
    rf"analy[sz]ed|evaluated|assessed|followed)",
    _FLAGS,
)
_N_EQ = re.compile(rf"\b[nN]\s*=\s*{_NUM}")
_N_BARE = re.compile(rf"{_NUM}\s+{_PEOPLE}\b(?!-years)", _FLAGS)
_N_WORD = re.compile(
    rf"\b((?:{'|'.join(_TENS)})(?:[- ](?:{'|'.join(list(_WORDS)[1:10])}))?|"
    rf"{'|'.join(list(_WORDS)[2:])})\s+{_PEOPLE}",
    _FLAGS,
)


def _to_int(s: str) -> int:
    return int(re.sub(r"[,\u2009 ]", "", s))


def _word_to_int(s: str) -> int | None:
    parts = re.split(r"[- ]", s.lower())
    total = 0
    for p in parts:
        if p in _TENS:
            total += _TENS[p]
        elif p in _WORDS:
            total += _WORDS[p]
        else:
            return None
    return total or None


def _sample_size(record: Record) -> tuple[int | None, str]:
    text = record.abstract
    if not text:
        return None, "no abstract"
    for m in _N_TOTAL.finditer(text):
        value = _to_int(next(g for g in m.groups() if g))
        if 0 < value < 10_000_000 and not 1900 <= value <= 2100:
            return value, f'abstract says "{_quote(m)}"'
    eq = [(m, _to_int(m.group(1))) for m in _N_EQ.finditer(text)]
    if eq:
        m, value = max(eq, key=lambda x: x[1])
        extra = " (the largest n stated)" if len(eq) > 1 else ""
        return value, f'abstract says "{_quote(m)}"{extra}'
    bare = [(m, _to_int(m.group(1))) for m in _N_BARE.finditer(text)]
    bare = [(m, v) for m, v in bare if 0 < v < 10_000_000 and not 1900 <= v <= 2100]
    if bare:
        m, value = max(bare, key=lambda x: x[1])
        return value, f'abstract says "{_quote(m)}"'
    word = _N_WORD.search(text)
    if word:
        counted = _word_to_int(word.group(1))
        if counted:
            return counted, f'abstract says "{_quote(word)}"'
    return None, "the abstract states no number of participants"


# --- retraction ---------------------------------------------------------------------


def _retraction(record: Record) -> tuple[bool, str, bool, str]:
    signals = []
    if RETRACTED_TYPE in record.publication_types:
        signals.append(f'publication type "{RETRACTED_TYPE}"')
    links = [c for c in record.comments_corrections if c.ref_type == RETRACTION_LINK]
    if links:
        signals.append(
            "PubMed links a retraction notice (RetractionIn" + (f" PMID {links[0].pmid})" if links[0].pmid else ")")
        )
    if not signals and record.retracted:
        signals.append("marked retracted by the parser")
    concern_links = [c for c in record.comments_corrections if c.ref_type == "ExpressionOfConcernIn"]
    concern = ""
    if concern_links:
        concern = "PubMed links an expression of concern (ExpressionOfConcernIn" + (
            f" PMID {concern_links[0].pmid})" if concern_links[0].pmid else ")"
        )
    elif record.expression_of_concern:
        concern = "marked with an expression of concern by the parser"
    return bool(signals), "; ".join(signals), bool(concern), concern


def classify(record: Record) -> StudyClass:
    """Classify one record: design, tier, species, n, retraction; each with its reason."""
    design, design_reason, pooled = _design(record)
    species, species_reason = _species(record)
    n, n_reason = _sample_size(record)
    retracted, retracted_reason, concern, concern_reason = _retraction(record)
    return StudyClass(
        design=design,
        design_reason=design_reason,
        tier=TIERS[design],
        species=species,
        species_reason=species_reason,
        n=n,
        n_reason=n_reason,
        retracted=retracted,
        retracted_reason=retracted_reason,
        expression_of_concern=concern,
        concern_reason=concern_reason,
        pooled=pooled,
        notice=design == "other" and "notice" in design_reason,
    )
