"""Load queries.yaml: compose the node tree, read every field, check across fields, build records."""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from evidence.errors import ConfigError, Problem, RegistryError
from evidence.models import Article, Claim
from evidence.pubmed.query import query_problems
from evidence.registry.builder import (
    ARTICLE_FIELDS,
    CLAIM_FIELDS,
    TOP_FIELDS,
    Builder,
    describe,
    field_path,
    required,
)
from evidence.registry.text import normalize_text, quote_in_text, strip_front_matter
from evidence.vocabulary import KINDS, MODALITIES, POLARITIES, VALENCES

__all__ = ["Registry", "load_registry", "status_line", "summarize"]


@dataclass(frozen=True)
class Registry:
    path: Path
    articles: tuple[Article, ...]
    claims: tuple[Claim, ...]

    def claim(self, claim_id: str) -> Claim:
        for c in (c for c in self.claims if c.id == claim_id):
            return c
        raise ConfigError(_unknown("claim", claim_id, [c.id for c in self.claims], self.path))

    def article(self, article_id: str) -> Article:
        for a in (a for a in self.articles if a.id == article_id):
            return a
        raise ConfigError(_unknown("article", article_id, [a.id for a in self.articles], self.path))

    def claims_for(self, article_id: str) -> tuple[Claim, ...]:
        self.article(article_id)  # raises with the valid ids when unknown
        return tuple(c for c in self.claims if c.article == article_id)


def _unknown(what: str, name: str, valid: list[str], path: Path) -> str:
    hint = "".join(f" Did you mean {c!r}?" for c in difflib.get_close_matches(name, valid, n=1))
    return f"unknown {what} id {name!r} in {path}.{hint} Valid ids: {', '.join(valid) or '(none)'}"


def _compose(text: str, file: str) -> yaml.Node | Problem:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(p for p in (exc.context, exc.problem) if p)
        if exc.context_mark and mark and exc.context_mark.line != mark.line:
            block = exc.context.split()[-1] if exc.context else "block"
            what += f" (the {block} starts at line {exc.context_mark.line + 1})"
        if "\\t" in what or "'\\t'" in str(exc):
            what += "; YAML indents with spaces only, replace the tab"
        else:
            what += "; check the indentation and the ':' and '-' on this line and the one above"
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return Problem(file, line, col, "(YAML syntax)", what)
    except yaml.YAMLError as exc:  # e.g. a reader error on a control character
        return Problem(file, 1, 1, "(YAML syntax)", f"{exc}")
    except RecursionError:  # [[[[... or mappings thousands deep: PyYAML's composer recurses per level
        return Problem(file, 1, 1, "(YAML syntax)",
                       "nested too deeply for a claims registry (which needs four levels); see docs/claims.md")
    if node is None:
        return Problem(
            file,
            1,
            1,
            "(top level)",
            "the file is empty; expected a mapping with 'articles:' and 'claims:' (see docs/claims.md)",
        )
    return node


def _read_article(b: Builder, a: dict[str, Any], path: str) -> str | None:
    if not (rel := a.get("file")):
        return None
    target = b.base / rel  # an absolute `rel` replaces the base
    folder = b.base.resolve()
    if not target.resolve().is_relative_to(folder):  # /etc/passwd, ../../secret, a symlink leading out
        b.add(a["_values"]["file"], field_path(path, "file"),
              f"{rel!r} is outside the folder of queries.yaml ({folder}); keep article files inside it "
              "and give their path relative to it, e.g. articles/my-article.md")
        return None
    try:
        return strip_front_matter(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        b.add(
            a["_values"]["file"],
            field_path(path, "file"),
            f"cannot read article file {str(target)!r} ({_reason(exc)}); "
            "the path is relative to the folder of queries.yaml",
        )
        return None


def _reason(exc: Exception) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


def load_registry(path: str | os.PathLike) -> Registry:
    """Load and validate queries.yaml; raises ``RegistryError`` (a ``ConfigError``) listing every problem."""
    p = Path(path)
    file = str(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(
            file,
            [
                Problem(
                    file, 1, 1, "(file)", f"cannot read the registry ({_reason(exc)}); pass the path of queries.yaml"
                )
            ],
        ) from None
    root = _compose(text, file)
    if isinstance(root, Problem):
        raise RegistryError(file, [root])
    b = Builder(file, p.parent)
    if not isinstance(root, yaml.MappingNode):
        b.add(root, "(top level)", f"expected a mapping with 'articles:' and 'claims:', got {describe(root)}")
        raise RegistryError(file, b.problems)
    top = b.mapping(root, "(top level)", TOP_FIELDS)
    for name in TOP_FIELDS:
        if name not in top:
            b.add(root, "(top level)", f"missing required key {name!r}")
    articles = _section(b, top.get("articles"), "articles", ARTICLE_FIELDS)
    claims = _section(b, top.get("claims"), "claims", CLAIM_FIELDS)
    built_articles = _build_articles(b, articles)
    declared = {f["id"] for _p, f in articles if f.get("id")}
    built_claims = _build_claims(b, claims, {a.id: a for a in built_articles}, declared)
    if b.problems:
        raise RegistryError(file, b.problems)
    return Registry(path=p, articles=tuple(built_articles), claims=tuple(built_claims))


def _section(
    b: Builder, entry: tuple[yaml.Node, yaml.Node] | None, name: str, spec: dict[str, str]
) -> list[tuple[str, dict[str, Any]]]:
    if entry is None:
        return []
    key, node = entry
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        b.add(
            node if isinstance(node, yaml.Node) else key,
            name,
            f"expected a non-empty list of {name} ('- id: ...' items), got {describe(node)}",
        )
        return []
    out = []
    for i, item in enumerate(node.value):
        ident = _peek_id(item)
        path = f"{name}[{i}]" + (f" (id {ident})" if ident else "")
        fields = b.fields(item, path, spec)
        if fields is not None:
            out.append((path, fields))
    return out


def _peek_id(node: yaml.Node) -> str | None:
    pairs = node.value if isinstance(node, yaml.MappingNode) else []
    ids = [
        v.value.strip()
        for k, v in pairs
        if isinstance(k, yaml.ScalarNode) and k.value == "id" and isinstance(v, yaml.ScalarNode)
    ]
    return ids[0] if ids and ids[0] else None


def _check_duplicate(b: Builder, seen: dict[str, int], f: dict[str, Any], path: str) -> None:
    ident, node = f.get("id"), f["_values"].get("id")
    if ident is not None and ident in seen:
        b.add(
            node,
            field_path(path, "id"),
            f"duplicate id {ident!r} (first used at line {seen[ident]}); ids must be unique",
        )
    elif ident is not None:
        seen[ident] = node.start_mark.line + 1


def _build_articles(b: Builder, items: list[tuple[str, dict[str, Any]]]) -> list[Article]:
    out: list[Article] = []
    seen: dict[str, int] = {}
    for path, f in items:
        _check_duplicate(b, seen, f, path)
        text = _read_article(b, f, path)
        if all(f.get(k) for k in required(ARTICLE_FIELDS)) and text is not None:
            out.append(
                Article(
                    id=f["id"],
                    title=f["title"],
                    source=f["source"],
                    file=f["file"],
                    publisher=f.get("publisher") or "",
                    text=text,
                )
            )
    return out


def _build_claims(
    b: Builder, items: list[tuple[str, dict[str, Any]]], articles: dict[str, Article], declared: set[str]
) -> list[Claim]:
    """Cross-field checks (enums, queries, article links, quotes, contradicts), then the records."""
    seen: dict[str, int] = {}
    for path, f in items:
        _check_duplicate(b, seen, f, path)
    by_id = {f["id"]: f for _p, f in items if f.get("id")}
    out = []
    for path, f in items:
        v = f["_values"]
        if f.get("kind") is not None and f["kind"] not in KINDS:
            b.add(
                v["kind"], field_path(path, "kind"), f"{f['kind']!r} is not a kind; expected one of {', '.join(KINDS)}"
            )
            f["kind"] = None
        if f.get("polarity") is not None and f["polarity"] not in POLARITIES:
            b.add(
                v["polarity"],
                field_path(path, "polarity"),
                f"{f['polarity']!r} is not a polarity; expected one of {', '.join(POLARITIES)}",
            )
            f["polarity"] = None
        for name, allowed in (("valence", VALENCES), ("modality", MODALITIES)):
            if f.get(name) is not None and f[name] not in allowed:
                b.add(v[name], field_path(path, name),
                      f"{f[name]!r} is not a {name}; expected one of {', '.join(allowed)}")
                f[name] = None
        for problem in query_problems(f["query"]) if f.get("query") else ():
            b.add(v["query"], field_path(path, "query"), problem)
        if (
            f.get("date_from")
            and f.get("date_to")
            and (f["date_from"] + "/01/01")[:10] > (f["date_to"] + "/12/31")[:10]
        ):
            b.add(
                v["date_to"],
                field_path(path, "date_to"),
                f"date_to {f['date_to']} is before date_from {f['date_from']}",
            )
        if f.get("article") and f["article"] not in declared:
            b.add(
                v["article"],
                field_path(path, "article"),
                f"{f['article']!r} names no article; declared articles: {', '.join(sorted(declared)) or '(none)'}",
            )
        if (
            (art := articles.get(f.get("article") or "")) is not None
            and f.get("quote")
            and not quote_in_text(f["quote"], art.text)
        ):
            b.add(v["quote"], field_path(path, "quote"), _quote_hint(f["quote"], art))
        _check_contradicts(b, f, path, by_id)
        if all(f.get(k) for k in required(CLAIM_FIELDS)):
            fields = {k: val for k, val in f.items() if not k.startswith("_") and val is not None}
            out.append(Claim(**fields, line=f["_node"].start_mark.line + 1))
    return out


def _quote_hint(quote: str, art: Article) -> str:
    sentences = [normalize_text(s) for s in re.split(r"(?<=[.!?])\s+|\n", art.text) if s.strip()]
    close = difflib.get_close_matches(normalize_text(quote), sentences, n=1, cutoff=0.5)
    hint = f" The closest sentence is: {close[0]!r}" if close else ""
    return (
        f"not found in article {art.id!r} ({art.file}); a quote must be the article's own words "
        f"(only whitespace and quote style may differ).{hint}"
    )


def _check_contradicts(b: Builder, f: dict[str, Any], path: str, by_id: dict[str, dict[str, Any]]) -> None:
    node = f["_values"].get("contradicts")
    for i, other in enumerate(f.get("contradicts") or ()):
        item = node.value[i] if isinstance(node, yaml.SequenceNode) and i < len(node.value) else node
        where = field_path(path, f"contradicts[{i}]")
        target = by_id.get(other)
        if other == f.get("id"):
            b.add(item, where, "a claim cannot contradict itself")
        elif target is None:
            close = difflib.get_close_matches(other, list(by_id), n=1)
            b.add(item, where, f"names no claim {other!r}" + (f"; did you mean {close[0]!r}?" if close else ""))
        elif target.get("article") != f.get("article"):
            b.add(
                item,
                where,
                f"{other!r} belongs to article {target.get('article')!r}; contradicts links claims of the same article",
            )
        elif f.get("id") not in (target.get("contradicts") or ()):
            b.add(
                item,
                where,
                f"{other!r} does not list {f.get('id')!r} back; contradiction is mutual, add it to both claims",
            )


def summarize(registry: Registry) -> list[str]:
    """One line per claim for `evidence check`: id, article, kind/polarity, filters, line."""
    width = max((len(c.id) for c in registry.claims), default=0)
    many = len(registry.articles) > 1
    lines = []
    for c in registry.claims:
        filters = [
            f
            for f, on in (
                ("draft", c.draft),
                ("humans", c.humans_only),
                ("+".join(c.languages), c.languages),
                (f"{c.date_from or ''}-{c.date_to or ''}", c.date_from or c.date_to),
            )
            if on
        ]
        extra = f" [{', '.join(filters)}]" if filters else ""
        vs = f" contradicts {', '.join(c.contradicts)}" if c.contradicts else ""
        where = f"{c.article} " if many else ""
        lines.append(f"{c.id:<{width}}  {where}line {c.line:<4}  {c.kind}/{c.polarity}{extra}{vs}  {c.statement}")
    return lines


def status_line(registry: Registry) -> str:
    """`evidence check`'s last line: counts, and how many drafts (from `evidence propose`) await a person."""
    drafts = sum(c.draft for c in registry.claims)
    left = f"; {drafts} drafts to confirm (set draft: false once checked)" if drafts else ""
    return f"{registry.path}: {len(registry.articles)} articles, {len(registry.claims)} claims, valid{left}"
