"""Dates as E-utilities takes them: range bounds, the open ends of a range, the PubMed day.

One module for every date rule of the E-utilities protocol, so the request builder, the
client's date-window splitting and the refresh's incremental windows agree.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

__all__ = ["DATETYPES", "EARLIEST", "LATEST", "format_date", "parse_date_bound"]

DATETYPES = ("edat", "mdat", "pdat")
# Open ends of a date range. NCBI ignores a range unless both ends are given; PubMed's
# oldest citations are from 1781 and pdat can lie in the future (issues announced ahead).
EARLIEST = date(1700, 1, 1)
LATEST = date(3000, 12, 31)


def parse_date_bound(value: str | date, *, upper: bool) -> date:
    """'2020' / '2020/05' / '2020/05/17' (or '-' separators) -> the first or last day it covers."""
    if isinstance(value, date):
        return value
    parts = [int(p) for p in re.split(r"[/-]", value.strip())]
    if not 1 <= len(parts) <= 3:
        raise ValueError(f"date {value!r} is not YYYY, YYYY/MM or YYYY/MM/DD")
    year = parts[0]
    month = parts[1] if len(parts) > 1 else (12 if upper else 1)
    if len(parts) == 3:
        return date(year, month, parts[2])
    if not upper:
        return date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def format_date(value: str | date) -> str:
    """NCBI wants YYYY/MM/DD (YYYY and YYYY/MM also allowed); normalise dates and '-' forms."""
    if isinstance(value, date):
        return value.strftime("%Y/%m/%d")
    return value.strip().replace("-", "/")

