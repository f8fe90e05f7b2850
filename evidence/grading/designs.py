"""Study design from PubMed's publication types, MeSH design headings, or the words of the record.

Sources, best first: publication types (set by NLM indexers), MeSH design headings, then the
title, abstract and journal. The text rules follow the design definitions of the Cochrane
Handbook (a meta-analysis combines the results of several studies statistically; a systematic
review searches for them systematically), Cochrane EPOC's study-design algorithm (did the
investigators assign the intervention? randomly? is there a comparison group?) and the OCEBM
2011 levels (animal and laboratory work is mechanism-based evidence, level 5). Every rule is
a general reading of study-design language; the first that fires decides, and its words are
quoted in the reason. Rules are tried strongest first: syntheses, reviews and commentaries,
laboratory work, trials, observational studies, then the weak cues of a given intervention.
"""

from __future__ import annotations

import re

from evidence.grading.pubtypes import MESH_DESIGN, design_from_publication_types
from evidence.grading.sample_size import sample_size
from evidence.grading.species import ANIMAL_WORDS
from evidence.models import Record

__all__ = ["design_of"]

Found = tuple[str, str, str | None]  # design, reason, what a review pooled

# --- syntheses ----------------------------------------------------------------------

_I = re.IGNORECASE
_COUNT = r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+ty(?:-\w+)?)"
_META = re.compile(r"meta-?\s?analy[sz](?:is|es|ed)|pooled analysis of \d+ (?:\w+ )?(?:trials|studies|RCTs|cohorts)",
                   _I)
_META_OWN = re.compile(
    r"(?:this|our|present|updated|a|we (?:performed|conducted|undertook|carried out|did))\s+"
    r"(?:systematic review and |network |bayesian |cumulative |individual[- ]patient[- ]data )?"
    r"meta-?\s?analy[sz]is|systematic review and (?:network )?meta-?\s?analy[sz]is|meta-?analy[sz]is of|"
    r"(?:were|was) (?:pooled|meta-analy[sz]ed)|random[- ]effects? (?:model|meta)|"
    r"individual(?:[- ](?:participant|patient))?[- ]data (?:from|of) " + _COUNT,
    _I,
)
_SR = re.compile(
    r"systematic(?:ally)? (?:review|search|literature)|(?:searched|search of) (?:the )?(?:pubmed|medline|"
    r"embase|cochrane|web of science|scopus|cinahl|electronic databases)|PRISMA|"
    r"(?:studies|trials|articles|reports) (?:were|met) (?:included|the inclusion)|search strategy|"
    r"(?:register|databases?) (?:was|were) searched|\bCochrane (?:review|update|systematic)|"
    r"summary[- ]of[- ]findings|" + _COUNT + r" (?:eligible|included) (?:\w+ )?(?:RCTs|trials|studies|reports)|"
    r"\breview(?:ed)? (?:of )?" + _COUNT + r" (?:[\w-]+ )?(?:studies|trials|RCTs|reports|articles)\b",
    _I,
)
_SR_JOURNAL = re.compile(r"cochrane database syst|\bsyst(?:ematic)? rev(?:iews?)?\b|jbi evid synth|"
                         r"campbell syst", _I)
# Several studies counted as the subject: "across 7 placebo-controlled trials", "pooling 28 RCTs".
_STUDIES_POOLED = re.compile(r"(?:^|\b(?:across|pooling|pooled|combining|in|of|from)\s+|: )" + _COUNT +
                             r"\s+(?:[\w-]+\s+){0,3}?(?:RCTs|trials|studies|cohorts)\b", _I | re.M)
# A pooled effect estimate: what a meta-analysis reports and a narrative review does not.
_EFFECT = re.compile(r"\b(?:OR|RR|HR|SMD|WMD|MD|IRR)\b[ =:,]*(?:about |of |was )?-?\d+(?:\.\d+)?"
                     r"|(?i:odds ratios?|risk ratios?|relative risks?|hazard ratios?|(?:standardi[sz]ed )?mean "
                     r"differences?|hedges'? g|\(d ?=? ?\d|\bd \d\.\d|pooled (?:estimate|effect|odds|risk))")


def _pooled(abstract: str) -> str | None:
    if re.search(r"randomi[sz]ed (?:controlled |clinical )?(?:trials|studies)|\bRCTs\b|controlled trials", abstract,
                 _I):
        return "rcts"
    if re.search(r"observational|cohort|case-control|cross-sectional", abstract, _I):
        return "observational"
    return None


def _synthesis(record: Record, text: str) -> Found | None:
    """Meta-analysis or systematic review, from the title, the abstract or the journal."""
    title_meta = _META.search(record.title)
    m = title_meta or _META_OWN.search(record.abstract)
    if m:
        return "meta-analysis", f'{"title" if title_meta else "abstract"} says "{_quote(m)}"', _pooled(record.abstract)
    effect = _EFFECT.search(record.abstract)
    pooled = _STUDIES_POOLED.search(record.abstract)
    if pooled and effect:
        return ("meta-analysis", f'abstract pools studies ("{_quote(pooled)}") into an estimate ("{_quote(effect)}")',
                _pooled(record.abstract))
    sr = _SR.search(text)
    journal = None if sr else _SR_JOURNAL.search(f"{record.journal} {record.iso_abbreviation}")
    if sr or journal:
        why = f'text says "{_quote(sr)}"' if sr else f'journal "{record.journal}" publishes systematic reviews'
        if effect:
            return ("meta-analysis", f'{why} and reports a pooled estimate ("{_quote(effect)}")',
                    _pooled(record.abstract))
        return "systematic-review", why, _pooled(record.abstract)
    return None


# --- reviews, commentaries, discussion ----------------------------------------------

_REVIEW_OWN = re.compile(r"\b(?:this|the present|in this|our) (?:narrative )?review\b|\bwe review\b", _I)
# "Review" as the record's genre; a chart review or a review board is not one. Present-tense
# "X and Y are reviewed" is what a review says of itself; a study's "records were reviewed" is not.
_REVIEW = re.compile(r"(?<!chart )(?<!record )(?<!records )(?<!case )(?<!file )\breview\b(?! board)|overview|"
                     r"we discuss|state of the art|\b(?:paper|article|chapter|commentary) (?:\w+ ){0,2}reviews\b|"
                     r"\b(?:is|are) (?:briefly |also )?reviewed\b|\bafter reviewing\b", _I)
_COMMENTARY = re.compile(r"(?:^|: |\. )(?:an? |this |the )?(?:commentary|editorial|viewpoint|opinion piece)\b|"
                         r"\b(?:this|our|in this) (?:commentary|editorial|viewpoint|perspective|letter)\b", _I | re.M)
_COMMENT_TITLE = re.compile(r"^\s*(?:re:|reply|response to|comment on|in reply)|\beditorial\b|\bcommentary\b|"
                            r"\bviewpoint\b", _I)
_EDITORIAL_TITLE = re.compile(r"^\s*(?:re:|reply|response to|comment on|in reply)|\bletter\b|editorial", _I)
# The verbs of an argument about other people's findings, said of the paper itself: sentence-first
# ("Argues that...") or after its author ("we argue", "this essay proposes").
_ARGUES = re.compile(r"(?:^|: |\. |\b(?:we|I|the authors?|this (?:paper|article|essay|commentary|perspective))\s+"
                     r"(?:will |shall |briefly |also |then |further )*)(?:argues?|arguing|discuss(?:es)?|"
                     r"summari[sz]es?|outlines?|lists|accepts|treats \w+ as|propose[sd]?|reconsiders?)\b|"
                     r"\bclinical discussion\b", _I | re.M)
# A study's own data: a number with a unit or a percentage, a p value, n =, "in 12 patients", "in rats".
_OWN_DATA = re.compile(
    rf"\d\s*%|\d\s*(?:mg|µg|mcg|ng|g|µM|μM|nM|mM|mmHg|ms|Hz)\b|\b[nN]\s*=\s*\d|\b[pP]\s*[<=>]\s*0|"
    rf"\b(?:in|of) {_COUNT} |\b(?:in|of) (?:[\w-]+ ){{0,2}}(?:{ANIMAL_WORDS})\b|"
    rf"\b\d+ (?:[\w-]+ ){{0,2}}(?:patients|participants|subjects|volunteers|users|people|adults)\b", _I)
# What a study does, as opposed to what an argument does.
_OWN_WORK = re.compile(r"\b(?:we|here we) (?:have |then |also |further )?(?:found|find|show(?:ed|n)?|report(?:ed)?|"
                       r"demonstrate[ds]?|measured|tested|examined|investigated|performed|determined|identified|"
                       r"observed|used|solved|analy[sz]ed|conducted|studied|assessed|compared|recorded)\b|"
                       r"\bhere,? we\b", _I)
_CASE_SERIES = re.compile(r"case series|series of (?:\d+|\w+) (?:patients|cases|subjects)|we (?:report|describe|"
                          r"present) (?:\d+|two|three|four|five|six|seven|eight|nine|ten) (?:cases|patients)", _I)
_GUIDELINE = re.compile(r"guideline|consensus (?:statement|panel|conference|report)|position statement|"
                        r"task[- ]force|recommendations? (?:of|from) the", _I)
_GUIDELINE_TITLE = re.compile(rf"{_GUIDELINE.pattern}|\brecommendations\b|expert panel", _I)
_CASE_REPORT = re.compile(
    r"case report|we (?:report|describe|present) (?:a|an|the|one) (?:case|patient|rare|unusual|\d+-year-old)|"
    r"(?:^|: )(?:a|an) \d+-year-old (?:man|woman|male|female|boy|girl|patient)", _I | re.M)


def _discussion(record: Record, text: str) -> Found | None:
    m = _REVIEW_OWN.search(text)
    if m:
        return "narrative-review", f'text says "{_quote(m)}"', None
    m = _COMMENTARY.search(record.abstract) or _COMMENT_TITLE.search(record.title)
    if m and not _REVIEW.search(text):
        return "editorial", f'text says "{_quote(m)}": a commentary', None
    for design, pattern in (("case-report", _CASE_REPORT), ("case-series", _CASE_SERIES),
                            ("guideline", _GUIDELINE_TITLE)):
        # "case report and review of the literature" is a case report; a guideline's title says so
        m = pattern.search(text if design != "guideline" else record.title)
        if m:
            return design, f'text says "{_quote(m)}"', None
    m = _REVIEW.search(record.title) or (_REVIEW.search(record.abstract) if not _has_results(record) else None)
    if m:
        return "narrative-review", f'text says "{_quote(m)}"', None
    m = _ARGUES.search(text)
    if m and not _OWN_DATA.search(record.abstract) and not _OWN_WORK.search(record.abstract):
        return "narrative-review", f'text argues ("{_quote(m)}") and reports no data of its own', None
    return None


def _has_results(record: Record) -> bool:
    return any((s.nlm_category or "").upper() in ("RESULTS", "METHODS") for s in record.abstract_sections)


# --- trials -------------------------------------------------------------------------

_RANDOM = re.compile(
    r"randomi[sz]ed[ ,-]+(?:double|single|triple|controlled|clinical|placebo|crossover|cross-over|"
    r"parallel|multi-?cent|open|pilot|phase|trial|comparative|prospective|sham|study)[\w-]*"
    r"|randomi[sz]ed (?:(?!observational|cohort|retrospective|case)[\w/-]+[ ,]+){1,3}?(?:trial|study)\b"
    r"|randomly (?:assigned|allocated|divided|selected to receive)|were randomi[sz]ed|"
    r"underwent randomi[sz]ation|randomi[sz]ation (?:to|was)|randomi[sz]ed (?:\d+|to)\b|\d:\d randomi[sz]ation"
    r"|(?-i:\bRCT\b)",
    _I,
)
# A control arm or blinding named for this study ("placebo-controlled crossover trial",
# "midazolam-controlled trial", "double-blind", "versus placebo"): in drug trials these are
# randomised almost always, so randomisation is assumed and the reason says so.
_ASSUMED_RCT = re.compile(
    r"\b(?!(?:non|un|poorly|well|inadequately)\b)[a-z]+(?:[- ]placebo)?[- ]controlled(?:[ ,-]+(?:double|single|"
    r"triple)[- ]blind\w*)?(?:[ ,-]+(?:crossover|cross-over|parallel[- ]group))? (?:trial|study|crossover)\b"
    r"|double[- ]blind(?:ed)?|(?:versus|vs\.?|compared with|compared to|than|over|or|and) (?:matching )?"
    r"(?:placebo|sham)\b"
    r"|(?:multi-?site|multi-?cent(?:er|re)|dose-finding|dose-ranging) (?:[\w-]+ )?trial\b",
    _I,
)
# The first phase named is the study's own (a later "phase III trial" is the next step). Phase 3
# trials are randomised almost without exception, and several are often reported together.
_PHASE = re.compile(r"phase (1b|2a|2b|i/ii|iii?b?|[1-3]b?|i)\b(?:[ ,-]+[\w-]+){0,3}? (?:trials?|stud(?:y|ies))", _I)
_EXTENSION = re.compile(r"extension (?:study|phase|trial)", _I)
_NON_RCT = re.compile(
    r"non-?randomi[sz]ed (?:controlled |clinical )?(?:trial|study)|single[- ]arm|quasi-?experimental|open[- ]label|"
    r"uncontrolled (?:[\w-]+ ){0,2}(?:trial|study|design|series|data)|, uncontrolled\b|no control group|"
    r"without a control group|single[- ]group|controlled before[- ]and[- ]after",
    _I,
)
# Post hoc and pooled secondary analyses of trial data: a trial only if arms are still compared.
_SECONDARY = re.compile(r"post[- ]hoc|\bpooled (?:[\w/-]+ ){0,3}?(?:data|analysis|analyses|results)|"
                        r"\bpooling of (?:\w+ ){0,3}(?:trials|studies)", _I)
_TRIAL_DATA = re.compile(r"\btrials?\b|\bphase (?:[1-4]|i{1,3}v?)\b|\bRCTs?\b", _I)
_ARMS_COMPARED = re.compile(r"\bplacebo\b|control (?:arm|group)|difference\b(?:[^.;]|\.\d){0,80}\bCI\b|"
                            r"(?:versus|vs\.?|compared with) (?:the )?(?:control|comparator)", _I)


def _own_trial(text: str) -> re.Match[str] | None:
    """A randomisation cue about this study, not "randomized trials" cited or pooled."""
    return _own(_RANDOM, text, negated=r"non-?randomi")


def _own(pattern: re.Pattern[str], text: str, negated: str = r"observational") -> re.Match[str] | None:
    """First match that is about this study: not negated ("non-randomized", "observational
    nonrandomized study"), not a plural ("trials")."""
    for m in pattern.finditer(text):
        after = text[m.end():m.end() + 12].lower()
        if re.search(negated, text[max(0, m.start() - 30):m.end()], _I):
            continue
        if m.group(0).lower().endswith(("trials", "studies")) or after.startswith(
                ("s ", "s,", "s.", "s)", " trials", " studies", " rcts")):
            continue
        return m
    return None


def _trial(text: str) -> Found | None:
    m = _own_trial(text)
    if m:
        return "rct", f'abstract says "{_quote(m)}"', None
    m = _own(_EXTENSION, text)  # the open-label extension of a double-blind trial
    if m:
        return "non-randomized-trial", f'text says "{_quote(m)}"', None
    m = _own(_ASSUMED_RCT, text)
    if m:
        return "rct", f'text says "{_quote(m)}" (a controlled trial; randomisation assumed)', None
    m = _own(_NON_RCT, text)
    if m:
        return "non-randomized-trial", f'text says "{_quote(m)}"', None
    m = _PHASE.search(text)
    if m and m.group(1).lower() in ("3", "3b", "iii", "iiib"):
        return "rct", f'text says "{_quote(m)}" (a phase 3 trial; randomisation assumed)', None
    if m and not m.group(0).lower().endswith(("trials", "studies")):
        return "non-randomized-trial", f'text says "{_quote(m)}" (an early-phase trial, no randomisation stated)', None
    return None


# --- observational studies and the weak cues of an intervention ---------------------------

# (design, pattern, needs the abstract to report data of its own on people), the first match decides.
_OBSERVATIONAL: tuple[tuple[str, re.Pattern[str], bool], ...] = (
    ("case-control", re.compile(r"case[- ]control|matched (?:[\w-]+ ){0,2}controls", _I), False),
    ("cohort", re.compile(
        r"cohort|prospective(?:ly)? (?:study|studies|observational|follow|collected|enrolled|recruited)|"
        r"retrospective(?:ly)? (?:study|analysis|review|chart|cohort|observational|reviewed|collected|analy[sz]ed|"
        r"identified|evaluated)\b|longitudinal (?:study|data)|(?:claims|administrative|nationwide|insurance) "
        r"(?:database|data)|electronic (?:health|medical) records|"
        r"population-based study|followed (?:up )?for (?:a median of )?\d|chart review|medical records|registry|"
        r"real[- ]world|routine (?:clinical )?(?:care|practice)|naturalistic|community clinics?|clinic patients|"
        r"(?:in|from|during) (?:routine )?clinical (?:practice|care|settings?|services?)|"
        r"clinical (?:infusions|treatments|administrations|sessions)|\d+ (?:months|years) later|long-term outcome",
        _I), False),
    ("cross-sectional", re.compile(
        r"cross-?sectional|(?:online|national|questionnaire|web-based|postal) survey|surveyed|survey of \d|"
        r"prevalence study|respondents|(?:more|less|most|heavier|higher)[- ](?:frequent|dose)\w*\b[^.;]{0,30}?"
        r"\b(?:use|users|exposure)\b|dose[- ]response (?:relation|relationship|association)", _I), False),
    # A study that says it is observational or prospective but not which kind: followed forward.
    ("cohort", re.compile(r"(?:observational|prospective) (?:[\w-]+ ){0,2}(?:study|analysis)", _I), False),
    # An exposure related to an outcome in people the study counted.
    ("cohort", re.compile(r"risk factors?|predictors? of|independently predict\w*|(?:doses?|use|levels?|exposure)\b"
                          r"[^.;]{0,60}\b(?:were|was) (?:linked|associated) (?:to|with)", _I), True),
    ("cross-sectional", re.compile(r"\bprevalence (?:of|among|was|in)\b", _I), True),
    # Exposed people compared with controls: "20 users compared with 20 polydrug controls".
    ("case-control", re.compile(r"\b(?:users|cases|smokers|drinkers|patients)\b[^.;]{0,130}?\b(?:compared with|"
                                r"versus|vs\.?|and|than)\s+(?:\d+|\w+)?\s*(?:[\w-]+\s+){0,2}?controls\b", _I), False),
    ("guideline", _GUIDELINE, False),
)
# The investigators gave the intervention (a dose, a course of infusions, a challenge) and no
# randomisation, control or observational setting is stated: a non-randomised trial (EPOC).
_GIVEN = re.compile(
    r"\bgiven (?:an? |one |two |three |four |five |six |\d+ )?(?:single |repeated |[\w-]+ ){0,2}?(?:\d[\d.]*"
    r" ?(?:mg|µg|mcg|g)\b|doses?|infusions?|injections?)|\b(?:after|received|receiving|underwent) "
    + _COUNT + r" (?:[\w-]+ ){0,2}(?:infusions|doses|injections|sessions)|during (?:the |an? |a single )?"
    r"(?:[\w-]+ ){0,2}(?:infusion|administration|injection)|\binto (?:the )?infusion|\b\d[\d.]* ?mg/kg\b|"
    r"\beffects? of\b[^.;]{0,80}\bvolunteers\b|(?:research|drug|pharmacological|experimental) challenges?|"
    r"challenge (?:study|studies|paradigm|sessions?|tests?|procedure|dose)|ascending[- ]doses?|dose[- ]escalation|"
    r"(?:versus|vs\.?|compared with) (?:saline|baseline)|"
    r"(?:after|at|within) (?:\d+|one|two|three|four|six|eight|twelve) (?:days|weeks|months) of (?:treatment|therapy)",
    _I,
)


def _quote(m: re.Match[str]) -> str:
    return m.group(0).strip()


def design_of(record: Record, species: str) -> Found:
    """Design, reason and (for reviews) what was pooled; ``species`` as read from the record."""
    text = f"{record.title}\n{record.abstract}"
    from_pt = design_from_publication_types(record.publication_types)
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
            found = _synthesis(record, text)
            if found:
                return found[0], f"{reason} and {found[1]}", found[2]
        if design != "other" or not record.abstract:
            return design, reason, None
    for heading, design in MESH_DESIGN:
        if any(h.descriptor == heading for h in record.mesh):
            # MeSH design headings are weaker than the trial/review cues in the text.
            m = _own_trial(text)
            if m:
                return "rct", f'abstract says "{_quote(m)}"', None
            return design, f'MeSH heading "{heading}"', None
    return _from_text(record, text, species)


_NOTICE_TITLE = re.compile(r"^\s*\[?(?:retraction|notice of retraction|erratum|correction|corrigendum|"
                           r"expression of concern)\s*(?::|to\b|notice|$)", _I)


def _from_text(record: Record, text: str, species: str) -> Found:
    found = _synthesis(record, text) or _discussion(record, text)
    if found:
        return found
    if species in ("animal", "in-vitro"):  # OCEBM level 5: no clinical design applies to lab work
        return species, f"a laboratory study ({species}): no clinical design applies", None
    m = _SECONDARY.search(text)
    if m and not _own_trial(text):
        arms = _ARMS_COMPARED.search(record.abstract)
        if arms:
            return "rct", f'a pooled analysis of trial arms ("{_quote(m)}", "{_quote(arms)}")', None
        if _TRIAL_DATA.search(text):
            return "other", f'a secondary analysis ("{_quote(m)}") of trial data that compares no arms', None
    found = _trial(text)
    if found:
        return found
    own_data = _OWN_DATA.search(record.abstract)
    for design, pattern, needs_data in _OBSERVATIONAL:
        m = pattern.search(text)
        if m and (not needs_data or own_data and species in ("human", "mixed")):
            return design, f'text says "{_quote(m)}"', None
    m = _GIVEN.search(text)
    if m:
        return "non-randomized-trial", f'text says "{_quote(m)}": an intervention given, no randomisation stated', None
    n, n_reason = sample_size(record)
    if n is not None and n_reason.startswith("abstract says"):
        # A study that counts its participants but names no design: the weakest clinical design,
        # so that it neither vanishes as "other" nor grades above what it may be.
        return "case-series", f"{n_reason} but names no design: read as the weakest clinical design", None
    if not record.abstract and _EDITORIAL_TITLE.search(record.title):
        return "editorial", "no abstract and the title reads as a letter or comment", None
    if not record.abstract:
        return "other", "no publication type and no abstract to classify from", None
    return "other", "no design stated in the publication types or the abstract", None
