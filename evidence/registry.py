"""The claims registry: ``queries.yaml`` loaded into frozen ``Article`` / ``Claim`` records.

The YAML is composed into a node tree (``yaml.compose``, PyYAML only) rather than loaded,
so every value keeps the line and column it came from. Validation collects *every*
problem and raises one ``RegistryError`` (a ``ConfigError``) whose first line gives the
count and whose other lines read ``<file>:<line>:<col>: <field path>: <what and fix>``,
so a user can fix the whole file in one pass and an editor can jump to each line.

Scalars are read from their source text, never through YAML's implicit typing: a
statement ``no`` stays the word "no", and a title ``1984`` stays "1984".
"""

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
from evidence.pubmed.query import HUMANS_FILTER, query_problems, search_term  # search_term re-exported
from evidence.vocabulary import KINDS, POLARITIES

__all__ = ["HUMANS_FILTER", "QUOTE_MAP", "Registry", "load_registry",
           "search_term", "summarize", "quote_in_text", "normalize_text", "strip_front_matter"]


_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DATE = re.compile(r"^(\d{4})(?:[/-](\d{2})(?:[/-](\d{2}))?)?$")
_STR, _REQ_STR, _SLUG_T, _BOOL, _LIST, _DATE_T, _LANGS = "str", "req", "slug", "bool", "list", "date", "langs"
_TRUE, _FALSE = ("true", "yes", "on", "y"), ("false", "no", "off", "n")
_TOP_FIELDS = ("articles", "claims")
_ARTICLE_FIELDS = {"id": _SLUG_T, "title": _REQ_STR, "publisher": _STR, "source": _REQ_STR, "file": _REQ_STR}
_CLAIM_FIELDS = {
    "id": _SLUG_T, "article": _SLUG_T, "quote": _REQ_STR, "statement": _REQ_STR, "kind": _REQ_STR,
    "query": _REQ_STR, "polarity": _STR, "population": _STR, "intervention": _STR,
    "comparator": _STR, "outcome": _STR, "humans_only": _BOOL, "languages": _LANGS,
    "date_from": _DATE_T, "date_to": _DATE_T, "contradicts": _LIST, "support_terms": _LIST,
    "contradict_terms": _LIST, "note": _STR,
}
QUOTE_MAP = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
                            "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"'})


def normalize_text(text: str) -> str:
    """Collapse whitespace and straighten typographic quotes: the only liberties a quote may take."""
    return " ".join(text.translate(QUOTE_MAP).split())


def quote_in_text(quote: str, text: str) -> bool:
    """True when ``quote`` occurs in ``text`` verbatim, up to whitespace and quote style."""
    return bool(q := normalize_text(quote)) and q in normalize_text(text)


def strip_front_matter(text: str) -> str:
    """The article body: a leading ``---`` ... ``---`` header is removed so quotes cannot match it."""
    if text.startswith("---\n") and (end := text.find("\n---\n", 4)) >= 0:
        return text[end + 5 :].lstrip("\n")
    return text


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


class _Builder:
    """Walks the composed node tree, collecting problems instead of stopping at the first."""

    def __init__(self, file: str, base: Path):
        self.file, self.base = file, base
        self.problems: list[Problem] = []

    def add(self, node: Any, path: str, message: str) -> None:
        mark = getattr(node, "start_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        self.problems.append(Problem(self.file, line, col, path, message))

    def mapping(
        self, node: yaml.Node, path: str, known: dict[str, str] | tuple[str, ...]
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """Key -> (key node, value node); reports non-mapping, duplicate and unknown keys."""
        if not isinstance(node, yaml.MappingNode):
            self.add(node, path, f"expected a mapping of fields ({', '.join(known)}), got {_describe(node)}")
            return {}
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                self.add(key, path, "keys must be plain words")
                continue
            name = key.value
            if name in out:
                self.add(
                    key,
                    _field_path(path, name),
                    f"duplicate key (first at line {out[name][0].start_mark.line + 1}); keep one",
                )
            elif name not in known:
                close = difflib.get_close_matches(name, list(known), n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                self.add(key, _field_path(path, name), f"unknown key {name!r}; {hint}known keys: {', '.join(known)}")
            else:
                out[name] = (key, value)
        return out

    def value(self, node: yaml.Node, kind: str, path: str) -> Any:
        """Convert one field; returns None (after reporting) when it is unusable."""
        if kind in (_STR, _REQ_STR, _SLUG_T, _DATE_T):
            if not isinstance(node, yaml.ScalarNode):
                self.add(node, path, f"expected text, got {_describe(node)}")
                return None
            text = "" if node.tag.endswith(":null") else node.value.strip()
            if not text:
                self.add(node, path, "is empty; write a value or remove the key")
                return None
            if kind == _SLUG_T and not _SLUG.match(text):
                self.add(
                    node,
                    path,
                    f"{text!r} is not a slug; use lower-case words joined by hyphens, e.g. ketamine-cystitis",
                )
                return None
            if kind == _DATE_T:
                return self._date(node, text, path)
            return text
        if kind == _BOOL:
            # The tag alone is not enough: `!!bool "maybe"` is tagged bool and is neither.
            word = node.value.strip().lower() if isinstance(node, yaml.ScalarNode) else None
            if word in _TRUE and node.tag.endswith(":bool"):
                return True
            if word in _FALSE and node.tag.endswith(":bool"):
                return False
            self.add(node, path, f"expected true or false, got {_describe(node)}")
            return None
        # lists of words
        if not isinstance(node, yaml.SequenceNode):
            self.add(node, path, f"expected a list, e.g. [a, b], got {_describe(node)}")
            return None
        items = []
        for i, item in enumerate(node.value):
            where = path.replace(" (", f"[{i}] (", 1) if " (" in path else f"{path}[{i}]"
            text = item.value.strip() if isinstance(item, yaml.ScalarNode) and not item.tag.endswith(":null") else ""
            if not text:
                self.add(item, where, f"expected a non-empty word or phrase, got {_describe(item)}")
            elif kind == _LANGS and not re.fullmatch(r"[A-Za-z]+", text):
                self.add(item, where, f"{text!r} is not a PubMed language; use a name such as english or french")
            else:
                items.append(text.lower() if kind == _LANGS else text)
        return tuple(items)

    def _date(self, node: yaml.Node, text: str, path: str) -> str | None:
        m = _DATE.match(text)
        if not (m and 1 <= int(m.group(2) or 1) <= 12 and 1 <= int(m.group(3) or 1) <= 31):
            self.add(node, path, f"{text!r} is not a date; use YYYY, YYYY/MM or YYYY/MM/DD")
            return None
        return text.replace("-", "/")

    def fields(self, node: yaml.Node, path: str, spec: dict[str, str]) -> dict[str, Any] | None:
        entries = self.mapping(node, path, spec)
        if not isinstance(node, yaml.MappingNode):
            return None
        out: dict[str, Any] = {}
        for name in _required(spec):
            if name not in entries:
                self.add(node, path, f"missing required field {name!r}")
        for name, (_key, value) in entries.items():
            out[name] = self.value(value, spec[name], _field_path(path, name))
        out.update(_node=node, _values={name: value for name, (_k, value) in entries.items()})
        return out


def _required(spec: dict[str, str]) -> list[str]:
    return [name for name, kind in spec.items() if kind in (_REQ_STR, _SLUG_T)]


def _describe(node: yaml.Node | None) -> str:
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        return "a mapping" if isinstance(node, yaml.MappingNode) else "a list"
    return "nothing" if node is None or node.tag.endswith(":null") else repr(node.value)


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


def _read_article(b: _Builder, a: dict[str, Any], path: str) -> str | None:
    if not (rel := a.get("file")):
        return None
    target = b.base / rel  # an absolute `rel` replaces the base
    folder = b.base.resolve()
    if not target.resolve().is_relative_to(folder):  # /etc/passwd, ../../secret, a symlink leading out
        b.add(a["_values"]["file"], _field_path(path, "file"),
              f"{rel!r} is outside the folder of queries.yaml ({folder}); keep article files inside it "
              "and give their path relative to it, e.g. articles/my-article.md")
        return None
    try:
        return strip_front_matter(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        b.add(
            a["_values"]["file"],
            _field_path(path, "file"),
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
    b = _Builder(file, p.parent)
    if not isinstance(root, yaml.MappingNode):
        b.add(root, "(top level)", f"expected a mapping with 'articles:' and 'claims:', got {_describe(root)}")
        raise RegistryError(file, b.problems)
    top = b.mapping(root, "(top level)", _TOP_FIELDS)
    for name in _TOP_FIELDS:
        if name not in top:
            b.add(root, "(top level)", f"missing required key {name!r}")
    articles = _section(b, top.get("articles"), "articles", _ARTICLE_FIELDS)
    claims = _section(b, top.get("claims"), "claims", _CLAIM_FIELDS)
    built_articles = _build_articles(b, articles)
    declared = {f["id"] for _p, f in articles if f.get("id")}
    built_claims = _build_claims(b, claims, {a.id: a for a in built_articles}, declared)
    if b.problems:
        raise RegistryError(file, b.problems)
    return Registry(path=p, articles=tuple(built_articles), claims=tuple(built_claims))


def _section(
    b: _Builder, entry: tuple[yaml.Node, yaml.Node] | None, name: str, spec: dict[str, str]
) -> list[tuple[str, dict[str, Any]]]:
    if entry is None:
        return []
    key, node = entry
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        b.add(
            node if isinstance(node, yaml.Node) else key,
            name,
            f"expected a non-empty list of {name} ('- id: ...' items), got {_describe(node)}",
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


def _field_path(path: str, field: str) -> str:
    """'claims[3] (id x)' + 'quote' -> 'claims[3].quote (id x)'; '(top level)' + 'x' -> 'x'."""
    if path.startswith("("):
        return field
    head, sep, tail = path.partition(" ")
    return f"{head}.{field}{sep}{tail}"


def _check_duplicate(b: _Builder, seen: dict[str, int], f: dict[str, Any], path: str) -> None:
    ident, node = f.get("id"), f["_values"].get("id")
    if ident is not None and ident in seen:
        b.add(
            node,
            _field_path(path, "id"),
            f"duplicate id {ident!r} (first used at line {seen[ident]}); ids must be unique",
        )
    elif ident is not None:
        seen[ident] = node.start_mark.line + 1


def _build_articles(b: _Builder, items: list[tuple[str, dict[str, Any]]]) -> list[Article]:
    out: list[Article] = []
    seen: dict[str, int] = {}
    for path, f in items:
        _check_duplicate(b, seen, f, path)
        text = _read_article(b, f, path)
        if all(f.get(k) for k in _required(_ARTICLE_FIELDS)) and text is not None:
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
    b: _Builder, items: list[tuple[str, dict[str, Any]]], articles: dict[str, Article], declared: set[str]
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
                v["kind"], _field_path(path, "kind"), f"{f['kind']!r} is not a kind; expected one of {', '.join(KINDS)}"
            )
            f["kind"] = None
        if f.get("polarity") is not None and f["polarity"] not in POLARITIES:
            b.add(
                v["polarity"],
                _field_path(path, "polarity"),
                f"{f['polarity']!r} is not a polarity; expected one of {', '.join(POLARITIES)}",
            )
            f["polarity"] = None
        for problem in query_problems(f["query"]) if f.get("query") else ():
            b.add(v["query"], _field_path(path, "query"), problem)
        if (
            f.get("date_from")
            and f.get("date_to")
            and (f["date_from"] + "/01/01")[:10] > (f["date_to"] + "/12/31")[:10]
        ):
            b.add(
                v["date_to"],
                _field_path(path, "date_to"),
                f"date_to {f['date_to']} is before date_from {f['date_from']}",
            )
        if f.get("article") and f["article"] not in declared:
            b.add(
                v["article"],
                _field_path(path, "article"),
                f"{f['article']!r} names no article; declared articles: {', '.join(sorted(declared)) or '(none)'}",
            )
        if (
            (art := articles.get(f.get("article") or "")) is not None
            and f.get("quote")
            and not quote_in_text(f["quote"], art.text)
        ):
            b.add(v["quote"], _field_path(path, "quote"), _quote_hint(f["quote"], art))
        _check_contradicts(b, f, path, by_id)
        if all(f.get(k) for k in _required(_CLAIM_FIELDS)):
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


def _check_contradicts(b: _Builder, f: dict[str, Any], path: str, by_id: dict[str, dict[str, Any]]) -> None:
    node = f["_values"].get("contradicts")
    for i, other in enumerate(f.get("contradicts") or ()):
        item = node.value[i] if isinstance(node, yaml.SequenceNode) and i < len(node.value) else node
        where = _field_path(path, f"contradicts[{i}]")
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
