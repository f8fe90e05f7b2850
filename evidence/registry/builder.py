"""Field-by-field reading of queries.yaml nodes, every problem located (line, column, field path)."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

import yaml

from evidence.errors import Problem
from evidence.models import Quantity
from evidence.vocabulary import BOUNDS, QUANTITY_KINDS, UNITS

__all__ = ["Builder", "ARTICLE_FIELDS", "CLAIM_FIELDS", "TOP_FIELDS", "field_path", "required", "describe"]

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DATE = re.compile(r"^(\d{4})(?:[/-](\d{2})(?:[/-](\d{2}))?)?$")
_STR, _REQ_STR, _SLUG_T, _BOOL, _LIST, _DATE_T, _LANGS = "str", "req", "slug", "bool", "list", "date", "langs"
_TRUE, _FALSE = ("true", "yes", "on", "y"), ("false", "no", "off", "n")
_QUANTITIES = "quantities"
_QUANTITY_FIELDS = {"kind": _REQ_STR, "value": _REQ_STR, "unit": _REQ_STR, "bound": _STR, "value_to": _STR, "of": _STR}
TOP_FIELDS = ("articles", "claims")
ARTICLE_FIELDS = {"id": _SLUG_T, "title": _REQ_STR, "publisher": _STR, "source": _REQ_STR, "file": _REQ_STR}
CLAIM_FIELDS = {
    "id": _SLUG_T, "article": _SLUG_T, "quote": _REQ_STR, "statement": _REQ_STR, "kind": _REQ_STR,
    "query": _REQ_STR, "polarity": _STR, "population": _STR, "intervention": _STR,
    "comparator": _STR, "outcome": _STR, "humans_only": _BOOL, "languages": _LANGS,
    "date_from": _DATE_T, "date_to": _DATE_T, "contradicts": _LIST, "support_terms": _LIST,
    "contradict_terms": _LIST, "note": _STR, "intervention_terms": _LIST, "outcome_terms": _LIST,
    "population_terms": _LIST, "comparator_terms": _LIST, "valence": _STR, "modality": _STR,
    "quantities": _QUANTITIES, "draft": _BOOL,
}


class Builder:
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
            self.add(node, path, f"expected a mapping of fields ({', '.join(known)}), got {describe(node)}")
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
                    field_path(path, name),
                    f"duplicate key (first at line {out[name][0].start_mark.line + 1}); keep one",
                )
            elif name not in known:
                close = difflib.get_close_matches(name, list(known), n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                self.add(key, field_path(path, name), f"unknown key {name!r}; {hint}known keys: {', '.join(known)}")
            else:
                out[name] = (key, value)
        return out

    def value(self, node: yaml.Node, kind: str, path: str) -> Any:
        """Convert one field; returns None (after reporting) when it is unusable."""
        if kind in (_STR, _REQ_STR, _SLUG_T, _DATE_T):
            if not isinstance(node, yaml.ScalarNode):
                self.add(node, path, f"expected text, got {describe(node)}")
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
            self.add(node, path, f"expected true or false, got {describe(node)}")
            return None
        if kind == _QUANTITIES:
            return self._quantities(node, path)
        # lists of words
        if not isinstance(node, yaml.SequenceNode):
            self.add(node, path, f"expected a list, e.g. [a, b], got {describe(node)}")
            return None
        items = []
        for i, item in enumerate(node.value):
            where = path.replace(" (", f"[{i}] (", 1) if " (" in path else f"{path}[{i}]"
            text = item.value.strip() if isinstance(item, yaml.ScalarNode) and not item.tag.endswith(":null") else ""
            if not text:
                self.add(item, where, f"expected a non-empty word or phrase, got {describe(item)}")
            elif kind == _LANGS and not re.fullmatch(r"[A-Za-z]+", text):
                self.add(item, where, f"{text!r} is not a PubMed language; use a name such as english or french")
            else:
                items.append(text.lower() if kind == _LANGS else text)
        return tuple(items)

    def _quantities(self, node: yaml.Node, path: str) -> tuple[Quantity, ...] | None:
        """A list of {kind, value, unit, bound, value_to, of} mappings, each checked against the vocabulary."""
        if not isinstance(node, yaml.SequenceNode):
            self.add(node, path, "expected a list of quantities, e.g. - {kind: proportion, bound: up-to, "
                                 "value: 70, unit: '%', of: response}")
            return None
        out = []
        for i, item in enumerate(node.value):
            where = path.replace(" (", f"[{i}] (", 1) if " (" in path else f"{path}[{i}]"
            fields = self.fields(item, where, _QUANTITY_FIELDS)
            if fields is None:
                continue
            quantity = self._quantity(fields, where)
            if quantity is not None:
                out.append(quantity)
        return tuple(out)

    def _quantity(self, f: dict[str, Any], where: str) -> Quantity | None:
        ok = True
        for name, allowed in (("kind", QUANTITY_KINDS), ("unit", UNITS), ("bound", BOUNDS)):
            if f.get(name) is not None and f[name] not in allowed:
                self.add(f["_values"][name], field_path(where, name),
                         f"{f[name]!r} is not a {name}; expected one of {', '.join(allowed)}")
                ok = False
        numbers: dict[str, float | None] = {}
        for name in ("value", "value_to"):
            text = f.get(name)
            try:
                numbers[name] = float(text) if text is not None else None
            except ValueError:
                self.add(f["_values"][name], field_path(where, name), f"{text!r} is not a number")
                ok = False
        if f.get("bound") == "between" and numbers.get("value_to") is None:
            self.add(f["_node"], where, "bound 'between' needs value_to (the upper end)")
            ok = False
        if not ok or not all(f.get(k) for k in ("kind", "value", "unit")) or numbers["value"] is None:
            return None
        return Quantity(kind=f["kind"], value=numbers["value"], unit=f["unit"], bound=f.get("bound") or "about",
                        value_to=numbers.get("value_to"), of=f.get("of") or "")

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
        for name in required(spec):
            if name not in entries:
                self.add(node, path, f"missing required field {name!r}")
        for name, (_key, value) in entries.items():
            out[name] = self.value(value, spec[name], field_path(path, name))
        out.update(_node=node, _values={name: value for name, (_k, value) in entries.items()})
        return out


def required(spec: dict[str, str]) -> list[str]:
    return [name for name, kind in spec.items() if kind in (_REQ_STR, _SLUG_T)]


def describe(node: yaml.Node | None) -> str:
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        return "a mapping" if isinstance(node, yaml.MappingNode) else "a list"
    return "nothing" if node is None or node.tag.endswith(":null") else repr(node.value)


def field_path(path: str, field: str) -> str:
    """'claims[3] (id x)' + 'quote' -> 'claims[3].quote (id x)'; '(top level)' + 'x' -> 'x'."""
    if path.startswith("("):
        return field
    head, sep, tail = path.partition(" ")
    return f"{head}.{field}{sep}{tail}"
