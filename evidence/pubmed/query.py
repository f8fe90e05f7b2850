"""Static checks of a PubMed query string, before it is ever sent.

PubMed is forgiving in the worst way: a typo'd field tag, an unclosed parenthesis or a
lowercase ``and`` does not fail, it silently searches something else (an unknown tag
becomes [All Fields]; an unclosed phrase swallows the rest of the query). So the
registry rejects such queries at load time, with the column of each problem.

``query_problems`` is pure: it tokenises the query itself (quoted phrases, field tags,
parentheses, Boolean operators) and never calls NCBI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from evidence.models import Claim

__all__ = ["FIELD_TAGS", "HUMANS_FILTER", "query_problems", "is_known_tag", "search_term"]

# Drops records indexed as animal studies unless also indexed as human. Unlike
# "AND humans[mh]" it keeps citations not yet MeSH-indexed (the newest ones), which is
# why the Cochrane Handbook (technical supplement to chapter 4) recommends it.
HUMANS_FILTER = "NOT (animals[mh] NOT humans[mh])"

# PubMed search field tags (short and long forms), lower-cased. Sources: the PubMed
# User Guide, "Search Field Descriptions and Tags", and EInfo's field list for db=pubmed
# (recorded in ../shared/fixtures/ncbi/einfo/). Long forms are what PubMed's
# "Search details" shows after translating a query, so both must be accepted.
FIELD_TAGS: frozenset[str] = frozenset(
    {
        # short forms
        "ad",
        "aid",
        "all",
        "au",
        "auid",
        "book",
        "cn",
        "cois",
        "crdt",
        "dcom",
        "dp",
        "ed",
        "edat",
        "filter",
        "fau",
        "fir",
        "gr",
        "ip",
        "ir",
        "isbn",
        "jour",
        "jid",
        "la",
        "lastau",
        "1au",
        "lid",
        "lr",
        "majr",
        "mdat",
        "mesh",
        "mh",
        "mhda",
        "nm",
        "ot",
        "pa",
        "pg",
        "pl",
        "pmid",
        "ps",
        "pt",
        "pubn",
        "rn",
        "sb",
        "sh",
        "si",
        "ta",
        "ti",
        "tiab",
        "tt",
        "tw",
        "uid",
        "vi",
        "ab",
        "pmc",
        "pmcid",
        "mid",
        "so",
        "mh:noexp",
        "mesh:noexp",
        "majr:noexp",
        "sh:noexp",
        "pt:noexp",
        # long forms
        "affiliation",
        "all fields",
        "author",
        "author - first",
        "author - last",
        "author - full",
        "author - identifier",
        "author - corporate",
        "corporate author",
        "abstract",
        "conflict of interest statement",
        "date - completion",
        "date - create",
        "date - entry",
        "date - mesh",
        "date - modification",
        "date - publication",
        "ec/rn number",
        "editor",
        "entry date",
        "grant number",
        "investigator",
        "investigator - full",
        "issue",
        "journal",
        "language",
        "location id",
        "mesh date",
        "mesh major topic",
        "mesh subheading",
        "mesh terms",
        "mesh terms:noexp",
        "mesh major topic:noexp",
        "modification date",
        "nlm unique id",
        "other term",
        "pagination",
        "personal name as subject",
        "pharmacological action",
        "place of publication",
        "publication date",
        "publication type",
        "publisher",
        "secondary source id",
        "subheading",
        "subset",
        "substance name",
        "supplementary concept",
        "text word",
        "text words",
        "title",
        "title/abstract",
        "transliterated title",
        "volume",
        "publication type:noexp",
        "date - entrez",
        "grants and funding",
        "subject - personal name",
        "conflict of interest statements",
        "publisher id",
        "print publication date",
        "electronic publication date",
        "author cluster id",
        "extended pmid",
        # internal names, as ESearch's EInfo field list gives them (also accepted as tags)
        "titl",
        "word",
        "auth",
        "affl",
        "ecno",
        "subs",
        "pdat",
        "vol",
        "page",
        "ptyp",
        "lang",
        "iss",
        "subh",
        "otrm",
        "invr",
        "coln",
        "cnty",
        "papx",
        "grnt",
        "cdat",
        "pid",
        "faut",
        "full",
        "finv",
        "laut",
        "ppdt",
        "epdt",
        "aucl",
        "eid",
        "filt",
    }
)

# Proximity search (PubMed, 2022+): "term1 term2"[tiab:~3]; also [ti:~N] and [ad:~N].
_PROXIMITY = re.compile(r"^(tiab|ti|ad|title/abstract|title|affiliation):~\d+$")

_OPERATORS = {"AND", "OR", "NOT"}


def is_known_tag(tag: str) -> bool:
    """True when ``tag`` (the text between the brackets) is a real PubMed field tag."""
    t = " ".join(tag.lower().split())
    return t in FIELD_TAGS or bool(_PROXIMITY.match(t))


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "op", "term", "phrase", "tag"
    text: str
    col: int  # 1-based column in the query


def _tokenise(query: str, problems: list[str]) -> list[_Token]:
    """Split into tokens; unterminated phrases and tags are reported, not raised."""
    tokens: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(_Token(ch, ch, i + 1))
            i += 1
        elif ch == '"':
            end = query.find('"', i + 1)
            if end < 0:
                problems.append(
                    f"unbalanced double quote at column {i + 1}: the phrase is never closed; "
                    "close it (PubMed would otherwise search the rest of the query as one phrase)"
                )
                tokens.append(_Token("phrase", query[i:], i + 1))
                break
            tokens.append(_Token("phrase", query[i : end + 1], i + 1))
            i = end + 1
        elif ch == "[":
            end = query.find("]", i + 1)
            if end < 0:
                problems.append(f"unclosed '[' at column {i + 1}: a field tag needs a closing ']', e.g. [tiab]")
                break
            tokens.append(_Token("tag", query[i + 1 : end], i + 1))
            i = end + 1
        elif ch == "]":
            problems.append(f"stray ']' at column {i + 1} with no opening '['")
            i += 1
        else:
            j = i
            while j < n and not query[j].isspace() and query[j] not in '()"[]':
                j += 1
            word = query[i:j]
            kind = "op" if word in _OPERATORS else "term"
            tokens.append(_Token(kind, word, i + 1))
            i = j
    return tokens


def _check_parentheses(tokens: list[_Token], problems: list[str]) -> None:
    stack: list[_Token] = []
    for tok in tokens:
        if tok.kind == "(":
            stack.append(tok)
        elif tok.kind == ")":
            if not stack:
                problems.append(f"unbalanced parentheses: ')' at column {tok.col} closes nothing; remove it or add '('")
            else:
                stack.pop()
    for tok in stack:
        problems.append(f"unbalanced parentheses: '(' at column {tok.col} is never closed; add ')'")


def _check_operators(tokens: list[_Token], problems: list[str]) -> None:
    """Boolean operators need an operand on each side: no leading/trailing/doubled ones."""
    # A tag belongs to the term before it, so drop tags when looking at operator placement.
    seq = [t for t in tokens if t.kind != "tag"]
    for k, tok in enumerate(seq):
        if tok.kind == "(" and k + 1 < len(seq) and seq[k + 1].kind == ")":
            problems.append(f"empty parentheses '()' at column {tok.col}; put terms inside or remove them")
        if tok.kind != "op":
            continue
        prev = seq[k - 1] if k > 0 else None
        nxt = seq[k + 1] if k + 1 < len(seq) else None
        if nxt is not None and nxt.kind == "op":
            problems.append(
                f"dangling Boolean operator: '{tok.text} {nxt.text}' at column {tok.col}; "
                "two operators in a row need a term between them"
            )
        elif prev is None:
            problems.append(f"dangling Boolean operator: query starts with '{tok.text}'; remove it")
        elif nxt is None:
            problems.append(
                f"dangling Boolean operator: query ends with '{tok.text}' at column {tok.col}; add a term or remove it"
            )
        elif prev.kind == "(":
            problems.append(
                f"dangling Boolean operator: '({tok.text}' at column {tok.col}; a group cannot start with an operator"
            )
        elif nxt.kind == ")":
            problems.append(
                f"dangling Boolean operator: '{tok.text})' at column {tok.col}; a group cannot end with an operator"
            )


def _check_tags(tokens: list[_Token], problems: list[str]) -> None:
    for k, tok in enumerate(tokens):
        if tok.kind != "tag":
            continue
        if not is_known_tag(tok.text):
            problems.append(
                f"unknown field tag [{tok.text}] at column {tok.col}; PubMed would search it as [All Fields]. "
                "Use a real tag such as [mh], [majr], [tiab], [ti], [pt], [la], [dp]"
            )
        if k == 0 or tokens[k - 1].kind not in {"term", "phrase"}:
            problems.append(
                f'field tag [{tok.text}] at column {tok.col} follows no term; write it right after a word or "phrase"'
            )


def _check_lowercase_booleans(tokens: list[_Token], problems: list[str]) -> None:
    # PubMed only reads upper-case AND/OR/NOT as operators; "or" is searched as a word.
    for tok in tokens:
        if tok.kind == "term" and tok.text in {"and", "or", "not", "And", "Or", "Not"}:
            problems.append(
                f"'{tok.text}' at column {tok.col} is not a Boolean operator (PubMed needs upper case "
                f"{tok.text.upper()}); capitalise it, or quote the phrase if the word belongs to it"
            )


def query_problems(query: str) -> list[str]:
    """Everything wrong with ``query`` as PubMed syntax; an empty list means it looks sound.

    Checks: empty query, unbalanced parentheses, unbalanced double quotes, typographic
    quotes, unknown or misplaced field tags, dangling Boolean operators, lower-case
    Boolean words. Each message gives the column and the fix.
    """
    if not isinstance(query, str) or not query.strip():
        return ["the query is empty; write a PubMed query, e.g. ketamine[mh] AND cystitis[mh]"]
    problems: list[str] = []
    for m in re.finditer(r"[\u201c\u201d\u201e\u201f]", query):
        problems.append(
            f'typographic quote {m.group()!r} at column {m.start() + 1}; PubMed phrases need straight double quotes (")'
        )
    tokens = _tokenise(query, problems)
    _check_parentheses(tokens, problems)
    _check_operators(tokens, problems)
    _check_tags(tokens, problems)
    _check_lowercase_booleans(tokens, problems)
    return problems


def search_term(claim: Claim) -> str:
    """The PubMed term as sent to ESearch: the claim's query plus its filters.

    Whitespace is collapsed (a multi-line YAML query becomes one line, so the same query
    always gives the same cache key). Filters, each ANDed on:
      languages -> (english[la] OR french[la]);  dates -> ("YYYY/MM/DD"[dp] : "YYYY/MM/DD"[dp]),
      an open upper end is "3000", as PubMed's own date filter writes it, an open lower end "1000";
      humans_only -> NOT (animals[mh] NOT humans[mh]) (keeps not-yet-indexed citations).
    """
    query = " ".join(claim.query.split())
    filters = []
    if claim.languages:
        langs = [f"{lang}[la]" for lang in claim.languages]
        filters.append(langs[0] if len(langs) == 1 else "(" + " OR ".join(langs) + ")")
    if claim.date_from or claim.date_to:
        start, end = claim.date_from or "1000", claim.date_to or "3000"
        filters.append(f'("{start}"[dp] : "{end}"[dp])')
    if not filters and not claim.humans_only:
        return query
    term = " AND ".join([f"({query})", *filters])
    return f"{term} {HUMANS_FILTER}" if claim.humans_only else term
