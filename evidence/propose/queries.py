"""PubMed queries in the house style: one block per concept, a MeSH heading plus [tiab] synonyms, blocks ANDed.

A concept's block is ``"<heading>"[mh] OR "<the article's words>"[tiab] OR "<entry term>"[tiab] ...``
(docs/claims.md section 3). A concept with no MeSH heading is searched in titles and abstracts
only, and the claim's note says so, so a writer knows which words to check by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from evidence.propose.mesh import ConceptMatch, Descriptor

__all__ = ["Block", "QueryDraft", "block_for", "free_text_block", "build_query", "KIND_BLOCKS"]

MAX_SYNONYMS = 4
MAX_OUTCOME_BLOCKS = 2
# A claim whose words name no outcome concept still says what kind of thing it claims; these
# blocks are the standard PubMed wording for it (the house registry uses the same).
KIND_BLOCKS = {
    "safety": ('"adverse effects"[sh] OR "side effect*"[tiab] OR "adverse event*"[tiab] OR safety[tiab]'),
    "epidemiology": '"prevalence"[mh] OR prevalence[tiab] OR incidence[tiab]',
}
_UNSAFE = re.compile(r"[\"\[\]()*:]")


@dataclass(frozen=True)
class Block:
    concept: str  # what the block is about (the article's words)
    query: str
    terms: tuple[str, ...]  # the [tiab] words, for the claim's *_terms fields
    mesh: str | None  # the heading, or None when nothing mapped


@dataclass(frozen=True)
class QueryDraft:
    query: str
    blocks: tuple[Block, ...]
    unmapped: tuple[str, ...]  # concepts searched without a MeSH heading


def _clean(term: str) -> str:
    term = term.replace("’", "'").replace("‘", "'").replace("“", "").replace("”", "")
    term = re.sub(r"'s\b", "", term)
    return " ".join(term.split()).strip(" .,;-").lower()


def _tiab(term: str) -> str:
    return f'"{term}"[tiab]' if " " in term or "-" in term else f"{term}[tiab]"


def _synonyms(surface: str, descriptor: Descriptor | None) -> list[str]:
    out = [_clean(surface)]
    if descriptor is not None:
        out.append(_clean(descriptor.name if ", " not in descriptor.name else
                          " ".join(reversed(descriptor.name.split(", ", 1)))))
        for term in descriptor.terms:
            if ", " not in term and len(term.split()) <= 3 and not _UNSAFE.search(term):
                out.append(_clean(term))
        out += [_clean(a) for a in descriptor.abbreviations if len(a) >= 3 and not _UNSAFE.search(a)]
    seen: dict[str, None] = {}
    for term in out:
        if term and not _UNSAFE.search(term) and term not in seen and len(term) > 2:
            seen[term] = None
    return list(seen)[:MAX_SYNONYMS]


def block_for(surface: str, descriptor: Descriptor) -> Block:
    terms = _synonyms(surface, descriptor)
    heading = descriptor.name.lower()
    parts = [f'"{heading}"[mh]'] + [_tiab(t) for t in terms]
    return Block(_clean(surface), " OR ".join(parts), tuple(terms), descriptor.name)


def free_text_block(phrase: str) -> Block:
    term = _clean(phrase)
    return Block(term, _tiab(term), (term,), None)


def _priority(d: Descriptor) -> int:
    if d.generic:
        return 5
    if d.disorder:
        return 0
    if d.substance:
        return 1
    if d.categories & {"F", "G"}:
        return 2
    if d.procedure:
        return 3
    return 4


def build_query(concepts: list[ConceptMatch], intervention: Block | None, kind: str,
                population: str | None = None) -> QueryDraft:
    """The intervention's block (if any) AND up to two outcome blocks AND, failing those, a kind block."""
    blocks: list[Block] = [intervention] if intervention else []
    skip = {intervention.mesh} if intervention and intervention.mesh else set()
    skip |= {intervention.concept} if intervention else set()
    # The population's condition ("individuals with depression") comes first, however broad its heading.
    who = (population or "").lower()
    ranked = sorted((c for c in concepts if c.descriptor.health),
                    key=lambda c: (-1 if c.surface.lower() in who else _priority(c.descriptor), c.start))
    for c in ranked:
        if len(blocks) - bool(intervention) >= MAX_OUTCOME_BLOCKS:
            break
        if c.descriptor.name in skip or _clean(c.surface) in skip:
            continue
        if blocks and any(b.mesh == c.descriptor.name for b in blocks):
            continue
        specific = any(_priority(x.descriptor) < 5 for x in ranked if x is not c and x.descriptor.name not in skip)
        if c.surface.lower() not in who and _priority(c.descriptor) == 5 and specific:
            continue  # a broad word ("pain") only when nothing more specific is named
        blocks.append(block_for(c.surface, c.descriptor))
    if len(blocks) <= 1 and kind in KIND_BLOCKS:
        blocks.append(Block(kind, KIND_BLOCKS[kind], (), kind))
    if not blocks:
        return QueryDraft("", (), ())
    query = " AND ".join(f"({b.query})" if " OR " in b.query else b.query for b in blocks)
    return QueryDraft(query, tuple(blocks), tuple(b.concept for b in blocks if b.mesh is None))
