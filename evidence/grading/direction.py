"""Finding direction: does a study's conclusion support or contradict a claim?

Transparent lexical rules, no model: the conclusion is split into sentences, each is
scored for *effect* cues ("significantly reduced", "was associated with"), *null* cues
("no significant", "did not", "no difference") and *hedges* ("may", "further studies
are needed"); sentences that share more words with the claim weigh more. The claim's
polarity decides which way the score points:

  effect     effect cues support, null cues contradict
  no-effect  null and safety cues ("safe", "well tolerated") support, effect/harm cues contradict
  increase   "increased/higher" support, "decreased/lower" and null cues contradict
  decrease   the mirror image

A claim's own ``support_terms`` / ``contradict_terms`` outweigh the generic cues.
Every result names the sentence that decided it and why. A reviewer's annotation
overrides it (``apply_annotation``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from evidence.models import Annotation, Claim, Record
from evidence.vocabulary import DIRECTIONS

__all__ = [
    "Direction",
    "DIRECTIONS",
    "judge_conclusion",
    "judge_direction",
    "apply_annotation",
    "conclusion_text",
    "infer_polarity",
]

_I = re.IGNORECASE


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


# Null findings: the study looked and found nothing (or found the opposite of "works").
_NULL = re.compile(
    r"\bno (?:statistically )?significant|\bnot (?:statistically )?significant(?:ly)?|\bnon-?significant|"
    r"\bdid not|\bdoes not|\bdo not|\bwas not|\bwere not|\bis not|\bare not|\bhas not|\bhave not|\bcould not|"
    r"\bcannot|\bcan not|\bwill not|\bshould not|\bneed not|\bnot (?:be |been )?(?:associated|related|linked|"
    r"correlated|predictive|effective|superior|beneficial|useful|necessary|required|justified|recommended|"
    r"indicated|improved|reduced|increased|affected|influenced|different|supported|a (?:reliable|useful|good|"
    r"significant|major|risk))|\bno (?:clear |clinically |meaningful |relevant |real |further |additional |"
    r"apparent |overall |independent |direct |consistent |major |obvious )?(?:difference|differences|association|"
    r"relationship|correlation|effect|effects|benefit|advantage|impact|improvement|reduction|increase|change|"
    r"evidence|role|influence|value|link|relation|predictive|superiority|added value|survival benefit)|"
    r"\bfailed to|\bfail to|\bunable to|\black of (?:effect|benefit|association|efficacy|evidence)|"
    r"\bineffective|\bunrelated|\bindependent of|\bneither\b|\bnot have|\bnot show|\bnot find|\bnot found|"
    r"\bnot improve|\bnot reduce|\bnot increase|\bnot predict|\bnot affect|\bnot differ|\bnot seem|\bnot appear|"
    r"\bno longer|\bdoes not support|\bnot warranted|\bunnecessary|\bnot justified|\bdid not differ|"
    r"\bsimilar (?:to|in|between|among|rates|outcomes|results)|\bcomparable\b|\bequivalent\b|\bequally\b|"
    r"\bas (?:safe|effective) as|"
    r"\bnot a\b|\bno need\b|\bquestionable\b|\bpoor(?:ly)?\b|\bweak(?:ly)? (?:associated|correlated|predictor)|"
    r"\binsufficient|\bdisappointing|\binadequate|\bunsuitable|\bunreliable|\binaccurate|\binappropriate|"
    r"\blimited (?:value|role|use|utility|benefit|effect)|\brarely\b|\btrivial|\bnegligible|\bonly a minority|"
    r"\bnone\b|\bnor\b|\bnever\b|\bnot\b|\bno\b|n't\b",
    _I,
)
# A negation's scope: the rest of its clause ("did not significantly reduce cortisol, but ...").
_NULL_SCOPE = re.compile(
    rf"(?:{_NULL.pattern})[^,;:.]*?(?=[,;:.]|\bbut\b|\bwhereas\b|\bwhile\b|\bhowever\b|"
    rf"\balthough\b|\bexcept\b|$)",
    _I,
)
# Effects found: "the intervention did something / the exposure is linked to the outcome".
_EFFECT = re.compile(
    r"\bsignificant(?:ly)?\b|\beffective(?:ly)?\b|\befficacious|\bassociated with|\bassociation (?:between|of|with)|"
    r"\brelated to|\blinked to|\bcorrelat\w+ with|\bpredict(?:s|ed|ive|or)|\bimprove[sd]?\b|\bimprovement|"
    r"\breduce[sd]?\b|\breduction|\bdecrease[sd]?\b|\bincrease[sd]?\b|\bhigher\b|\blower\b|\bbetter\b|\bworse\b|"
    r"\bgreater\b|\bsuperior|\bbeneficial|\bbenefit|\buseful|\bvaluable|\bvalid\b|\breliable|\baccurate|"
    r"\bsensitive\b|\bimportant|\bindependent (?:risk|predictor|factor)|\brisk factor|\bplays? a role|\bcontribut\w+|"
    r"\bresult(?:s|ed)? in|\blead(?:s)? to|\bcaus(?:e|es|ed|ing)\b|\bprotect\w*|\bprevent\w*|\bsupport(?:s|ed)?\b|"
    r"\bconfirm\w*|\bdemonstrat\w+|\bshow(?:s|ed|n)? (?:that|a|an)|\bappropriate|\bfeasible|\bsafe\b|\bwell tolerated|"
    r"\bshould be|\brecommended\b|\bis indicated|\bpromising|\bdifferen(?:t|ces?)\b|\bmore (?:likely|frequent|common)|"
    r"\bless (?:likely|frequent|common)|\bpotential|\badvantage|\bfavou?rable|\bexcellent|\bgood\b|\bhelpful|"
    r"\bcan be used",
    _I,
)
_HEDGE = re.compile(
    r"\bmay\b|\bmight\b|\bcould\b|\bpossibl[ey]|\bperhaps|\bunclear|\buncertain|\binconclusive|\bcontroversial|"
    r"\bconflicting|\bmixed results|\blimited (?:evidence|data)|\binsufficient (?:evidence|data)|\bnot (?:yet )?clear|"
    r"\bpreliminary|\bfurther (?:studies|research|investigation|trials|work|prospective|randomi[sz]ed|evaluation)|"
    r"\b(?:larger|future|additional|more) (?:\w+ )?(?:studies|trials|research)|\bwarrant|\bneeds? to be (?:confirmed|"
    r"validated|clarified|determined)|\bremains? to be|\bsuggest(?:s|ed)?\b|\bappears?\b|\bseems?\b|\bnot always|"
    r"\bin some\b|\bonly in\b|\bpartially|\bmodest|\bweak\b|\bborderline|\btrend\b|\bdepend(?:s|ing)? on",
    _I,
)
# Safety/harmlessness: support a no-effect ("X is harmless") claim.
_HARMLESS = re.compile(
    r"\bsafe(?:ly|ty)?\b|\bwell[- ]tolerated|\bno (?:serious |major |significant )?(?:adverse|"
    r"side effects|complications|harm|toxicity|increased risk)|\bwithout (?:\w+ )?(?:complications|"
    r"adverse|side effects|harm)",
    _I,
)
_HARM = re.compile(
    r"\bunsafe|\bharm(?:ful)?\b|\btoxic|\bincreased risk|\bhigher risk|\badverse (?:effects|events) "
    r"(?:were|was) (?:more|common|frequent)|\bcomplications? (?:were|was) (?:more|higher)",
    _I,
)
_UP = re.compile(
    r"\bincreas\w*|\bhigher\b|\belevat\w*|\bgreater\b|\bmore\b|\brise\b|\brais\w+|\benhanc\w+|\bboost\w*", _I
)
_DOWN = re.compile(
    r"\bdecreas\w*|\blower\w*|\breduc\w*|\bless\b|\bfewer\b|\bdeclin\w*|\bdrop\w*|\bdiminish\w*|"
    r"\battenuat\w*|\bsuppress\w*|\binhibit\w*",
    _I,
)
_NOT_ONLY = re.compile(r"\bnot only\b|\bno doubt\b|\bnot uncommon\b|\bnot unusual\b|\bnot negligible\b", _I)
_STOP = set(
    """a an the of in on to for and or with without by at from as is are was were be been being do does did
can could may might should would will not no than that this these those it its their there what which who whom whose
when where why how whether any all some more most less patients study studies""".split()
)
_CONCLUSION_LABELS = (
    "CONCLUSION",
    "CONCLUSIONS",
    "INTERPRETATION",
    "IMPLICATIONS",
    "CONCLUSIONS AND RELEVANCE",
    "AUTHORS' CONCLUSIONS",
    "REVIEWER'S CONCLUSIONS",
    "DISCUSSION",
)


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z(\[])", text.strip())
    return [p.strip() for p in parts if p.strip()]


def _clauses(sentence: str) -> list[str]:
    """Contrasting clauses weigh separately: "X is linked to A, but not to B"."""
    parts = re.split(
        r"(?:,|;)\s*(?=but\b|whereas\b|while\b|however\b|although\b|yet\b)|;\s+|\s+whereas\s+", sentence, flags=_I
    )
    return [p for p in parts if p.strip()] or [sentence]


def _words(text: str) -> set[str]:
    return {w[:6] for w in re.findall(r"[a-z][a-z0-9-]+", text.lower()) if w not in _STOP and len(w) > 2}


def _count(pattern: re.Pattern[str], text: str) -> list[str]:
    return [m.group(0) for m in pattern.finditer(text)]


def _terms(terms: Sequence[str], text: str) -> list[str]:
    low = text.lower()
    return [t for t in terms if t and t.lower() in low]


def infer_polarity(statement: str) -> str:
    """Polarity of a free-text statement or question: "no-effect" when it asserts absence or safety.

    For statements without a declared polarity (the PubMedQA questions); a Claim's own
    ``polarity`` always wins over this guess.
    """
    s = statement.lower()
    if _NOT_ONLY.search(s):
        return "effect"
    if re.search(
        r"\b(?:not|no|never|without|fail|lack)\b|n't\b|\bsafe\b|\bharmless|\bnon-?inferior|\bequivalent|"
        r"\bcomparable|\bsimilar\b|\b(?:the )?same\b|\bas (?:effective|good|safe) as",
        s,
    ):
        return "no-effect"
    return "effect"


@dataclass(frozen=True)
class _Score:
    support: float
    contradict: float
    cues: list[str]  # what was found, for the reason
    hedges: int  # hedge cues in the unit


def _score(sentence: str, polarity: str, support_terms: Sequence[str], contradict_terms: Sequence[str]) -> _Score:
    """Support and contradiction scores of one sentence, with the cues behind them."""
    clean = _NOT_ONLY.sub(" ", sentence)
    null = _count(_NULL, clean)
    # An effect cue inside a null phrase ("no significant difference") is not an effect.
    stripped = _NULL_SCOPE.sub(" ", clean)
    effect = _count(_EFFECT, stripped)
    hedges = _count(_HEDGE, clean)
    sup_t, con_t = _terms(support_terms, sentence), _terms(contradict_terms, sentence)
    cues: list[str] = []
    support = contradict = 0.0
    if polarity == "no-effect":
        harmless, harm = _count(_HARMLESS, clean), _count(_HARM, clean)
        support += len(null) + 1.5 * len(harmless)
        contradict += len([e for e in effect if not _HARMLESS.fullmatch(e)]) + 1.5 * len(harm)
        cues += [f'null "{c}"' for c in null] + [f'safety "{c}"' for c in harmless] + [f'harm "{c}"' for c in harm]
        cues += [f'effect "{c}"' for c in effect if not _HARMLESS.fullmatch(c)]
    elif polarity in ("increase", "decrease"):
        up, down = _count(_UP, stripped), _count(_DOWN, stripped)
        agree, disagree = (up, down) if polarity == "increase" else (down, up)
        support += 1.5 * len(agree)
        contradict += 1.5 * len(disagree) + len(null)
        cues += [f'{"rise" if polarity == "increase" else "fall"} "{c}"' for c in agree]
        cues += [f'opposite "{c}"' for c in disagree] + [f'null "{c}"' for c in null]
        if not agree and not disagree:
            support += 0.5 * len(effect)
    else:
        support += len(effect)
        contradict += 1.6 * len(null)
        cues += [f'effect "{c}"' for c in effect] + [f'null "{c}"' for c in null]
    support += 3 * len(sup_t)
    contradict += 3 * len(con_t)
    cues += [f'claim term "{t}"' for t in sup_t] + [f'claim contradiction term "{t}"' for t in con_t]
    if hedges:
        cues.append("hedge " + ", ".join(f'"{h}"' for h in hedges[:3]))
    return _Score(support, contradict, cues, len(hedges))


def judge_conclusion(
    statement: str,
    conclusion: str,
    polarity: str = "effect",
    support_terms: Sequence[str] = (),
    contradict_terms: Sequence[str] = (),
) -> Direction:
    """Judge one conclusion text against a statement; the core of ``judge_direction``."""
    sentences = _sentences(conclusion)
    if not sentences:
        return Direction("unclear", "", 0.0, "no conclusion text to judge")
    topic = _words(statement)
    total_s = total_c = 0.0
    hedge_n = 0
    best: tuple[float, str, list[str]] = (-1.0, sentences[-1], [])
    units = [(i, sentence, clause) for i, sentence in enumerate(sentences) for clause in _clauses(sentence)]
    for i, sentence, clause in units:
        scored = _score(clause, polarity, tuple(support_terms), tuple(contradict_terms))
        s, c, cues = scored.support, scored.contradict, scored.cues
        hedge_n += scored.hedges
        overlap = len(topic & _words(clause))
        weight = (1.0 + 0.5 * min(overlap, 4)) * (1.2 if i == 0 else 1.0)
        total_s += weight * s
        total_c += weight * c
        strength = weight * abs(s - c) + 0.01 * overlap
        if strength > best[0]:
            best = (strength, sentence, cues)
    _, sentence, cues = best
    cue_text = "; ".join(c for c in cues if not c.startswith("hedge")) or "no direction cues"
    margin = total_s - total_c
    mass = total_s + total_c
    if mass == 0:
        on_topic = max(sentences, key=lambda x: len(topic & _words(x)))
        shared = sorted(topic & _words(on_topic))
        if len(shared) >= 2 and hedge_n == 0 and polarity != "no-effect":
            # A plain affirmative sentence about the claim's own subject, with no negation.
            return Direction(
                "supports",
                on_topic,
                0.3,
                f"no explicit cues; an affirmative, unhedged statement on the claim's subject "
                f"(shared words: {', '.join(shared[:5])})",
            )
        return Direction("unclear", sentence, 0.2, "no effect, null or claim-specific cues in the conclusion")
    conf = round(min(0.95, 0.4 + 0.5 * abs(margin) / (mass + 1.0)), 2)
    hedged = f"; hedged ({hedge_n} hedge cue{'s' if hedge_n != 1 else ''})" if hedge_n else ""
    if abs(margin) < 0.1 * mass and total_s > 0 and total_c > 0:
        return Direction(
            "mixed",
            sentence,
            round(conf * 0.8, 2),
            f"cues point both ways ({total_s:.1f} for, {total_c:.1f} against): {cue_text}{hedged}",
        )
    direction = "supports" if margin > 0 else "contradicts"
    if hedge_n >= 3 and abs(margin) < 2:
        return Direction(
            "mixed",
            sentence,
            round(conf * 0.7, 2),
            f"weak {direction[:-1]} cues under heavy hedging: {cue_text}{hedged}",
        )
    if hedge_n:
        conf = round(conf * 0.85, 2)
    return Direction(direction, sentence, conf, f"polarity {polarity}: {cue_text}{hedged}")


def conclusion_text(record: Record) -> tuple[str, str]:
    """(conclusion, where it came from): the labelled conclusion section, else the last 2 sentences."""
    for section in reversed(record.abstract_sections):
        label = (section.label or "").upper().strip(" :")
        if (section.nlm_category or "").upper() == "CONCLUSIONS" or label in _CONCLUSION_LABELS:
            return section.text, f'the abstract\'s "{section.label or section.nlm_category}" section'
    sentences = _sentences(record.abstract)
    if not sentences:
        return "", "no abstract"
    return " ".join(sentences[-2:]), "the abstract's last sentences (no labelled conclusion)"


# Words too general to show that a study is about a claim's subject.
_GENERIC = {
    "patien",
    "treatm",
    "therap",
    "study",
    "studie",
    "effect",
    "effects",
    "result",
    "clinic",
    "use",
    "used",
    "level",
    "levels",
    "increa",
    "decrea",
    "associ",
    "risk",
    "can",
    "may",
    "cause",
    "causes",
    "people",
    "human",
    "humans",
    "improv",
    "reduce",
    "reduct",
    "signif",
    "respon",
    "long-t",
    "short-",
    "term",
    "high",
    "low",
    "lead",
    "leads",
    "adult",
    "adults",
    "health",
    "medica",
    "disord",
    "condit",
    "rapid",
    "common",
    "severe",
    "sympto",
    "impair",
    "eviden",
    "benefi",
}


def claim_topic(claim: Claim) -> set[str]:
    """The claim's subject words (stemmed): statement, PICO fields and its own terms."""
    text = " ".join(
        filter(
            None,
            (
                claim.statement,
                claim.population,
                claim.intervention,
                claim.outcome,
                *claim.support_terms,
                *claim.contradict_terms,
            ),
        )
    )
    return _words(text) - _GENERIC


# Words of an intervention that do not name it ("repeated ketamine infusion" is about ketamine).
_NOT_THE_AGENT = {
    "intravenous",
    "infusion",
    "infusions",
    "repeated",
    "single",
    "dose",
    "doses",
    "subanaesthetic",
    "subanesthetic",
    "low-dose",
    "therapy",
    "treatment",
    "oral",
    "nasal",
    "intranasal",
    "use",
}


def intervention_terms(claim: Claim) -> tuple[str, ...]:
    """The words that name the claim's intervention (e.g. "ketamine", "esketamine")."""
    words = re.findall(r"[a-z][a-z0-9-]{3,}", (claim.intervention or "").lower())
    return tuple(w for w in words if w not in _NOT_THE_AGENT and w not in _STOP)


def judge_direction(claim: Claim, record: Record) -> Direction:
    """Direction of one study's finding for a claim, read from the abstract's conclusion.

    A record that never names the claim's intervention, or whose conclusion shares no subject
    word with the claim (nor does its title), is not read as evidence either way: generic
    "effective"/"no difference" cues about another subject would otherwise count for or against
    the claim.
    """
    text, source = conclusion_text(record)
    if not text:
        return Direction("unclear", "", 0.0, f"PMID {record.pmid} has no abstract: direction needs a reviewer")
    agents = intervention_terms(claim)
    whole = f"{record.title} {record.abstract} {text}".lower()
    if agents and not any(a in whole for a in agents):
        return Direction(
            "unclear",
            "",
            0.1,
            f"off topic: the record never mentions {' or '.join(agents)}; a reviewer can mark it relevant",
            on_topic=False,
        )
    topic = claim_topic(claim)
    if topic and not topic & _words(f"{record.title} {text}"):
        return Direction(
            "unclear",
            "",
            0.1,
            "off topic: neither the title nor the conclusion mentions the "
            f"claim's subject ({', '.join(sorted(topic)[:6])}); a reviewer can mark it relevant",
            on_topic=False,
        )
    result = judge_conclusion(claim.statement, text, claim.polarity, claim.support_terms, claim.contradict_terms)
    return Direction(result.direction, result.sentence, result.confidence, f"from {source}; {result.reason}")


def apply_annotation(direction: Direction, annotation: Annotation | None) -> Direction:
    """A reviewer's direction overrides the automatic one, with full confidence."""
    if annotation is None or annotation.direction is None:
        return direction
    if annotation.direction not in DIRECTIONS:
        return direction
    note = f": {annotation.note}" if annotation.note else ""
    return Direction(annotation.direction, direction.sentence, 1.0, f"reviewed by {annotation.reviewer}{note}",
                     judge=f"reviewer {annotation.reviewer}", on_topic=True)
