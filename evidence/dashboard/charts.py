"""Altair charts of the overview and the claim page: designs, the evidence pyramid, a timeline."""

from __future__ import annotations

import altair as alt
import pandas as pd

from evidence.dashboard.frames import design_counts_long
from evidence.dashboard.text import DESIGN_COLOURS, DIRECTION_COLOURS
from evidence.vocabulary import DESIGNS, TIERS

__all__ = ["design_bar_chart", "design_scale", "pyramid_chart", "timeline_chart"]


def design_scale(designs: set[str] | list[str]) -> alt.Scale:
    """The designs present, in tier order, each in its family's hue (``DESIGN_COLOURS``)."""
    order = [d for d in DESIGNS if d in set(designs)]
    return alt.Scale(domain=order, range=[DESIGN_COLOURS.get(d, "#999999") for d in order])


def design_bar_chart(frame: pd.DataFrame) -> alt.Chart:
    """One horizontal stacked bar per claim: its studies by design, best tiers first."""
    long = design_counts_long(frame)
    order = [d for d in DESIGNS if d in set(long["design"])]
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("id:N", title=None, sort=list(frame["id"]), axis=alt.Axis(labelLimit=260)),
            x=alt.X("count:Q", title="studies"),
            color=alt.Color("design:N", sort=order, scale=design_scale(order), title="design"),
            order=alt.Order("tier:Q"),
            tooltip=["id", "design", "count"],
        )
        .properties(height=max(60, 24 * long["id"].nunique()))
    )


def pyramid_chart(frame: pd.DataFrame) -> alt.Chart:
    """The evidence pyramid: studies per design, best tier on top, coloured by direction."""
    counts = (frame.assign(tier=frame["design"].map(TIERS))
              .groupby(["design", "tier", "direction"], as_index=False).size().rename(columns={"size": "count"}))
    order = [d for d in DESIGNS if d in set(counts["design"])]
    return (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            y=alt.Y("design:N", sort=order, title=None, axis=alt.Axis(labelLimit=200)),
            x=alt.X("count:Q", title="studies"),
            color=alt.Color("direction:N", scale=alt.Scale(domain=list(DIRECTION_COLOURS),
                                                           range=list(DIRECTION_COLOURS.values()))),
            tooltip=["design", "tier", "direction", "count"],
        )
        .properties(height=max(160, 44 * len(order)))  # room for every design label
    )


def timeline_chart(frame: pd.DataFrame) -> alt.Chart:
    """Studies per publication year, stacked by design."""
    data = frame.assign(year=pd.to_numeric(frame["year"], errors="coerce")).dropna(subset=["year"])
    counts = data.groupby(["year", "design"], as_index=False).size().rename(columns={"size": "count"})
    counts["year"] = counts["year"].astype(int)
    order = [d for d in DESIGNS if d in set(counts["design"])]
    return (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="year"),
            y=alt.Y("count:Q", title="studies"),
            color=alt.Color("design:N", sort=order, scale=design_scale(order)),
            tooltip=["year", "design", "count"],
        )
        .properties(height=220)
    )
