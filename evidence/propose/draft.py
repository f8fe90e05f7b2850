"""From an article to a draft registry: the chosen quotes described, queried and written as queries.yaml.

``draft_claims(source, article_id)`` is pure (text in, records out); ``render_registry`` turns the
result into YAML in the registry's own schema, every claim marked ``draft: true``;
``propose_article`` does both and writes the files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from evidence.errors import ConfigError
from evidence.fileio import atomic_write
from evidence.models import Quantity
from evidence.propose import cues
from evidence.propose.chooser import Choice, Decision, Topic, choose
from evidence.propose.describe import describe
from evidence.propose.mesh import MESH_VERSION, ConceptMatch, Mesh, load_mesh
from evidence.propose.queries import Block, block_for, build_query, free_text_block
from evidence.propose.source import Source, read_source
from evidence.vocabulary import CLINICAL_KINDS

__all__ = ["DraftClaim", "Proposal", "ProposeResult", "draft_claims", "render_registry", "propose_article", "slug"]


@dataclass(frozen=True)
class DraftClaim:
    id: str
    quote: str
    statement: str
    kind: str
    polarity: str
    query: str
    modality: str = "asserted"
    population: str | None = None
    intervention: str | None = None
    comparator: str | None = None
    outcome: str | None = None
    humans_only: bool = False
    intervention_terms: tuple[str, ...] = ()
    outcome_terms: tuple[str, ...] = ()
    quantities: tuple[Quantity, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Proposal:
    article_id: str
    source: Source
    topic: Topic
    claims: tuple[DraftClaim, ...]
    decisions: tuple[Decision, ...] = field(default=())


@dataclass(frozen=True)
class ProposeResult:
    proposal: Proposal
    registry_text: str
    article_path: Path
    registry_path: Path | None  # None: the registry went to standard output

    def summary(self) -> str:
        """What was written, and the next command."""
        p = self.proposal
        kept = sum(d.kept for d in p.decisions)
        text = (f"wrote {self.article_path} and {len(p.claims)} draft claims from {kept} of {len(p.decisions)} "
                f"sentences to {self.registry_path or 'standard output'}")
        return text + (f"\nnext: evidence --queries {self.registry_path} check --online" if self.registry_path else "")


def slug(text: str, limit: int = 48) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower().replace("’", "").replace("'", ""))
    out = ""
    for word in words:
        if len(out) + len(word) + 1 > limit:
            break
        out = f"{out}-{word}" if out else word
    return out or "claim"


_STOP = frozenset("the a an of in to and or with for is are can may be that this it its by as on at from than "
                  "also has have been which their these those such".split())


def _claim_id(description_words: str, concepts: list[ConceptMatch], topic: Topic, taken: set[str]) -> str:
    names = [re.sub(r"[’']s$", "", c.surface) for c in concepts
             if re.sub(r"[’']s$", "", c.surface.lower()) not in topic.phrase.lower()][:2]
    base = slug(" ".join(names)) if names else slug(" ".join(
        w for w in re.findall(r"[A-Za-z0-9]+", description_words) if w.lower() not in _STOP)[:40], 40)
    ident, n = base, 2
    while ident in taken:
        ident, n = f"{base}-{n}", n + 1
    taken.add(ident)
    return ident


def _intervention(choice: Choice, concepts: list[ConceptMatch], sentence: str, topic: Topic,
                  aliases_topic: bool) -> tuple[str | None, Block | None]:
    """What the claim says acts: a drug or procedure it names, else the article's subject if it is meant."""
    bare = re.sub(r"^(?:although|though|but|yet|which is why|and|so)\s+", "", sentence.strip(), flags=re.I)
    for _ in range(2):
        bare = cues.LEAD_IN.sub("", bare, count=1)
    if topic.named_in(sentence) or aliases_topic or cues.ANAPHOR.match(bare):
        if topic.descriptor is not None:
            return topic.phrase, block_for(topic.phrase, topic.descriptor)
        return topic.phrase, free_text_block(topic.phrase)
    own = [c for c in concepts if (c.descriptor.substance or c.descriptor.procedure) and not c.descriptor.generic
           and not c.descriptor.disorder]
    verb = min((m.start() for p in (cues.INCREASE, cues.DECREASE, cues.CAUSE, cues.EFFECT)
                for m in [p.search(sentence)] if m), default=len(sentence))
    if own and own[0].start < verb:  # the drug is the subject, not what changes ("lower levels of glutamate")
        return own[0].surface.lower(), block_for(own[0].surface, own[0].descriptor)
    return None, None


def draft_claims(source: Source, article_id: str, mesh: Mesh | None = None) -> Proposal:
    mesh = mesh or load_mesh()
    choices, decisions, topic = choose(source.text, mesh, title=source.title, publisher=source.publisher)
    from evidence.propose.chooser import abbreviation_aliases

    aliases = abbreviation_aliases(source.text, mesh)
    taken: set[str] = set()
    claims = []
    for choice in choices:
        words = choice.statement_text
        concepts = list(mesh.scan(words, aliases))
        topic_alias = any(topic.descriptor is not None and c.descriptor.ui == topic.descriptor.ui for c in concepts)
        intervention, block = _intervention(choice, concepts, words, topic, topic_alias)
        description = describe(words, concepts, topic, intervention)
        from_subject = intervention is None and description.kind in ("efficacy", "safety")
        if from_subject:  # "Up to 70% of patients improve", under a heading about the therapy: the article's subject
            intervention = topic.phrase
            block = block_for(topic.phrase, topic.descriptor) if topic.descriptor else free_text_block(topic.phrase)
            description = describe(words, concepts, topic, intervention)
        query = build_query(concepts, block, description.kind, description.population)
        if not query.query and block is None:  # nothing named: search the article's subject, and say so
            block = block_for(topic.phrase, topic.descriptor) if topic.descriptor else free_text_block(topic.phrase)
            query = build_query([], block, description.kind)
            intervention, from_subject = topic.phrase, True
        outcome_blocks = [b for b in query.blocks if b is not block and b.terms]
        note = [f"Draft by `evidence propose`: {choice.reason}"]
        if choice.split:
            note.append(f"cut from its sentence ({choice.split})")
        if from_subject:
            note.append(f"the quote names no treatment: '{topic.phrase}', the article's subject, is assumed")
        note += list(description.reasons)
        for unmapped in query.unmapped:
            note.append(f"no {MESH_VERSION} heading matched '{unmapped}': searched as [tiab] words only, "
                        "check them")
        claims.append(DraftClaim(
            id=_claim_id(words, concepts, topic, taken), quote=source.text[choice.start:choice.end],
            statement=description.statement, kind=description.kind, polarity=description.polarity,
            query=query.query, modality=description.modality,
            population=description.population, intervention=intervention, comparator=description.comparator,
            outcome=description.outcome, humans_only=description.kind in CLINICAL_KINDS,
            intervention_terms=block.terms if block else (),
            outcome_terms=tuple(t for b in outcome_blocks for t in b.terms)[:6],
            quantities=description.quantities, note="; ".join(note) + "."))
    return Proposal(article_id, source, topic, tuple(claims), tuple(decisions))


def _claim_mapping(claim: DraftClaim, article_id: str) -> dict:
    out: dict = {"id": claim.id, "article": article_id, "draft": True, "quote": claim.quote,
                 "statement": claim.statement, "kind": claim.kind, "polarity": claim.polarity}
    for name in ("modality", "population", "intervention", "comparator", "outcome"):
        value = getattr(claim, name)
        if value and not (name == "modality" and value == "asserted"):
            out[name] = value
    if claim.quantities:
        out["quantities"] = [{k: v for k, v in (("kind", q.kind), ("bound", q.bound), ("value", _number(q.value)),
                                                 ("value_to", _number(q.value_to)), ("unit", q.unit), ("of", q.of))
                              if v not in (None, "")} for q in claim.quantities]
    out["query"] = claim.query
    if claim.humans_only:
        out["humans_only"] = True
    for name in ("intervention_terms", "outcome_terms"):
        if getattr(claim, name):
            out[name] = list(getattr(claim, name))
    out["note"] = claim.note
    return out


def _number(value: float | None) -> int | float | None:
    return None if value is None else int(value) if float(value).is_integer() else value


def render_registry(proposal: Proposal, article_file: str) -> str:
    """The draft registry as YAML that `evidence check` accepts as it is."""
    source = proposal.source
    article = {"id": proposal.article_id, "title": source.title or proposal.article_id,
               "source": source.url or "text supplied by the user", "file": article_file}
    if source.publisher:
        article["publisher"] = source.publisher
    kept = sum(d.kept for d in proposal.decisions)
    head = (
        f"# Draft claims registry for {proposal.article_id}, written by `evidence propose` "
        f"({len(proposal.claims)} claims from {kept} of {len(proposal.decisions)} sentences).\n"
        "# Every claim is a draft (draft: true): check its quote, statement, kind, polarity and query,\n"
        "# then set draft: false, or delete the claim. `evidence check` counts the drafts left;\n"
        "# `evidence check --online` shows what each query finds in PubMed. Guide: docs/claims.md.\n"
        f"# Queries use MeSH headings from {MESH_VERSION} (courtesy of the U.S. National Library of Medicine).\n\n"
    )
    body = yaml.safe_dump({"articles": [article]}, sort_keys=False, allow_unicode=True, width=110)
    claims = [_claim_mapping(c, proposal.article_id) for c in proposal.claims]
    if claims:
        body += "\n" + yaml.safe_dump({"claims": claims}, sort_keys=False, allow_unicode=True, width=110)
    else:
        body += "\nclaims: []  # no sentence of the article made a checkable health claim\n"
    return head + body


def _scalar(value: str) -> str:
    """One YAML scalar on one line (quoted when it needs to be)."""
    return yaml.safe_dump(value, allow_unicode=True, width=10_000).strip().removesuffix("...").strip()


def _article_file(source: Source) -> str:
    lines = ["---", f"title: {_scalar(source.title or '')}"]
    if source.publisher:
        lines.append(f"publisher: {_scalar(source.publisher)}")
    lines.append(f"source: {_scalar(source.url or 'text supplied by the user')}")
    lines.append(f'body: "the article text as `evidence propose` read it ({source.kind}); quotes are cut from it"')
    lines.append("---")
    return "\n".join(lines) + "\n\n" + source.text


def propose_article(article: Path, *, article_id: str | None = None, output: Path | None = None,
                    registry_dir: Path = Path("."), force: bool = False, mesh: Mesh | None = None) -> ProposeResult:
    """Read ``article``, copy its text to ``<dir>/articles/<id>.md`` and write the draft registry to ``output``.

    ``<dir>`` is the output's folder (or ``registry_dir`` when the registry goes to standard
    output), so the registry's ``file:`` path is relative to the registry, as the loader reads it.
    """
    source = read_source(article)
    ident = article_id or slug((source.title or article.stem).split(":")[0], 40)
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", ident):
        raise ConfigError(f"--article-id {ident!r} is not a slug; use lower-case words joined by hyphens")
    base = output.parent if output is not None else registry_dir
    relative = f"articles/{ident}.md"
    target = base / relative
    content = _article_file(source)
    if target.exists() and not force and target.read_text(encoding="utf-8") != content:
        raise ConfigError(f"{target} exists with other text; choose another --article-id or pass --force to replace it")
    if output is not None and output.exists() and not force:
        raise ConfigError(f"{output} exists; choose another -o file or pass --force to replace it")
    proposal = draft_claims(source, ident, mesh)
    text = render_registry(proposal, relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, content)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(output, text)
    return ProposeResult(proposal, text, target, output)
