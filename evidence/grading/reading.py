"""Read one clause of a study's conclusion against a claim: what it says for, against or beside it.

Each cue is bound to what it is about before it counts:
  - a negation whose subject is the comparator ("while saline did not") is evidence for the
    contrast, not a null finding; a negation about method ("was not assessed") is no finding;
  - words after "rather than" / "(not ...)" are not findings;
  - a change word counts in the direction of its verb ("fell more than with midazolam" is a fall);
  - what counts as "for" depends on the claim: its polarity (effect, no-effect, increase,
    decrease), whether the effect is a benefit or a harm, and whether it asserts that an
    effect depends on a mechanism ("blocking B abolished A" supports it).
Pure; ``evidence.grading.direction`` combines clause readings into a study's direction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from evidence.grading import lexicon as lx
from evidence.grading.relevance import Concepts, mentions
from evidence.models import Claim

__all__ = ["ClauseReading", "read_clause", "clauses", "sentences", "ClaimShape", "shape_of"]

_I = re.IGNORECASE


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z(\[0-9])", text.strip())
    return [p.strip() for p in parts if p.strip()]


_CONTRAST = r"(?:but|whereas|while|however|although|though|yet|except|despite|with the exception)"


def clauses(sentence: str) -> list[str]:
    """Contrasting clauses read separately: "X lowered A, while placebo did not"; "A rose, but B did not";
    "Despite A, B"; "A lowered pain with no functional improvement"."""
    sentence = re.sub(r"^(Despite|Although|Though|While|Whereas)\b([^,]{3,}),", r"\1\2;", sentence.strip(), flags=_I)
    parts = re.split(rf"(?:,|;|\s-)\s*(?={_CONTRAST}\b)|;\s+|\s+(?=whereas\b)|,\s+(?=and (?:the|no|not)\b)|"
                     r"\s+(?=(?:with|but|and) no\b)|,\s+(?=so\b|thus\b|i\.e\.)|"
                     r"\s+(?=but (?:is|are|was|were|has|have|had|it|they)\b)", sentence, flags=_I)
    return [p.strip() for p in parts if p and p.strip()] or [sentence]


@dataclass(frozen=True)
class ClaimShape:
    """What "for" means for this claim."""

    polarity: str  # effect | no-effect | increase | decrease
    harm: bool
    dependence: bool  # "X depends on / is due to / is mediated by B": blocking logic applies
    normative: bool  # a precaution: caution supports it
    short_term: bool  # the claim asserts a short-term effect: an end of it is no evidence against
    lasting: bool  # the claim asserts a lasting effect or long-term use
    mechanism: bool  # a mechanism or pharmacology claim
    terms_for: tuple[str, ...]
    terms_against: tuple[str, ...]


def shape_of(claim: Claim) -> ClaimShape:
    statement = claim.statement
    dependence = claim.kind in ("mechanism", "pharmacology") and bool(lx.DEPENDENCE_CLAIM.search(statement))
    normative = claim.modality == "normative" or bool(re.search(r"\bshould not\b|\bcontraindicat", statement, _I))
    short_term = bool(re.search(r"\bshort[- ]term\b|\bacute\b|\btransient\b|\btemporary\b|\bshort[- ]lived\b|"
                                r"\bresolve", statement, _I))
    lasting = bool(re.search(r"\blong[- ]term\b|\blasting\b|\bpersist|\bdurable\b|\bweeks to months\b|\brepeated\b",
                             statement, _I))
    lasting = lasting or any(q.kind == "duration" and q.bound == "at-least" for q in claim.quantities)
    return ClaimShape(claim.polarity, claim.harm, dependence, normative, short_term, lasting,
                      not claim.clinical, tuple(claim.support_terms), tuple(claim.contradict_terms))


@dataclass
class ClauseReading:
    for_: float = 0.0
    against: float = 0.0
    cues: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)  # unmeasured, qualified, partial, noncommit, caution, hedged...
    hedges: int = 0  # hedge cues in the clause

    def add(self, side: str, weight: float, cue: str) -> None:
        if side == "for":
            self.for_ += weight
        else:
            self.against += weight
        self.cues.append(cue)


def _found(pattern: re.Pattern[str], text: str) -> list[str]:
    return [m.group(0) for m in pattern.finditer(text)]


def _comparator_negation(text: str, start: int, end: int, c: Concepts) -> str | None:
    """The comparator arm's name when a negation is about that arm, not the intervention.

    "ketamine lowered X, while saline did not" (the comparator is the subject) and "not seen
    in healthy controls" (the comparator is where the effect was absent) are contrasts that
    favour the intervention; "did not differ from placebo" and "compared with placebo,
    ketamine did not" are real null findings.
    """
    before = text[max(0, start - 60):start]
    comps = list(lx.COMPARATOR.finditer(before))
    if comps:
        comp = comps[-1]
        between = before[comp.end():].lower()
        lead = before[:comp.start()][-14:]
        if not any(mentions(t, between) for t in c.intervention) and not re.search(
                r"(?:than|versus|vs\.?|with|to|between|and|from)\s*(?:the\s+)?$", lead, _I):
            return comp.group(0)
    after = text[end:end + 40]
    m = re.match(r"\s*(?:\w+\s+){0,2}?(?:in|with|on|among|for|by|under)\s+(?:the\s+)?", after, _I)
    if m and lx.COMPARATOR.match(after[m.end():]):
        return lx.COMPARATOR.match(after[m.end():]).group(0)  # type: ignore[union-attr]
    return None


def _null_scopes(text: str, c: Concepts) -> tuple[list[tuple[int, int]], list[str], list[str]]:
    """(spans of real null findings, their cues, comparator negations set aside)."""
    spans, nulls, comparator = [], [], []
    for m in lx.NULL.finditer(text):
        arm = _comparator_negation(text, m.start(), m.end(), c)
        if arm is not None:
            comparator.append(f"{arm}: {m.group(0)}")
            continue
        end = len(text)
        stop = re.search(rf"[,;:.]|\b{_CONTRAST}\b", text[m.end():], _I)
        if stop:
            end = m.end() + stop.start()
        before = text[max(0, m.start() - 5):m.start()]
        if m.group(0).lower().startswith("not") and re.search(r"\b(?:but|and)\s*$", before, _I):
            # "a subanaesthetic but not an anaesthetic dose increased...": the negation covers its own
            # few words, not the rest of the clause.
            short = re.match(r"(?:\S+\s+){0,4}\S+", text[m.start():])
            end = min(end, m.start() + (short.end() if short else 0))
        spans.append((m.start(), end))
        nulls.append(text[m.start():end].strip()[:48] or m.group(0))
    return spans, nulls, comparator


def _strip(text: str, spans: list[tuple[int, int]]) -> str:
    out, last = [], 0
    for start, end in sorted(spans):
        out.append(text[last:start])
        out.append(" " * (end - start))
        last = max(last, end)
    out.append(text[last:])
    return "".join(out)


_SUFFIXES = ("ations", "ation", "ades", "ade", "ings", "ing", "ed", "es", "s", "ic", "al")


def _stem(word: str) -> str:
    """A word without its inflection ("blocks", "blockade" -> "block"; "psychotic" -> "psychot")."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


_NEGATIVE_TERM = re.compile(r"^(?:no|not|non|did not|does not|without|never|un)\b", _I)


def _term_at(term: str, low: str) -> int:
    """Where a claim term occurs: verbatim, or (a term without a negation) as all its content words
    close together in any order ("NMDA receptor blockade" for "blocks NMDA")."""
    i = low.find(term.lower())
    if i >= 0 or _NEGATIVE_TERM.match(term):
        return i
    words = [_stem(w) for w in re.findall(r"[a-z0-9][a-z0-9-]+", term.lower()) if len(w) > 2]
    if len(words) < 2:
        return -1
    for first in re.finditer(r"(?<![a-z0-9])" + re.escape(words[0]), low):
        window = low[max(0, first.start() - 40): first.start() + 60]
        if all(re.search(r"(?<![a-z0-9])" + re.escape(w), window) for w in words[1:]):
            return first.start()
    return -1


def _terms(terms: tuple[str, ...], text: str, spans: list[tuple[int, int]]) -> tuple[list[str], list[str]]:
    """(claim terms found outside a negation, those found inside one). A term that carries its own
    negation ("no cognitive impairment") is never flipped by it."""
    low = text.lower()
    plain: list[str] = []
    negated: list[str] = []
    for t in terms:
        i = _term_at(t, low)
        if i < 0:
            continue
        inside = any(s <= i < e for s, e in spans) and not _NEGATIVE_TERM.match(t) and not any(
            s == i for s, _e in spans)
        (negated if inside else plain).append(t)
    return plain, negated


def read_clause(clause: str, shape: ClaimShape, c: Concepts) -> ClauseReading:
    """How one clause reads against the claim, with the cues behind it."""
    r = ClauseReading()
    r.hedges = len(lx.HEDGE.findall(clause))
    text = lx.DISCARD.sub(" ", lx.NOT_ONLY.sub(" ", clause))
    for span in lx.RATHER_THAN.findall(text):
        ruled_out = _ruled_out(span, shape, c)
        if ruled_out:
            r.add("against", 2.0, f'rules out what the claim asserts "{span.strip()[:40]}"')
    text = lx.RATHER_THAN.sub(" ", text)
    effect_qualifier = () if shape.harm else ((lx.EFFECT_QUALIFIER, "qualified"),)
    for pattern, flag in (*effect_qualifier, (lx.QUALIFIER, "qualified"), (lx.PARTIAL_ACCOUNT, "partial"),
                          (lx.NON_COMMITMENT, "noncommit"), (lx.CAUTION, "caution"), (lx.HEDGE, "hedged"),
                          (lx.UNDERPOWERED, "underpowered")):
        found = _found(pattern, text)
        if found:
            r.flags.add(flag)
            r.cues.append(f'{flag} "{found[0]}"')
    unmeasured = lx.UNMEASURED.search(text)
    if unmeasured:
        r.flags.add("unmeasured")
        r.cues.append(f'not measured "{unmeasured.group(0)}"')
        # "receptor activation was not assessed": what was not measured is no finding either.
        start = max(text.rfind(",", 0, unmeasured.start()), text.rfind(";", 0, unmeasured.start()), -1) + 1
        text = text[:start] + " " + text[unmeasured.end():]
    text = lx.OPERATIONAL.sub(" ", text)
    if lx.HEDGED_NEGATION.search(text):
        r.flags.add("hedged")
        text = lx.HEDGED_NEGATION.sub(" ", text)
    if "partial" in r.flags:  # "not the sole mechanism" is a partial account, not a null finding
        text = lx.PARTIAL_ACCOUNT.sub(" ", text)
    spans, nulls, comparator = _null_scopes(text, c)
    for neg in comparator:
        r.cues.append(f'comparator arm "{neg}" (a contrast, not a null finding)')
    stripped = _strip(text, spans)
    if shape.dependence and lx.BLOCKER.search(text):
        if lx.NOT_BLOCKED.search(text):
            r.add("against", 2.0, f'blocking did not remove the effect "{lx.NOT_BLOCKED.search(text).group(0)}"')  # type: ignore[union-attr]
            return r
        blocked = lx.BLOCKED.search(stripped)
        if blocked:
            r.add("for", 2.0, f'blocking removed the effect "{blocked.group(0)}"')
            return r
    _align(r, shape, stripped, nulls, text, c.outcome, any(mentions(t, text.lower()) for t in c.outcome),
           c.intervention)
    plain_for, negated_for = _terms(shape.terms_for, text, spans)
    plain_against, negated_against = _terms(shape.terms_against, text, spans)
    # The claim's own words outweigh generic cues: they were written for this claim.
    for t in plain_for + negated_against:
        r.add("for", 2.5, f'claim term "{t}"' + (" (negated)" if t in negated_against else ""))
    for t in plain_against + negated_for:
        r.add("against", 2.5, f'claim term against "{t}"' + (" (negated)" if t in negated_for else ""))
    if "caution" in r.flags and shape.normative:
        r.add("for", 2.0, "a precaution, as the claim asks")
    return r


_BOTH_ARMS = re.compile(r"\b(?:in|with|among) both (?:arms|groups)\b|\bin all (?:arms|groups)\b|"
                        r"\bregardless of (?:treatment|group|arm)\b", _I)


def _ruled_out(span: str, shape: ClaimShape, c: Concepts) -> bool:
    """"rather than GABA activation", "(not enhanced)": the alternative the study rejects is the claim itself."""
    if not re.match(r"\W*(?:rather than|instead of|as opposed to|\((?:and )?not)\b", span, _I):
        return False
    low = span.lower()
    if any(_term_at(t, low) >= 0 for t in shape.terms_for):
        return True
    if shape.polarity not in ("increase", "decrease"):
        return False
    agree = (lx.UP_VERB, lx.UP_NOUN) if shape.polarity == "increase" else (lx.DOWN_VERB, lx.DOWN_NOUN)
    names_outcome = not c.outcome or any(mentions(t, low) for t in c.outcome) or span.lstrip().startswith("(")
    return any(p.search(span) for p in agree) and names_outcome


def _agent_nouns(pattern: re.Pattern[str], stripped: str, agents: tuple[str, ...]) -> list[str]:
    """Change nouns whose agent is the intervention: named before them, or "by/of <intervention>" after."""
    low = stripped.lower()
    found = []
    for m in pattern.finditer(stripped):
        before, after = low[: m.start()], low[m.end(): m.end() + 30]
        names = "|".join(map(re.escape, agents)) or "(?!)"
        if any(t in before for t in agents) or re.match(rf"\s+(?:by|of|with)\s+(?:\w+\s+)?(?:{names})", after):
            found.append(m.group(0))
    return found


def _changes(stripped: str, agents: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    if _BOTH_ARMS.search(stripped):
        return [], []  # a change in every arm is not the intervention's effect
    ups = _found(lx.UP_VERB, stripped) + _agent_nouns(lx.UP_NOUN, stripped, agents)
    downs = _found(lx.DOWN_VERB, stripped) + _agent_nouns(lx.DOWN_NOUN, stripped, agents)
    if not ups and not downs:
        ups, downs = _found(lx.UP_ADJ, stripped), _found(lx.DOWN_ADJ, stripped)
    return ups, downs


_NOT_PREVENTED = re.compile(r"\b(?:did|does|could) not (?:prevent|block|abolish|reverse|protect|stop)\b|"
                            r"\bfailed to (?:prevent|block|abolish|reverse)\b", _I)


_REPORTING = re.compile(r"show|demonstrat|confirm|support", _I)


def _align(r: ClauseReading, shape: ClaimShape, stripped: str, nulls: list[str], text: str,
           outcome_terms: tuple[str, ...] = (), outcome_named: bool = False, agents: tuple[str, ...] = ()) -> None:
    """Cues of the clause counted for or against, by what the claim asserts."""
    if _NOT_PREVENTED.search(text) and shape.polarity != "no-effect":
        r.add("for", 1.0, f'the effect survived "{_NOT_PREVENTED.search(text).group(0)}"')  # type: ignore[union-attr]
        nulls = [n for n in nulls if not re.match(r"(?:did|does|could) not|failed to", n, _I)]
    ups, downs = _changes(stripped, agents)
    goods, bads, bad_nouns = _found(lx.GOOD, stripped), _found(lx.BAD, stripped), _found(lx.BAD_NOUN, stripped)
    adverse, causal, effects = _found(lx.ADVERSE, stripped), _found(lx.CAUSAL, stripped), _found(lx.EFFECT, stripped)
    if shape.polarity == "no-effect":
        _align_harmless(r, shape, stripped, nulls, text, bads + bad_nouns + adverse)
        return
    for n in nulls:
        lasting_null = re.search(r"persist|lasting|long[- ]term|later|follow", n, _I)
        if shape.harm and shape.short_term and lasting_null:
            r.add("for", 1.0, f'no lasting effect "{n}", as a short-term claim expects')
        else:
            r.add("against", 1.4, f'null "{n}"')
    if shape.polarity in ("increase", "decrease") and not (shape.harm and (bads or adverse)):
        agree, disagree = (ups, downs) if shape.polarity == "increase" else (downs, ups)
        if goods and not shape.harm and ups and shape.polarity == "decrease":
            agree, disagree = agree + ups, []  # "doubled remission": more of a good outcome is the claimed fall
        for w in agree:
            r.add("for", 1.5, f'{"rise" if shape.polarity == "increase" else "fall"} "{w}"')
        for w in disagree:
            r.add("against", 1.5, f'opposite change "{w}"')
    elif not shape.harm:
        for w in ups + downs:
            r.add("for", 1.0, f'change "{w}"')
    if shape.harm:
        adverse = [w for w in adverse if not outcome_terms or any(mentions(t, w.lower()) for t in outcome_terms)]
        for w in bads + bad_nouns + adverse + (causal if bads or bad_nouns or adverse or outcome_named else []):
            r.add("for", 1.0, f'harm "{w}"')
        for w in goods:
            r.add("against", 1.0, f'no harm "{w}"')
        for h in _found(lx.HARMLESS, text):
            if shape.short_term or (lx.TRANSIENT.search(h) and not shape.lasting):
                continue  # "brief", "resolved", "without sequelae": the short-term harm still happened
            r.add("against", 1.0, f'harmless "{h}"')
        if not (bads or bad_nouns or adverse or causal) and (ups or downs):
            r.add("for", 0.8, f'change "{(ups + downs)[0]}"')
    else:
        diminished = bool(re.search(r"\b(?:only|merely|at most|little)\b", stripped, _I))
        for w in goods:
            r.add("for", 0.5 if diminished else 1.0, f'benefit "{w}"' + (" (diminished)" if diminished else ""))
        for w in bads + (bad_nouns if ups and not downs else []):
            r.add("against", 1.0, f'worse "{w}"')
        if adverse:
            r.flags.add("harms noted")
        if nulls:
            # "showed that X is not...", "we found no...": a reporting verb introduces the finding;
            # beside a null it is no effect of its own.
            effects = [e for e in effects if not _REPORTING.match(e)]
        if not (ups or downs or goods or bads):
            for e in effects + causal:
                r.add("for", 0.8, f'effect "{e}"')


_LIKE = re.compile(r"(?:equally|similar|comparable|equivalent|as (?:safe|effective|good) as|non-?inferior)\b", _I)


def _align_harmless(r: ClauseReading, shape: ClaimShape, stripped: str, nulls: list[str], text: str,
                    harms: list[str]) -> None:
    """A claim that something is harmless, mild or transient."""
    for h in _found(lx.HARMLESS, stripped):
        r.add("for", 1.5, f'harmless "{h}"')
    for n in nulls:
        if lx.HARMLESS.search(n) and not lx.HARM.search(n) and not _LIKE.match(n):
            # "is not safe", "not well tolerated"; but "equally safe", "as safe as" are no negation
            r.add("against", 1.5, f'not harmless "{n}"')
        else:
            r.add("for", 1.0, f'no effect "{n}"')
    for h in _found(lx.HARM, stripped) + harms:
        if lx.HARMLESS.search(h):
            continue
        r.add("against", 1.2, f'harm "{h}"')
