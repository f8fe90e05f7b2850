"""An article file read into plain text: .txt and .md as they are (Markdown's inline marks removed), a saved
.html page through readability-lxml (Mozilla's Readability algorithm: navigation, sidebars, footers,
cookie banners and scripts go; headings, paragraphs and list items stay, one a line).

The text returned is what ``evidence propose`` copies into ``articles/`` and what every quote
is cut from, so quotes stay verbatim with respect to the saved copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from evidence.errors import ConfigError
from evidence.registry.text import strip_front_matter

__all__ = ["Source", "read_source", "html_to_text", "markdown_to_text", "SUFFIXES"]

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
_BLOCKS = {"p", "div", "section", "article", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "tr",
           "dd", "dt", "figcaption", "table", "ul", "ol", "br", "header", "main"}


@dataclass(frozen=True)
class Source:
    title: str
    text: str  # the body, one paragraph, heading or list item a line
    publisher: str = ""
    url: str = ""  # only a URL the page itself declares (canonical link, og:url); never made up
    kind: str = "text"  # "text", "markdown" or "html"


def markdown_to_text(text: str) -> str:
    """Markdown as a reader sees it: no '#' marks, emphasis, link targets, images or code fences."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", r"\1", text, flags=re.M)
    text = re.sub(r"^[ \t]{0,3}>[ \t]?", "", text, flags=re.M)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?!\w)", r"\1", text)
    text = re.sub(r"`([^`]+)`", r"\1", text)
    text = re.sub(r"^[ \t]*[*+][ \t]+", "- ", text, flags=re.M)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _block_text(element) -> str:
    """An element's text with a line break at every block boundary and "- " before list items."""
    parts: list[str] = []

    def walk(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _BLOCKS:
            parts.append("\n")
        if tag == "li":
            parts.append("- ")
        if el.text and tag not in ("script", "style"):
            parts.append(el.text)
        for child in el:
            walk(child)
        if tag in _BLOCKS:
            parts.append("\n")
        if el.tail:
            parts.append(el.tail)

    walk(element)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line and line != "-") + "\n"


def _strings(doc, path: str, **variables: str) -> list[str]:
    """An XPath's string results (lxml types them as a union of everything XPath can return)."""
    result = doc.xpath(path, **variables)
    return [str(r) for r in result] if isinstance(result, list) else []


def _meta(doc, *names: str) -> str:
    for name in names:
        for attr in ("property", "name"):
            found = _strings(doc, f"//meta[@{attr}=$n]/@content", n=name)
            if found and found[0].strip():
                return " ".join(found[0].split())
    return ""


def html_to_text(html: str) -> Source:
    """The main text of a saved page, with its title, site name and declared URL."""
    import lxml.html
    from readability import Document  # readability-lxml: imported here, so the CLI starts fast without it

    try:
        doc = lxml.html.document_fromstring(html)
        readable = Document(html)
        body = lxml.html.fragment_fromstring(readable.summary(html_partial=True))
    except Exception as exc:  # lxml and readability raise many types on broken markup
        raise ConfigError(f"the page cannot be read as HTML ({type(exc).__name__}: {exc}); save it again "
                          "from the browser (File > Save page as, HTML only) or pass the text as .txt") from None
    title = _meta(doc, "og:title") or readable.short_title() or ""
    canonical = _strings(doc, "//link[@rel='canonical']/@href")
    url = (canonical[0].strip() if canonical else "") or _meta(doc, "og:url")
    text = _block_text(body)
    first = text.split("\n", 1)[0]
    if title and first.strip() != title.strip():
        text = title.strip() + "\n" + text  # Readability drops the page's own <h1>; the title line stands for it
    return Source(title=title.strip(), text=text, publisher=_meta(doc, "og:site_name"),
                  url=url if url.startswith(("http://", "https://")) else "", kind="html")


def _front_matter(text: str) -> dict[str, str]:
    if not text.startswith("---\n") or (end := text.find("\n---\n", 4)) < 0:
        return {}
    out = {}
    for line in text[4:end].splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            out[key.strip()] = value.strip().strip('"')
    return out


def read_source(path: Path) -> Source:
    """Read an article file; an unknown extension or an empty body is a ConfigError naming the file."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ConfigError(f"{path}: cannot read {suffix or 'a file without extension'}; "
                          f"give the article as {', '.join(SUFFIXES)}")
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the article {path} ({exc}); save it as UTF-8 text") from None
    if suffix in (".html", ".htm"):
        source = html_to_text(raw)
    else:
        header = _front_matter(raw)
        body = strip_front_matter(raw)
        body = markdown_to_text(body) if suffix in (".md", ".markdown") else body.strip() + "\n"
        first = body.strip().split("\n", 1)[0].strip()
        title = header.get("title") or (first if len(first.split()) <= 16 else "") or path.stem.replace("-", " ")
        source = Source(title=title, text=body, publisher=header.get("publisher", ""),
                        url=header.get("source", "") if header.get("source", "").startswith("http") else "",
                        kind="markdown" if suffix != ".txt" else "text")
    if not source.text.strip():
        raise ConfigError(f"{path}: no article text found; check that it is the article itself")
    return source
