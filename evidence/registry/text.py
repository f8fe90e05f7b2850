"""Article text as quotes are checked against it: normalised whitespace and quote style."""

from __future__ import annotations

__all__ = ["QUOTE_MAP", "normalize_text", "quote_in_text", "strip_front_matter"]

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
