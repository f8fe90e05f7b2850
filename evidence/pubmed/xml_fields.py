"""Reading PubMed XML elements: child lookups, text flattening, and a record's list parts.

The list parts are authors, abstract sections, article ids, MeSH headings and
comments/corrections; the record itself, its dates and flags are assembled in
``xml_parser``.

Why not ``elem.find("A/B")``: lxml runs every ``find``/``findall``/``findtext`` path
through ElementPath (tokenise, cached selector, generator chain), a few microseconds
each, and a record needs dozens of them. Here a container's children are read once
(``children``) and fields are picked from that; the semantics stay those of ``find``:
the first child with that exact tag, in document order, comments never matching.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from lxml import etree

from evidence.models import AbstractSection, Author, CommentCorrection, MeshHeading

MATHML = "{http://www.w3.org/1998/Math/MathML}"
# What str.split() splits on in ASCII text besides single spaces (see squash).
_ODD_WHITESPACE = ("  ", "\n", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")

AUTHOR_FIELDS = {
    "LastName": "last_name", "ForeName": "fore_name", "Initials": "initials", "CollectiveName": "collective_name"
}

Children = dict[str, list[etree._Element]]


def children(elem: etree._Element | None) -> Children:
    """``elem``'s children grouped by tag, in document order (empty when ``elem`` is None).

    ``first(kids, "X")`` is then ``elem.find("X")`` and ``kids.get("X", [])`` is
    ``elem.findall("X")``. Comments and processing instructions are keyed by their
    tag, a function, which no lookup by name ever matches.
    """
    kids: Children = {}
    if elem is not None:
        for child in elem:
            tag = child.tag
            if tag in kids:
                kids[tag].append(child)
            else:
                kids[tag] = [child]
    return kids


def first(kids: Children, tag: str) -> etree._Element | None:
    """The first ``tag`` child: ``elem.find(tag)``."""
    found = kids.get(tag)
    return found[0] if found else None


def below(kids: Children, outer: str, inner: str) -> Iterator[etree._Element]:
    """The ``inner`` children of every ``outer`` child, in document order: ``elem.iterfind("outer/inner")``."""
    for parent in kids.get(outer, ()):
        for child in parent:
            if child.tag == inner:
                yield child


def findtext(kids: Children, tag: str) -> str | None:
    """``elem.findtext(tag)``: the first ``tag`` child's own text ("" if it has none), None when absent."""
    found = kids.get(tag)
    return (found[0].text or "") if found else None


def squash(text: str) -> str:
    """``" ".join(text.split())``: runs of whitespace become one space, the ends are stripped.

    ASCII text that is already normalised (most abstracts and titles) is returned as it
    is: checking costs a few substring scans, splitting costs one string per word. For
    short text the check does not pay; call ``" ".join(text.split())`` directly.
    """
    if text.isascii() and text[:1] != " " and text[-1:] != " ":
        for odd in _ODD_WHITESPACE:
            if odd in text:
                break
        else:
            return text
    return " ".join(text.split())


def _collect(elem: etree._Element, parts: list[str]) -> None:
    if elem.text:
        parts.append(elem.text)
    for child in elem:
        tag = child.tag
        if isinstance(tag, str):  # comments and processing instructions carry no text
            if tag.startswith(MATHML):
                # MathML is pretty-printed token by token ("<mi>V</mi> <mo>.</mo>"):
                # join its tokens tightly so "V.O2max" does not become "V . O 2 m a x".
                tokens: Iterator[str] = child.itertext()  # type: ignore[assignment]  # str without a tag filter
                parts.append("".join(t.strip() for t in tokens))
            else:
                _collect(child, parts)
        if child.tail:
            parts.append(child.tail)


def text_of(elem: etree._Element | None) -> str:
    """All text under ``elem`` (inline <i>, <sup>, MathML... flattened), whitespace normalised."""
    if elem is None:
        return ""
    if len(elem):  # mixed content: long text (abstracts, titles) with inline markup
        parts: list[str] = []
        _collect(elem, parts)
        return squash("".join(parts))
    text = elem.text  # the common case: a leaf
    if not text:
        return ""
    return squash(text) if len(text) > 100 else " ".join(text.split())


def opt_text(elem: etree._Element | None) -> str | None:
    """Flattened text of ``elem``, or None when it is absent or empty."""
    return text_of(elem) or None


def texts(elems: Iterable[etree._Element]) -> tuple[str, ...]:
    """The non-empty flattened texts of ``elems``, in order."""
    return tuple(t for t in map(text_of, elems) if t)


def _orcid(value: str) -> str:
    """Bare ORCID iD: NCBI sends "0000-…", "http(s)://orcid.org/0000-…" or 16 digits without dashes."""
    value = value.strip().rstrip("/").rsplit("/", 1)[-1]
    if len(value) == 16 and "-" not in value:
        value = "-".join(value[i : i + 4] for i in range(0, 16, 4))
    return value


def read_authors(author_list: etree._Element | None) -> tuple[Author, ...]:
    if author_list is None:
        return ()
    authors = []
    for a in author_list:
        if a.tag != "Author" or a.get("ValidYN") == "N":  # NLM keeps erroneous names but marks them invalid
            continue
        fields: dict[str, str | None] = {}
        for child in a:  # one pass over the children: authors are the bulk of big records
            tag = child.tag
            if (name := AUTHOR_FIELDS.get(tag)) is not None:
                fields[name] = text_of(child) or None
            elif tag == "Identifier" and "orcid" not in fields and child.get("Source") == "ORCID" and child.text:
                fields["orcid"] = _orcid(child.text)
        authors.append(Author(**fields))
    return tuple(authors)


def read_abstract(abstract: etree._Element | None) -> tuple[str, tuple[AbstractSection, ...]]:
    """Plain abstract text ("LABEL: text" lines when structured) and its sections."""
    if abstract is None:
        return "", ()
    sections = tuple(
        AbstractSection(label=t.get("Label") or None, nlm_category=t.get("NlmCategory") or None, text=text_of(t))
        for t in abstract
        if t.tag == "AbstractText"
    )
    sections = tuple(s for s in sections if s.text or s.label)
    joined = "\n".join(f"{s.label}: {s.text}" if s.label else s.text for s in sections)
    return joined, sections


def read_ids(id_lists: list[etree._Element | None], elocations: list[etree._Element]) -> tuple[str | None, str | None]:
    """(doi, pmcid) from the record's own ArticleIdLists, then ELocationID for the DOI."""
    doi = pmcid = None
    for id_list in id_lists:
        if id_list is None:
            continue
        for aid in id_list:
            if aid.tag != "ArticleId":
                continue
            kind, value = aid.get("IdType"), (aid.text or "").strip()
            if kind == "doi" and value and doi is None:
                doi = value
            elif kind == "pmc" and value and pmcid is None:
                pmcid = value if value.upper().startswith("PMC") else f"PMC{value}"
    valid_dois = (e.text.strip() for e in elocations
                  if e.get("EIdType") == "doi" and e.get("ValidYN") != "N" and e.text)
    return doi or next(valid_dois, None), pmcid


def read_mesh(mc: Children) -> tuple[MeshHeading, ...]:
    headings = []
    for h in below(mc, "MeshHeadingList", "MeshHeading"):
        descriptor = None
        qualifiers: list[str] = []
        major = False  # the descriptor or any qualifier is a major topic
        for child in h:
            tag = child.tag
            if tag == "QualifierName":
                qualifiers.append(text_of(child))
                major = major or child.get("MajorTopicYN") == "Y"
            elif tag == "DescriptorName" and descriptor is None:
                descriptor = child
        if descriptor is not None:
            major = descriptor.get("MajorTopicYN") == "Y" or major
            headings.append(MeshHeading(text_of(descriptor), descriptor.get("UI"), major, tuple(qualifiers)))
    return tuple(headings)


def read_comments_corrections(mc: Children) -> tuple[CommentCorrection, ...]:
    ccs = []
    for c in below(mc, "CommentsCorrectionsList", "CommentsCorrections"):
        kids = children(c)
        ref_type = c.get("RefType", "")
        ccs.append(CommentCorrection(ref_type, opt_text(first(kids, "PMID")), opt_text(first(kids, "RefSource"))))
    return tuple(ccs)
