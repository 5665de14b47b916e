"""Charts drawn on the server as SVG (pygal): no script, no CDN, readable on a phone.

A chart is an SVG image given as a ``data:`` URI (``<img src>``, which the content security
policy allows and in which no script runs), shown above its data table: the table is the
accessible reading of the same figures, the image's alternative text names the chart.
Values hidden by :mod:`observatory.disclosure` are left out of the drawing: the table says
"< 5".
"""

from __future__ import annotations

from collections.abc import Sequence

import pygal
from pygal.style import Style

from observatory.disclosure import is_hidden

# The site's colours (web/static/web/site.css): the accent first.
STYLE = Style(
    background="transparent", plot_background="transparent", foreground="#1f2328",
    foreground_strong="#1f2328", foreground_subtle="#57606a", opacity=".9", opacity_hover="1",
    colors=("#0b6e4f", "#c2410c", "#1d4ed8", "#7c3aed", "#b45309", "#0f766e", "#be185d"),
    font_family="system-ui, sans-serif", label_font_size=13, major_label_font_size=13,
    value_font_size=12, title_font_size=16, legend_font_size=13, tooltip_font_size=13,
)


def _config(chart: pygal.graph.graph.Graph, title: str) -> None:
    chart.title = title
    chart.style = STYLE
    chart.js = []  # no script from a CDN (none runs in an image anyway)
    chart.disable_xml_declaration = True
    chart.explicit_size = False  # scales to the page's width
    chart.print_values = True
    chart.print_zeroes = False
    chart.show_legend = False
    chart.margin = 10


def _drawable(values: Sequence[int | str | float]) -> list[float | None]:
    return [None if is_hidden(value) else float(value) for value in values]


def bar_chart(title: str, labels: Sequence[str], series: dict[str, Sequence[int | str | float]], *,
              horizontal: bool = False) -> str:
    """Bars of one or more ``series`` (name → a value per label), as a ``data:`` URI; a legend
    when there are two or more (a campaign beside its previous edition)."""
    chart = (pygal.HorizontalBar if horizontal else pygal.Bar)(height=max(240, 34 * len(labels))
                                                               if horizontal else 320, width=720)
    _config(chart, title)
    chart.x_labels = list(labels)
    chart.x_label_rotation = 0 if horizontal or len(labels) <= 8 else 30
    chart.show_legend = len(series) > 1
    chart.legend_at_bottom = True
    for name, values in series.items():
        chart.add(name, _drawable(values))
    return chart.render_data_uri()


def line_chart(title: str, labels: Sequence[str], series: dict[str, Sequence[int | str | float]]
               ) -> str:
    """Lines over ``labels`` (weeks, months, years), as a ``data:`` URI."""
    chart = pygal.Line(height=320, width=720)
    _config(chart, title)
    chart.x_labels = list(labels)
    chart.x_label_rotation = 0 if len(labels) <= 12 else 30
    chart.show_legend = len(series) > 1
    chart.legend_at_bottom = True
    chart.print_values = False
    for name, values in series.items():
        chart.add(name, _drawable(values))
    return chart.render_data_uri()
