"""The queries.yaml loader: records built right, and every malformed file gives a located ConfigError.

Each row of MUTATIONS breaks a small valid registry in one way. The expected line is
found in the *mutated text* by a marker string (so the table never hard-codes what
the code under test computes); the expected field path and message fragment are what
a user needs to fix it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evidence.errors import ConfigError, RegistryError
from evidence.models import Claim
from evidence.pubmed.query import HUMANS_FILTER, is_known_tag, query_problems, search_term
from evidence.registry import load_registry, summarize

ARTICLE = """---
title: Demo
---
Ketamine blocks NMDA receptors.
Ketamine can cause \u201culcerative   cystitis\u201d in heavy users.
The bladder is never harmed.
"""

BASE = """\
# demo registry
articles:
  - id: demo
    title: Demo article
    publisher: Demo Clinic
    source: text supplied by the user
    file: article.md
claims:
  - id: nmda
    article: demo
    quote: Ketamine blocks NMDA receptors.
    statement: Ketamine is an NMDA-receptor antagonist.
    kind: pharmacology
    polarity: effect
    query: ketamine[mh] AND "receptors, n-methyl-d-aspartate"[mh]
  - id: cystitis
    article: demo
    quote: 'Ketamine can cause "ulcerative cystitis" in heavy users.'
    statement: Repeated ketamine use causes ulcerative cystitis.
    kind: safety
    polarity: effect
    population: heavy users
    query: >-
      ketamine[mh] AND (cystitis[mh]
      OR "ketamine-induced cystitis"[tiab])
    humans_only: true
    languages: [english]
    date_from: 2000
    date_to: 2024/12/31
    contradicts: [safe-bladder]
    support_terms: [ulcerative cystitis]
    contradict_terms: [no bladder]
    note: demo note
  - id: safe-bladder
    article: demo
    quote: The bladder is never harmed.
    statement: Ketamine does not harm the bladder.
    kind: safety
    polarity: no-effect
    query: ketamine[mh] AND "urinary bladder"[mh]
    contradicts: [cystitis]
"""


def write(tmp_path: Path, text: str, article: str | None = ARTICLE) -> Path:
    if article is not None:
        (tmp_path / "article.md").write_text(article, encoding="utf-8")
    path = tmp_path / "queries.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, marker: str) -> int:
    """1-based line where ``marker`` (possibly several lines) first starts: computed from the test input."""
    assert marker in text, f"marker {marker!r} not in the mutated text"
    return text.count("\n", 0, text.index(marker)) + 1


# --------------------------------------------------------------------------- valid file


def test_base_loads_into_claims(tmp_path):
    reg = load_registry(write(tmp_path, BASE))
    assert [c.id for c in reg.claims] == ["nmda", "cystitis", "safe-bladder"]
    c = reg.claim("cystitis")
    assert isinstance(c, Claim)
    assert c.line == line_of(BASE, "- id: cystitis")
    assert c.languages == ("english",) and c.contradicts == ("safe-bladder",)
    assert c.support_terms == ("ulcerative cystitis",) and c.contradict_terms == ("no bladder",)
    assert c.humans_only is True and c.date_from == "2000" and c.date_to == "2024/12/31"
    assert c.population == "heavy users" and c.comparator is None and c.note == "demo note"
    assert reg.claim("safe-bladder").polarity == "no-effect"
    assert reg.claim("nmda").humans_only is False and reg.claim("nmda").languages == ()


def test_article_loaded_relative_to_registry_with_header_stripped(tmp_path):
    reg = load_registry(write(tmp_path, BASE))
    art = reg.article("demo")
    assert art.publisher == "Demo Clinic" and art.file == "article.md"
    assert art.text.startswith("Ketamine blocks NMDA receptors.")
    assert "title: Demo" not in art.text
    assert reg.claims_for("demo") == reg.claims


def test_polarity_defaults_to_effect(tmp_path):
    reg = load_registry(write(tmp_path, BASE.replace("    polarity: effect\n    query: ketamine[mh] AND \"rec", "    query: ketamine[mh] AND \"rec")))
    assert reg.claim("nmda").polarity == "effect"


def test_yaml_typing_does_not_leak(tmp_path):
    # "no" and 1984 stay text: values are read from the source, not through YAML 1.1 typing.
    reg = load_registry(write(tmp_path, BASE.replace("note: demo note", "note: no").replace("title: Demo article", "title: 1984")))
    assert reg.claim("cystitis").note == "no"
    assert reg.article("demo").title == "1984"


@pytest.mark.parametrize("method, name", [("claim", "cystits"), ("article", "dem")])
def test_unknown_id_lookup_names_it_and_lists_valid_ids(tmp_path, method, name):
    reg = load_registry(write(tmp_path, BASE))
    with pytest.raises(ConfigError) as err:
        getattr(reg, method)(name)
    assert repr(name) in str(err.value) and "Did you mean" in str(err.value)
    assert ("nmda" if method == "claim" else "demo") in str(err.value)


def test_claims_for_unknown_article(tmp_path):
    reg = load_registry(write(tmp_path, BASE))
    with pytest.raises(ConfigError, match="unknown article id 'other'"):
        reg.claims_for("other")


def test_summarize_one_line_per_claim(tmp_path):
    reg = load_registry(write(tmp_path, BASE))
    lines = summarize(reg)
    assert len(lines) == len(reg.claims)
    for line, claim in zip(lines, reg.claims, strict=False):
        assert line.startswith(claim.id) and f"line {claim.line}" in line and claim.statement in line
    assert "humans" in lines[1] and "english" in lines[1] and "contradicts safe-bladder" in lines[1]
    assert "safety/no-effect" in lines[2]


# --------------------------------------------------------------------------- malformed files

# (name, mutation (old, new) or callable, marker for the expected line, path fragment, message fragment)
MUTATIONS = [
    ("unknown claim key", ("    kind: safety\n    polarity: effect\n    population", "    knd: safety\n    polarity: effect\n    population"), "knd:", "claims[1].knd (id cystitis)", "did you mean 'kind'"),
    ("unknown article key", ("    file: article.md", "    filename: article.md"), "filename:", "articles[0].filename", "did you mean 'file'"),
    ("unknown top-level key", ("claims:\n", "clams:\n"), "clams:", "clams", "did you mean 'claims'"),
    ("missing statement", ("    statement: Ketamine is an NMDA-receptor antagonist.\n", ""), "- id: nmda", "claims[0] (id nmda)", "missing required field 'statement'"),
    ("missing query", ('    query: ketamine[mh] AND "urinary bladder"[mh]\n', ""), "- id: safe-bladder", "claims[2] (id safe-bladder)", "missing required field 'query'"),
    ("missing article file", ("    file: article.md\n", ""), "- id: demo", "articles[0] (id demo)", "missing required field 'file'"),
    ("missing claims section", (BASE[BASE.index("claims:"):], ""), "articles:", "(top level)", "missing required key 'claims'"),
    ("statement is a list", ("statement: Ketamine does not harm the bladder.", "statement: [a, b]"), "statement: [a, b]", "claims[2].statement", "expected text"),
    ("empty statement", ("statement: Ketamine does not harm the bladder.", "statement:"), "statement:\n", "claims[2].statement", "is empty"),
    ("null quote", ("quote: The bladder is never harmed.", "quote: ~"), "quote: ~", "claims[2].quote", "is empty"),
    ("humans_only not a bool", ("humans_only: true", "humans_only: often"), "humans_only:", "claims[1].humans_only", "expected true or false"),
    ("humans_only quoted", ("humans_only: true", 'humans_only: "true"'), "humans_only:", "claims[1].humans_only", "expected true or false"),
    ("languages not a list", ("languages: [english]", "languages: english"), "languages:", "claims[1].languages", "expected a list"),
    ("language not a word", ("languages: [english]", "languages: [english, fr-2]"), "languages:", "claims[1].languages[1] (id cystitis)", "not a PubMed language"),
    ("bad date", ("date_from: 2000", "date_from: 2000/13/01"), "date_from:", "claims[1].date_from", "YYYY/MM/DD"),
    ("dates reversed", ("date_from: 2000", "date_from: 2025"), "date_to:", "claims[1].date_to", "before date_from"),
    ("bad kind", ("kind: pharmacology", "kind: pharma"), "kind: pharma", "claims[0].kind (id nmda)", "expected one of mechanism"),
    ("bad polarity", ("polarity: no-effect", "polarity: harmless"), "polarity: harmless", "claims[2].polarity", "expected one of effect, no-effect"),
    ("id not a slug", ("  - id: nmda", "  - id: NMDA Claim"), "id: NMDA", "claims[0].id", "not a slug"),
    ("duplicate claim id", ("  - id: safe-bladder", "  - id: nmda"), "  - id: nmda\n    article: demo\n    quote: The", "claims[2].id", "duplicate id 'nmda' (first used at line 9)"),
    ("duplicate article id", ("claims:\n", "  - id: demo\n    title: T\n    source: S\n    file: article.md\nclaims:\n"), "  - id: demo\n    title: T", "articles[1].id", "duplicate id 'demo'"),
    ("duplicate key", ("    kind: pharmacology\n", "    kind: pharmacology\n    kind: safety\n"), "kind: safety\n    polarity: effect\n    query: ketamine[mh] AND \"rec", "claims[0].kind", "duplicate key"),
    ("contradicts names nothing", ("contradicts: [safe-bladder]", "contradicts: [safe-bladdr]"), "contradicts: [safe-bladdr]", "claims[1].contradicts[0]", "names no claim 'safe-bladdr'; did you mean 'safe-bladder'"),
    ("contradicts not mutual", ("    contradicts: [cystitis]\n", ""), "contradicts: [safe-bladder]", "claims[1].contradicts[0]", "does not list 'cystitis' back"),
    ("contradicts itself", ("contradicts: [cystitis]", "contradicts: [cystitis, safe-bladder]"), "contradicts: [cystitis, safe-bladder]", "claims[2].contradicts[1]", "cannot contradict itself"),
    ("article names nothing", ("    article: demo\n    quote: Ketamine blocks", "    article: demo-two\n    quote: Ketamine blocks"), "article: demo-two", "claims[0].article (id nmda)", "'demo-two' names no article"),
    ("quote not in article", ("quote: Ketamine blocks NMDA receptors.", "quote: Ketamine blocks all NMDA receptors."), "quote: Ketamine blocks all", "claims[0].quote (id nmda)", "not found in article 'demo'"),
    ("empty query", ('query: ketamine[mh] AND "urinary bladder"[mh]', 'query: ""'), 'query: ""', "claims[2].query", "is empty"),
    ("unbalanced parenthesis", ('OR "ketamine-induced cystitis"[tiab])', 'OR "ketamine-induced cystitis"[tiab]'), "query: >-", "claims[1].query", "unbalanced parentheses"),
    ("unbalanced quote", ('query: ketamine[mh] AND "urinary bladder"[mh]', 'query: ketamine[mh] AND "urinary bladder[mh]'), "query: ketamine[mh] AND \"urinary", "claims[2].query", "unbalanced double quote"),
    ("unknown field tag", ('"urinary bladder"[mh]', '"urinary bladder"[mesh term]'), "[mesh term]", "claims[2].query", "unknown field tag [mesh term]"),
    ("dangling AND", ('"urinary bladder"[mh]\n', '"urinary bladder"[mh] AND\n'), "[mh] AND\n", "claims[2].query", "ends with 'AND'"),
    ("OR OR", ("(cystitis[mh]\n", "(cystitis[mh] OR\n"), "query: >-", "claims[1].query", "'OR OR'"),
    ("lower-case or", ('"urinary bladder"[mh]', '"urinary bladder"[mh] or bladder[tiab]'), "or bladder", "claims[2].query", "not a Boolean operator"),
    ("unreadable article file", ("file: article.md", "file: missing.md"), "file: missing.md", "articles[0].file (id demo)", "cannot read article file"),
    ("article file is a folder", ("file: article.md", "file: ."), "file: .", "articles[0].file", "cannot read article file"),
    ("claims not a list", (BASE[BASE.index("claims:"):], "claims: none\n"), "claims: none", "claims", "expected a non-empty list of claims"),
    ("claim not a mapping", ("  - id: safe-bladder\n", "  - just text\n  - id: safe-bladder\n"), "- just text", "claims[2]", "expected a mapping of fields"),
    ("tab indentation", ("    title: Demo article", "\ttitle: Demo article"), "\ttitle", "(YAML syntax)", "replace the tab"),
    ("broken indentation", ("    publisher: Demo Clinic", "      publisher: Demo Clinic"), "publisher:", "(YAML syntax)", "indentation"),
    ("unclosed flow list", ("languages: [english]", "languages: [english"), "date_from:", "(YAML syntax)", "flow sequence"),
    ("empty file", lambda text: "", None, "(top level)", "the file is empty"),
    ("only a comment", lambda text: "# nothing yet\n", None, "(top level)", "the file is empty"),
    ("top level a list", lambda text: "- articles\n- claims\n", None, "(top level)", "expected a mapping with 'articles:' and 'claims:'"),
    ("top level a scalar", lambda text: "just some words\n", None, "(top level)", "expected a mapping"),
]

_LOCATED = re.compile(r"^(?P<file>.+):(?P<line>\d+):(?P<col>\d+): (?P<path>.+?): (?P<msg>.+)$")


def _mutate(mutation) -> str:
    if callable(mutation):
        return mutation(BASE)
    old, new = mutation
    assert old in BASE, f"mutation target {old!r} not in BASE"
    return BASE.replace(old, new, 1)


def _located_lines(message: str, file: str) -> list[dict]:
    head, *rest = message.splitlines()
    count = re.search(r": (\d+) problems? in the claims registry", head)
    assert count, f"first line must give the count: {head!r}"
    assert int(count.group(1)) == len(rest) >= 1
    out = []
    for line in rest:
        m = _LOCATED.match(line)
        assert m, f"not a located problem: {line!r}"
        assert m["file"] == file
        out.append(m.groupdict())
    return out


@pytest.mark.parametrize("name, mutation, marker, path, fragment", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_malformed_registry_gives_located_config_error(tmp_path, name, mutation, marker, path, fragment):
    text = _mutate(mutation)
    assert text != BASE
    target = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:  # any other exception type fails the test
        load_registry(target)
    assert isinstance(err.value, RegistryError)
    problems = _located_lines(str(err.value), str(target))
    expected_line = 1 if marker is None else line_of(text, marker)
    matches = [p for p in problems if path in p["path"] and fragment in p["msg"]]
    assert matches, f"no problem with path {path!r} and {fragment!r} in:\n{err.value}"
    assert int(matches[0]["line"]) == expected_line, str(err.value)
    assert len(err.value.problems) == len(problems)


def test_all_problems_reported_in_one_pass(tmp_path):
    text = BASE.replace("kind: pharmacology", "kind: pharma").replace("polarity: no-effect", "polarity: harmless")
    text = text.replace("file: article.md", "file: article.md\n    colour: red")
    with pytest.raises(ConfigError) as err:
        load_registry(write(tmp_path, text))
    problems = _located_lines(str(err.value), str(tmp_path / "queries.yaml"))
    assert len(problems) == 3
    assert [int(p["line"]) for p in problems] == sorted(int(p["line"]) for p in problems)


def test_missing_registry_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the registry"):
        load_registry(tmp_path / "nope.yaml")


def test_quote_error_suggests_closest_sentence(tmp_path):
    text = BASE.replace("quote: The bladder is never harmed.", "quote: The bladder is never ever harmed.")
    with pytest.raises(ConfigError) as err:
        load_registry(write(tmp_path, text))
    assert "closest sentence is: 'The bladder is never harmed.'" in str(err.value)


# --------------------------------------------------------------------------- search_term


def _claim(**kw) -> Claim:
    base = {"id": "x", "article": "a", "quote": "q", "statement": "s", "kind": "safety", "query": "ketamine[mh]"}
    return Claim(**{**base, **kw})


@pytest.mark.parametrize(
    "fields, expected",
    [
        ({}, "ketamine[mh]"),
        ({"query": "  ketamine[mh]\n  AND cystitis[mh] "}, "ketamine[mh] AND cystitis[mh]"),
        ({"humans_only": True}, f"(ketamine[mh]) {HUMANS_FILTER}"),
        ({"languages": ("english",)}, "(ketamine[mh]) AND english[la]"),
        ({"languages": ("english", "french")}, "(ketamine[mh]) AND (english[la] OR french[la])"),
        ({"date_from": "2010"}, '(ketamine[mh]) AND ("2010"[dp] : "3000"[dp])'),
        ({"date_to": "2020/06/30"}, '(ketamine[mh]) AND ("1000"[dp] : "2020/06/30"[dp])'),
        ({"date_from": "2010/01/01", "date_to": "2020"}, '(ketamine[mh]) AND ("2010/01/01"[dp] : "2020"[dp])'),
        (
            {"query": "a[tiab] OR b[tiab]", "humans_only": True, "languages": ("english",), "date_from": "2000"},
            f'(a[tiab] OR b[tiab]) AND english[la] AND ("2000"[dp] : "3000"[dp]) {HUMANS_FILTER}',
        ),
    ],
)
def test_search_term(fields, expected):
    term = search_term(_claim(**fields))
    assert term == expected
    assert query_problems(term) == []


def test_humans_filter_keeps_unindexed_records():
    # The filter must exclude animal-only records, never require the Humans heading.
    assert HUMANS_FILTER.startswith("NOT ") and "animals[mh] NOT humans[mh]" in HUMANS_FILTER


def test_or_query_is_parenthesised_before_filters():
    # Without parentheses "a OR b AND english[la]" would filter only b.
    assert search_term(_claim(query="a OR b", languages=("english",))).startswith("(a OR b) AND")


# --------------------------------------------------------------------------- query_problems


@pytest.mark.parametrize(
    "query",
    [
        'ketamine[mh] AND (cystitis[mh] OR "ketamine-induced cystitis"[tiab] OR "ketamine uropathy"[tiab])',
        "ketamine[MeSH Terms] AND depression[Title/Abstract] AND english[Language]",
        'ketamine[majr:noexp] AND "randomized controlled trial"[Publication Type]',
        '"ketamine cystitis"[tiab:~2] NOT animals[mh]',
        'ketamine[mh] AND ("2010/01/01"[dp] : "3000"[dp])',
        "ketamine/adverse effects[mh] AND humans[filter] AND 2015:2020[dp]",
        "ketamin*[tiab] AND (\"Ketamine\"[nm] OR ketamine[TW])",
        "12345678[pmid] OR 23456789[uid]",
        "ketamine",
    ],
)
def test_valid_queries_have_no_problems(query):
    assert query_problems(query) == []


@pytest.mark.parametrize(
    "query, fragment",
    [
        ("", "the query is empty"),
        ("   \n ", "the query is empty"),
        ("(ketamine[mh] AND cystitis[mh]", "'(' at column 1 is never closed"),
        ("ketamine[mh]) AND cystitis[mh]", "')' at column 13 closes nothing"),
        ('ketamine[mh] AND "ketamine cystitis[tiab]', "unbalanced double quote at column 18"),
        ("ketamine[mh] AND cystitis[tiabs]", "unknown field tag [tiabs]"),
        ("ketamine[Title Abstract]", "unknown field tag [Title Abstract]"),
        ("ketamine[mh] AND", "ends with 'AND'"),
        ("ketamine[mh] OR OR cystitis", "'OR OR'"),
        ("AND ketamine[mh]", "starts with 'AND'"),
        ("ketamine[mh] AND (OR cystitis)", "'(OR'"),
        ("ketamine[mh] AND (cystitis OR)", "'OR)'"),
        ("ketamine[mh] AND ()", "empty parentheses"),
        ("ketamine[mh] and cystitis[mh]", "not a Boolean operator"),
        ("ketamine[mh] AND \u201cketamine cystitis\u201d[tiab]", "typographic quote"),
        ("ketamine[mh AND cystitis", "unclosed '['"),
        ("ketamine AND [mh]", "follows no term"),
    ],
)
def test_query_problems_found(query, fragment):
    problems = query_problems(query)
    assert any(fragment in p for p in problems), problems


@pytest.mark.parametrize(
    "tag, known",
    [("mh", True), ("MH", True), ("Title/Abstract", True), ("mesh terms", True), ("majr:noexp", True),
     ("tiab:~3", True), ("Date - Publication", True), ("tiabs", False), ("mesh term", False), ("", False)],
)
def test_is_known_tag(tag, known):
    assert is_known_tag(tag) is known
