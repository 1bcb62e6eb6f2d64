"""Build the analytics charts from the functions' answers."""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping

import plotly.graph_objects as go

from .present import CATEGORY_LABELS

CATEGORY_COLORS: dict[str, str] = {"facility": "#198754", "it": "#0d6efd", "services": "#d63384"}
AVERAGE_COLOR = "#0d6efd"
MEDIAN_COLOR = "#fd7e14"
HOURS_PER_UNIT: dict[str, float] = {"hours": 1.0, "days": 24.0}


def _base_layout(figure: go.Figure, *, y_title: str) -> go.Figure:
    figure.update_layout(
        margin={"l": 48, "r": 12, "t": 36, "b": 40},
        plot_bgcolor="white",
        paper_bgcolor="white",
        font={"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hoverlabel={"bgcolor": "white"},
    )
    figure.update_yaxes(title_text=y_title, gridcolor="#e9ecef", rangemode="tozero", zeroline=False)
    figure.update_xaxes(showgrid=False)
    return figure


def month_label(month: str) -> str:
    """Return ``2025-03`` as ``Mar 2025``."""
    try:
        year, number = month.split("-")
        return date(int(year), int(number), 1).strftime("%b %Y")
    except (ValueError, AttributeError):
        return str(month)


def in_unit(hours: Any, unit: str) -> float | None:
    """Return a number of hours in *unit* (hours or days), keeping gaps as None."""
    if hours is None:
        return None
    return round(float(hours) / HOURS_PER_UNIT[unit], 2)


def resolution_time_figure(answer: Mapping[str, Any], unit: str = "hours") -> go.Figure:
    """Return grouped bars of average and median resolution time by opening month."""
    months = list(answer.get("months") or [])
    labels = [month_label(month.get("month", "")) for month in months]
    counts = [[month.get("opened", 0), month.get("closed", 0)] for month in months]
    short = "h" if unit == "hours" else "d"
    figure = go.Figure()
    for name, key, color in (
        ("Average", "avg_resolution_hours", AVERAGE_COLOR),
        ("Median", "median_resolution_hours", MEDIAN_COLOR),
    ):
        figure.add_trace(
            go.Bar(
                name=name,
                x=labels,
                y=[in_unit(month.get(key), unit) for month in months],
                customdata=counts,
                marker_color=color,
                hovertemplate=(
                    f"<b>%{{x}}</b><br>{name}: %{{y:.2f}} {short}"
                    "<br>Opened: %{customdata[0]}<br>Closed of them: %{customdata[1]}<extra></extra>"
                ),
            )
        )
    figure.update_layout(barmode="group")
    return _base_layout(figure, y_title=f"resolution time ({unit})")


def category_active_figure(answer: Mapping[str, Any]) -> go.Figure:
    """Return one bar per category with its number of active tickets."""
    categories = list(answer.get("categories") or [])
    keys = [entry.get("category", "") for entry in categories]
    labels = [entry.get("label") or CATEGORY_LABELS.get(entry.get("category", ""), "") for entry in categories]
    values = [int(entry.get("active") or 0) for entry in categories]
    figure = go.Figure(
        go.Bar(
            x=labels,
            y=values,
            text=values,
            textposition="outside",
            cliponaxis=False,
            marker_color=[CATEGORY_COLORS.get(key, "#6c757d") for key in keys],
            hovertemplate="<b>%{x}</b><br>Active tickets: %{y}<extra></extra>",
        )
    )
    figure.update_layout(showlegend=False)
    # Two-line tick labels keep the bars upright and wide on a phone.
    figure.update_xaxes(tickmode="array", tickvals=labels, ticktext=[label.replace(" ", "<br>", 1) for label in labels])
    return _base_layout(figure, y_title="active tickets")


def empty_figure(sentence: str) -> go.Figure:
    """Return a blank chart that carries *sentence* in its middle."""
    figure = go.Figure()
    figure.add_annotation(text=sentence, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    figure.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10}, plot_bgcolor="white")
    return figure
