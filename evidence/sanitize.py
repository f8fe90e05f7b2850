"""Text from outside (PubMed records, imported files, NCBI's replies) made inert for where it goes.

One definition each, used everywhere:

  strip_controls   a terminal: control characters (ESC, BEL, NUL, C1...) removed, so a title
                   cannot retitle the window, clear the screen or plant an OSC-8 link
  md_escape        Markdown (the report, the digest, the dashboard): one line, specials
                   backslash-escaped, HTML escaped, so a title stays text (no <script>,
                   ![img](...), [x](javascript:...), tables broken by |, Streamlit's $LaTeX$)
  csv_cell         a spreadsheet: a cell that starts like a formula (= + - @ TAB CR) gets a
                   leading apostrophe, as OWASP recommends (https://owasp.org/www-community/attacks/CSV_Injection);
  csv_value        ... and reading one back removes it, so an export imports unchanged
"""

from __future__ import annotations

import html
import re
from typing import Any

__all__ = ["strip_controls", "md_escape", "csv_cell", "csv_value"]

# C0 controls but TAB and LF, DEL, and the C1 controls (CSI U+009B, OSC U+009D...).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Inline specials: code, emphasis, links and images ([ ]), tables, strikethrough, Streamlit's LaTeX.
# < > & are left to html.escape. Line-start specials (# + - = "1.") are escaped at the start only:
# md_escape gives one line, so nowhere else can they begin a block.
_MD_INLINE = re.compile(r"([\\`*_\[\]|~$])")
_MD_LINE_START = re.compile(r"^(?:([#+\-=])|(\d+)([.)]))")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NEUTRALISER = "'"


def strip_controls(text: str) -> str:
    """``text`` without terminal control characters; TAB and newlines are kept (CRLF becomes LF)."""
    return _CONTROLS.sub("", text.replace("\r\n", "\n"))


def md_escape(value: Any) -> str:
    """Any text made inert for Markdown: controls stripped, on one line, Markdown specials
    backslash-escaped, then ``<``, ``>`` and ``&`` HTML-escaped (None is "")."""
    text = " ".join(strip_controls("" if value is None else str(value)).split("\n")).strip()
    text = _MD_INLINE.sub(r"\\\1", text)
    text = _MD_LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", text)
    # Markdown escapes first, so the entities html.escape then writes (&lt;) stay whole.
    return html.escape(text, quote=False)


def csv_cell(value: Any) -> str:
    """One CSV cell a spreadsheet will show as text, never run as a formula (None is "").

    Control characters are stripped (CR among them: the csv module does not quote it). A cell
    starting with ``= + - @`` or TAB is then prefixed with ``'``; so is one that already starts
    with ``'``, so that ``csv_value`` gives back exactly what was written.
    """
    text = strip_controls("" if value is None else str(value))  # a lone CR would end the row for a reader
    return _NEUTRALISER + text if text.startswith((*_FORMULA_START, _NEUTRALISER)) else text


def csv_value(cell: str) -> str:
    """The inverse of ``csv_cell``: the apostrophe it added is removed."""
    if cell.startswith(_NEUTRALISER) and cell[1:].startswith((*_FORMULA_START, _NEUTRALISER)):
        return cell[1:]
    return cell
