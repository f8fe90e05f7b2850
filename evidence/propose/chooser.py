"""The claim chooser: which sentences of an article make a checkable health assertion, cut to one claim each.

``choose(text, ...)`` reads every unit (sentence, heading, list item) and returns the chosen
quotes (``Choice``: a span of the text, so always verbatim) and a ``Decision`` for every unit
with its reason, kept or not. Rules, in order:

1. Out: headings, questions, the publisher's voice and offer ("we", "book now", a membership, the
   publisher's name as a name; a quoted speaker's "we" is the speaker's), advice ("if you",
   imperatives, "you should"; but "should not ... in people with" is a contraindication and
   stays), sentences about the article itself ("in this article", "for more on").
2. A sentence is cut into clauses at contrast words ("but", "although", ";"); a leading
   "While X," is a concession and is dropped unless it reports a finding ("the data did not
   show"), as are clauses about the state of research ("more research is needed"), how a study
   was run without what it found ("randomly assigned", "were followed for") and anecdotes
   ("many patients report"), unless the anecdote carries a safety statement.
3. A clause stays when it names a health concept (MeSH) or the article's subject, and carries
   a claim cue: an effect verb, efficacy or safety words, "studies have shown", a rate or a
   number, a comparison, a contraindication. A definition ("X is a gas that ...") stays only
   with a cue beyond its own wording (a rate, evidence, harm, efficacy, a drug's class).
4. A kept clause that asserts two things is split: an enumeration of disorders ("psychosis,
   schizophrenia, or heart conditions") gives one claim per disorder, and two effect verbs
   joined by "and" ("lightens the skin and slows ageing") one claim per verb; the items of a
   list introduced by "side effects include:" are one claim each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from evidence.propose import cues
from evidence.propose.mesh import ConceptMatch, Descriptor, Mesh
from evidence.propose.sentences import Unit, list_items, split_clauses, split_units, trim_span

__all__ = ["Choice", "Decision", "Topic", "choose", "find_topic", "abbreviation_aliases"]


@dataclass(frozen=True)
class Topic:
    """What the article is about ("ketamine", "IV vitamin therapy"): pronouns and "the drug" refer to it."""

    phrase: str
    descriptor: Descriptor | None = None
    aliases: tuple[str, ...] = ()  # the article's abbreviations of it ("HBOT")

    def named_in(self, text: str) -> bool:
        low = text.lower()
        return self.phrase.lower() in low or any(re.search(rf"\b{re.escape(a)}\b", text) for a in self.aliases)


@dataclass(frozen=True)
class Choice:
    start: int  # the quote: text[start:end]
    end: int
    reason: str  # why it is a claim
    statement_text: str  # the words the neutral statement is written from (a whole proposition)
    unit_start: int  # the sentence it comes from
    unit_end: int
    split: str = ""  # how it was cut from its sentence, if it was


@dataclass(frozen=True)
class Decision:
    start: int
    end: int
    text: str
    kept: bool
    reason: str


_DISORDER_HEAD = re.compile(r"\b(conditions?|disorders?|diseases?|problems|infections?|injur(?:y|ies))\W*$", re.I)
# Between two listed conditions: a comma or and/or, then at most three words ("or a history of").
_SEPARATOR = re.compile(r"(?:,\s*|,?\s+(?:and|or)\s+)(?:(?:and|or)\s+)?(?:[\w'’\-]+\s+){0,3}", re.I)
_LIST_LEAD = re.compile(r"\b(such as|including|like|e\.g\.|for example)\b", re.I)
# Cue words that, after "and", are not a second verb ("and more", "and higher doses").
_NOT_VERBS = frozenset({"more", "higher", "fewer", "less", "lower", "rise", "spike", "surge", "relief", "reduction",
                        "improvement", "impairment", "release", "form", "forms", "drop", "damage", "blockade"})
_CONNECTIVE = re.compile(r"^(?:although|though|but|yet|which is why|and|so)\s+", re.I)
_LIST_INTRO = re.compile(r"\b(side[- ]effects?|symptoms?|risks?|benefits?|effects|include|includes|such as)\b", re.I)
_VERB_AND = re.compile(r",?\s+and\s+(?P<rest>(?:(?:can|may|also|it|they)\s+)*)(?=(?P<verb>\w+)\b)", re.I)
# A quotation credited to a speaker ("“We know ...,” says Dr. X" / "Dr. X said, “We ...”"): its "we" is
# the speaker's, not the publisher's.
_SAID = r"(?:says|said|writes|wrote|adds|added|explains|explained|notes|noted|told|according)"
_ATTRIBUTED_QUOTE = re.compile(
    rf"[“\"][^“”\"]*[”\"](?=\s*,?\s*(?:[\w.’'\-]+\s+){{0,6}}?{_SAID}\b)|\b{_SAID}[,:]\s*[“\"][^“”\"]*[”\"]?")
# Result cues: a clause that says how a study was run is still a claim when it also says what it found.
_RESULT_CUES = (cues.EVIDENCE, cues.COMPARISON, cues.INCREASE, cues.DECREASE, cues.CAUSE)
_ABBREVIATION_DEF = re.compile(r"([A-Za-z][\w'’\- ]{2,60}?)\s+\(([A-Z][A-Za-z0-9\-]{1,9})\)")
_CLAIM_CUES = (cues.INCREASE, cues.DECREASE, cues.CAUSE, cues.EFFECT, cues.EFFICACY, cues.SAFETY, cues.EVIDENCE,
               cues.EPIDEMIOLOGY, cues.NUMBER, cues.COMPARISON, cues.CONTRAINDICATION, cues.PHARMACOLOGY)
_DEFINITION_CUES = (cues.EVIDENCE, cues.EPIDEMIOLOGY, cues.SAFETY, cues.CAUSE, cues.EFFICACY, cues.PHARMACOLOGY,
                    cues.CONTRAINDICATION)


def abbreviation_aliases(text: str, mesh: Mesh) -> dict[str, Descriptor]:
    """"hyperbaric oxygen therapy (HBOT)": the article's own abbreviations, mapped to what they abbreviate."""
    aliases = {}
    for m in _ABBREVIATION_DEF.finditer(text):
        long_form, short = m.group(1), m.group(2)
        found = mesh.scan(long_form)
        if found and found[-1].end >= len(long_form.rstrip()) - 1:
            aliases[short] = found[-1].descriptor
    return aliases


def _title_case(line: str) -> bool:
    words = [w for w in re.findall(r"[A-Za-z][\w’'\-]*", line) if len(w) > 3]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def find_topic(title: str, text: str, mesh: Mesh, aliases: dict[str, Descriptor] | None = None) -> Topic:
    """What the article is about: the title phrase (up to 4 words) the body repeats at least 3 times (its
    abbreviation counts), a drug or procedure first, then the phrase MeSH covers best, then the longer;
    failing that, the drug or procedure the body names most."""
    aliases = aliases or {}
    words = re.findall(r"[A-Za-z0-9][\w\-]*", re.sub(r"[’']s\b", "", title))
    body = re.sub(r"[’']s\b", "", text)
    candidates: list[tuple] = []
    for n in range(4, 0, -1):
        for i in range(len(words) - n + 1):
            phrase = " ".join(words[i:i + n])
            matches = mesh.scan(phrase)
            short = tuple(a for a, d in aliases.items() if any(m.descriptor.ui == d.ui for m in matches)
                          and matches[0].start == 0 and matches[-1].end == len(phrase))
            # "Dopamine Depot", "Harbor Light Spa": a name followed by another capitalised word is a proper noun
            # and so is a phrase of several words Capitalised Each Time inside a sentence (headings may)
            count = 0
            for m in re.finditer(rf"\b{re.escape(phrase)}\b(?!(?-i:\s+[A-Z]))", body, re.I):
                line = body[body.rfind("\n", 0, m.start()) + 1:body.find("\n", m.end()) % (len(body) + 1)]
                capitalised = n > 1 and all(w[:1].isupper() for w in m.group().split())
                count += not capitalised or _title_case(line)
            count += sum(len(re.findall(rf"\b{re.escape(a)}\b", body)) for a in short)
            if len(phrase) < 3 or count < 3 or not any(m.descriptor.health for m in matches):
                continue
            acting = [m.descriptor for m in matches if (m.descriptor.substance or m.descriptor.procedure)
                      and not m.descriptor.generic]
            covered = sum(len(m.surface.split()) for m in matches) / n
            candidates.append((count, bool(acting), covered if acting else 0.0, n, phrase,
                               acting[0] if acting else None, short))
    most = max((c[0] for c in candidates), default=0)
    # A drug or procedure the body repeats (at least half as often as its most repeated title phrase)
    # first, the one MeSH covers best; otherwise the longest repeated phrase ("cold plunge therapy").
    ranked = sorted(candidates, key=lambda c: (c[1] and 2 * c[0] >= most, c[2], c[3], c[0]), reverse=True)
    if ranked:
        _count, _acting, _covered, _n, phrase, descriptor, short = ranked[0]
        return Topic(phrase if phrase.isupper() else phrase.lower(), descriptor or mesh.lookup(phrase), short)
    counts: dict[str, int] = {}
    for c in mesh.scan(text):
        if (c.descriptor.substance or c.descriptor.procedure) and not c.descriptor.generic:
            counts[c.descriptor.name] = counts.get(c.descriptor.name, 0) + 1
    if counts:
        name = max(counts, key=lambda k: counts[k])
        return Topic(name.lower(), mesh.named(name))
    return Topic(words[0].lower() if words else "the treatment")


def _has(pattern_list: tuple[re.Pattern[str], ...], text: str) -> str | None:
    for pattern in pattern_list:
        if pattern.search(text):
            return _CUE_NAMES[id(pattern)]
    return None


_CUE_NAMES = {id(getattr(cues, name)): name.lower().replace("_", " ") for name in cues.__all__}


class _Reader:
    def __init__(self, text: str, mesh: Mesh, topic: Topic, publisher: str, aliases: dict[str, Descriptor]):
        self.text, self.mesh, self.topic, self.publisher = text, mesh, topic, " ".join(publisher.split())
        self.aliases = aliases
        self.choices: list[Choice] = []
        self.decisions: list[Decision] = []

    def concepts(self, start: int, end: int) -> list[ConceptMatch]:
        return [ConceptMatch(c.start + start, c.end + start, c.surface, c.descriptor)
                for c in self.mesh.scan(self.text[start:end], self.aliases)]

    def health(self, start: int, end: int) -> bool:
        piece = self.text[start:end]
        bare = _CONNECTIVE.sub("", piece)
        return (any(c.descriptor.health for c in self.concepts(start, end))
                or self.topic.named_in(piece) or bool(cues.ANAPHOR.match(bare))
                or bool(cues.HEALTH_WORDS.search(piece)))

    def decide(self, unit: Unit, kept: bool, reason: str) -> None:
        self.decisions.append(Decision(unit.start, unit.end, unit.text, kept, reason))

    # -- one unit ---------------------------------------------------------------------------
    def read(self, unit: Unit) -> None:
        if unit.role == "heading":
            return self.decide(unit, False, "heading")
        if unit.role == "intro" and self.health(unit.start, unit.end) and _LIST_INTRO.search(unit.text):
            return self.read_list(unit)
        if unit.role == "intro":  # not a list of effects: the sentence and its items are read one by one
            for item in unit.items:
                self.read(item)
            unit = Unit(unit.start, unit.end, unit.text, "sentence", unit.paragraph)
        if unit.role == "item" and len(unit.text.split()) < 5:
            return self.decide(unit, False, "list item without a sentence that introduces it")
        excluded = self.excluded(unit.text)
        if excluded:
            return self.decide(unit, False, excluded)
        kept = self.clauses(unit)
        if isinstance(kept, str):
            return self.decide(unit, False, kept)
        for start, end, reason in kept:
            self.split(unit, start, end, reason)
        self.decide(unit, True, "; ".join(dict.fromkeys(reason for _s, _e, reason in kept)))

    def excluded(self, sentence: str) -> str | None:
        if sentence.rstrip().endswith("?"):
            return "question"
        if cues.META.search(sentence):
            return "about the article itself"
        if self.names_publisher(sentence) or cues.MARKETING.search(_ATTRIBUTED_QUOTE.sub(" ", sentence)):
            return "the publisher's voice or offer (marketing)"
        if cues.ADVICE.search(sentence) and not cues.CONTRAINDICATION.search(sentence):
            return "advice"
        return None

    def names_publisher(self, sentence: str) -> bool:
        """The publisher's name as a name: whole words; a one-word name ("Time", "Prevention") only as
        spelled and not as the sentence's first word, where any word is capitalised."""
        if not self.publisher:
            return False
        if " " in self.publisher:
            return bool(re.search(rf"\b{re.escape(self.publisher)}\b", sentence, re.I))
        lead = len(sentence) - len(sentence.lstrip("“\"'‘("))
        return any(m.start() > lead for m in re.finditer(rf"\b{re.escape(self.publisher)}\b", sentence))

    def clauses(self, unit: Unit) -> list[tuple[int, int, str]] | str:
        """The claim clauses of a sentence as (start, end, reason), or the reason there is none."""
        kept: list[tuple[int, int, str]] = []
        why_not: list[str] = []
        previous: tuple[int, int] | None = None
        for start, end, conceded in split_clauses(self.text, unit.start, unit.end):
            piece = self.text[start:end]
            anaphoric = bool(re.match(r"(?:although|though|but|yet|which is why)?\s*(?:these|this|it|they|which)\b",
                                      piece, re.I))
            reason = self.clause_reason(piece, start, end, conceded)
            if self.text[end:end + 1] == ":" and len(piece.split()) <= 5:
                reason = "out:a label before a colon"
            if reason.startswith("out:"):
                why_not.append(reason[4:])
                previous = None if conceded or "research" in reason else (start, end)
                continue
            if anaphoric and previous is not None and not any(s == previous[0] for s, _e, _r in kept):
                start = previous[0]  # "..., although these are short-lived": quote what "these" refers to
            elif anaphoric and kept and not self.has_concept(start, end):
                start = kept.pop()[0]
            kept.append((start, end, reason))
            previous = (start, end)
        return kept or (why_not[0] if why_not else "no claim")

    def has_concept(self, start: int, end: int) -> bool:
        return any(c.descriptor.health for c in self.concepts(start, end))

    def clause_reason(self, piece: str, start: int, end: int, conceded: bool) -> str:
        if conceded and not cues.EVIDENCE.search(piece):  # "While the data did not show X, ...": a finding
            return "out:a concession (\"while ...\"), not the point the sentence makes"
        if cues.RESEARCH_STATE.search(piece):
            return "out:about the state of research"
        if cues.STUDY_DESIGN.search(piece) and not _has(_RESULT_CUES, piece):
            return "out:how the study was run (its design), not what it found"
        if cues.ANECDOTE.search(piece) and not cues.SAFETY.search(piece):
            return "out:anecdote"
        if cues.VAGUE.search(piece):
            return "out:praise without a checkable content (\"shows promise\")"
        if not self.health(start, end):
            return "out:no health concept"
        if cues.DEFINITION.match(piece) and not _has(_DEFINITION_CUES, piece):
            return "out:a definition"
        cue = _has(_CLAIM_CUES, piece)
        return f"{cue} + health concept" if cue else "out:no claim cue (effect, rate, risk, evidence)"

    # -- splitting ---------------------------------------------------------------------------
    def split(self, unit: Unit, start: int, end: int, reason: str) -> None:
        piece = self.text[start:end]
        enumeration = self.enumeration(start, end)
        if enumeration:
            first, last = enumeration[0][0], enumeration[-1][1]
            for i, (s, e) in enumerate(enumeration):
                quote_start = start if i == 0 else s
                statement = self.text[start:first] + self.text[s:e] + self.text[last:end]
                # the last item keeps the rest of the clause when it asserts more ("..., as well as changes in X")
                tail = end if len(self.text[last:end].split()) >= 3 else max(e, last)
                self.add(quote_start, e if i < len(enumeration) - 1 else tail, reason, statement, unit,
                         "one claim per disorder named")
            return
        parts = self.verb_parts(start, end)
        if len(parts) > 1:
            subject = self.text[start:parts[0][2]]
            for i, (s, e, _verb) in enumerate(parts):
                self.add(s if i else start, e, reason, (subject if i else "") + self.text[s:e], unit,
                         "one claim per effect")
            return
        self.add(start, end, reason, piece, unit, "" if (start, end) == (unit.start, unit.end) else "clause")

    def add(self, start: int, end: int, reason: str, statement: str, unit: Unit, split: str) -> None:
        start, end = trim_span(self.text, start, end)
        if end > start:
            self.choices.append(Choice(start, end, reason, " ".join(statement.split()), unit.start, unit.end, split))

    def enumeration(self, start: int, end: int) -> list[tuple[int, int]]:
        """Spans of the disorders in "A, B, or C" when at least two are disorders and no "such as" leads in."""
        disorders = [c for c in self.concepts(start, end) if c.descriptor.disorder]
        if len(disorders) < 2 or _LIST_LEAD.search(self.text[disorders[0].start:disorders[-1].end]):
            return []  # "anxiety disorders, such as PTSD and OCD": examples of one claim, not several
        # The list starts at the first disorder followed by a separator ("pain in patients with
        # neuropathic pain, fibromyalgia": at "neuropathic pain", not at the first "pain").
        first = next((a for a, b in zip(disorders, disorders[1:], strict=False)
                      if _SEPARATOR.fullmatch(self.text[a.end:b.start])), None)
        if first is None:
            return []
        disorders = [c for c in disorders if c.start >= first.start]
        items = list_items(self.text, first.start, end)
        out: list[tuple[int, int]] = []
        pending: tuple[int, int] | None = None
        for s, e in items:
            if pending is not None:
                s = pending[0]
            item = self.text[s:e]
            inside = [c for c in disorders if s <= c.start < e]
            head = _DISORDER_HEAD.search(item)
            if not inside and not head:
                if pending is None and len(item.split()) <= 3 and self.text[e:e + 5].strip().startswith("and"):
                    pending = (s, e)
                    continue
                break
            pending = None
            cut = max([c.end for c in inside] + ([s + head.end(1)] if head else []))
            out.append(trim_span(self.text, s, cut))
            if cut < e:
                break
        return out if len(out) >= 2 else []

    def verb_parts(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """"X lightens the skin and slows ageing" -> [(start, end, where the verb begins), ...]."""
        piece = self.text[start:end]
        verbs = (cues.INCREASE, cues.DECREASE, cues.CAUSE, cues.EFFECT)
        # finite verbs only: not the sentence's first word ("Increased neuroplasticity ...") nor a participle
        found = sorted(m.start() for p in verbs for m in p.finditer(piece)
                       if m.start() > 0 and not m.group().lower().endswith(("ing", "ed")))
        if not found:
            return []
        for m in _VERB_AND.finditer(piece, found[0] + 1):
            word = m.group("verb")
            if word.lower() in _NOT_VERBS or word.lower().endswith("ing") or not any(p.fullmatch(word) for p in verbs):
                continue
            left, right = (start, start + m.start()), (start + m.start("rest"), end)
            if self.has_concept(*left) and self.has_concept(*right):
                verb = max(f for f in found if f < m.start())  # the verb the second one pairs with
                return [(*left, start + verb), (*right, right[0])]
        return []

    def read_list(self, unit: Unit) -> None:
        lead = unit.text.rstrip(":").strip()
        kept = 0
        for item in unit.items:
            if len(item.text.split()) > 8:  # a sentence of its own, not a name in a list
                self.read(Unit(item.start, item.end, item.text, "sentence", item.paragraph))
            elif self.has_concept(item.start, item.end):
                statement = f"{lead} {item.text[:1].lower()}{item.text[1:]}"
                self.choices.append(Choice(item.start, item.end, "a listed effect", statement, item.start, item.end,
                                           "one claim per list item"))
                self.decide(item, True, "a listed effect of: " + lead)
                kept += 1
            else:
                self.decide(item, False, "no health concept")
        self.decide(unit, False, f"introduces a list ({kept} items kept as claims)")


def choose(text: str, mesh: Mesh, *, title: str = "", publisher: str = "",
           topic: Topic | None = None) -> tuple[list[Choice], list[Decision], Topic]:
    """The claims of ``text``: chosen quotes, a decision for every unit, and the topic they were read against."""
    aliases = abbreviation_aliases(text, mesh)
    topic = topic or find_topic(title or text.split("\n", 1)[0], text, mesh, aliases)
    reader = _Reader(text, mesh, topic, publisher, aliases)
    for unit in split_units(text):
        reader.read(unit)
    reader.decisions.sort(key=lambda d: d.start)
    return reader.choices, reader.decisions, topic
