"""Charts drawn on the server as SVG (pygal): no script, no CDN, readable on a phone.

A chart is an SVG image given as a ``data:`` URI (``<img src>``, which the content security
policy allows and in which no script runs), shown above its data table: the table is the
accessible reading of the same figures, the image's alternative text names the chart.
Values hidden by :mod:`observatory.disclosure` are left out of the drawing: the table says
"< 5".
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

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
    chart.truncate_label = -1  # "sept. 26", never "sept…"
    chart.show_legend = False
    chart.margin = 10


_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)


def _data_uri(svg: str) -> str:
    # pygal's own render_data_uri fails once the XML declaration is left out (it encodes a str).
    # pygal's embedded configuration script would never run in an image: a few kilobytes less.
    svg = _SCRIPT.sub("", svg)
    return "data:image/svg+xml;charset=utf-8;base64," + base64.b64encode(svg.encode()).decode()


def _drawable(values: Sequence[int | str | float]) -> list[float | None]:
    return [None if is_hidden(value) else float(value) for value in values]


def bar_chart(title: str, labels: Sequence[str], series: Mapping[str, Sequence[int | str | float]], *,
              horizontal: bool = False, width: int = 720) -> str:
    """Bars of one or more ``series`` (name → a value per label), as a ``data:`` URI; a legend
    when there are two or more (a campaign beside its previous edition). Horizontal bars read
    from the top in the labels' order, as the table beneath does. A narrower ``width`` keeps
    the text larger once the image shrinks to a phone's width."""
    height = 320
    if horizontal:
        # pygal draws the first label at the bottom.
        labels = list(reversed(labels))
        series = {name: list(reversed(values)) for name, values in series.items()}
        height = max(240, (20 + 14 * len(series)) * len(labels) + 90)
    chart = (pygal.HorizontalBar if horizontal else pygal.Bar)(height=height, width=width)
    _config(chart, title)
    chart.x_labels = list(labels)
    chart.x_label_rotation = 0 if horizontal or len(labels) <= 8 else 30
    chart.show_legend = len(series) > 1
    chart.legend_at_bottom = True
    for name, values in series.items():
        chart.add(name, _drawable(values))
    return _data_uri(chart.render(is_unicode=True))


def line_chart(title: str, labels: Sequence[str], series: Mapping[str, Sequence[int | str | float]],
               *, y_range: tuple[float, float] | None = None) -> str:
    """Lines over ``labels`` (weeks, months, years), as a ``data:`` URI; ``y_range`` fixes the
    vertical axis (0 to 100 for a share, which would otherwise start at its lowest value)."""
    chart = pygal.Line(height=320, width=720)
    _config(chart, title)
    if y_range is not None:
        chart.range = y_range
    chart.x_labels = list(labels)
    chart.x_label_rotation = 0 if len(labels) <= 12 else 30
    chart.show_legend = len(series) > 1
    chart.legend_at_bottom = True
    chart.print_values = False
    for name, values in series.items():
        chart.add(name, _drawable(values))
    return _data_uri(chart.render(is_unicode=True))


def heatmap_chart(title: str, rows: Sequence[str], columns: Sequence[str],
                  values: Sequence[Sequence[int | str | float]], *, row_title: str = "",
                  column_title: str = "") -> str:
    """A table of ``values`` (a row per label of ``rows``, a value per label of ``columns``)
    drawn as cells whose shade grows with the value (pygal has no such chart), as a ``data:``
    URI. Each cell prints its value; a value that is not a number ("< 5", "—") is printed
    on a blank cell."""
    numbers = [float(v) for row in values for v in row if isinstance(v, int | float)]
    top = max(numbers, default=0) or 1
    label_width = min(220, 24 + 8 * max((len(label) for label in rows), default=0))
    # Cells share the width, but stay square-ish on a grid of two or three columns.
    cell_width = min(96.0, max(36.0, (720 - label_width - 10) / max(1, len(columns))))
    cell_height = 34
    header = 64 + (18 if column_title else 0)
    # As wide as pygal's charts, so that all are drawn at one scale; a small grid leaves room.
    width = max(720.0, label_width + cell_width * len(columns) + 10)
    height = header + cell_height * len(rows) + 10
    font = f'font-family="{STYLE.font_family}" fill="{STYLE.foreground}"'
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'role="img" aria-label={quoteattr(title)}>',
        f'<text x="{width / 2:.0f}" y="24" text-anchor="middle" font-size="16" {font}>{escape(title)}</text>',
    ]
    if column_title:
        parts.append(f'<text x="{label_width + cell_width * len(columns) / 2:.0f}" y="48" '
                     f'text-anchor="middle" font-size="13" {font}>{escape(column_title)}</text>')
    if row_title:
        parts.append(f'<text x="4" y="{header - 8}" font-size="13" {font}>{escape(row_title)}</text>')
    for j, label in enumerate(columns):
        x = label_width + cell_width * (j + 0.5)
        parts.append(f'<text x="{x:.0f}" y="{header - 8}" text-anchor="middle" font-size="12" {font}>'
                     f'{escape(_short(label, int(cell_width // 7)))}</text>')
    for i, (label, row) in enumerate(zip(rows, values, strict=True)):
        y = header + cell_height * i
        parts.append(f'<text x="{label_width - 8}" y="{y + 22}" text-anchor="end" font-size="13" {font}>'
                     f'{escape(_short(label, 28))}</text>')
        for j, value in enumerate(row):
            x = label_width + cell_width * j
            number = isinstance(value, int | float)
            shade = float(value) / top if number else 0.0
            parts.append(f'<rect x="{x + 1:.1f}" y="{y + 1}" width="{cell_width - 2:.1f}" '
                         f'height="{cell_height - 2}" rx="3" fill="{STYLE.colors[0]}" '
                         f'fill-opacity="{0.06 + 0.9 * shade:.2f}"/>')
            if value != 0:
                ink = "#ffffff" if shade > 0.55 else STYLE.foreground
                parts.append(f'<text x="{x + cell_width / 2:.1f}" y="{y + 22}" text-anchor="middle" '
                             f'font-size="13" font-family="{STYLE.font_family}" fill="{ink}">'
                             f'{escape(str(value))}</text>')
    parts.append("</svg>")
    return _data_uri("".join(parts))


def _short(label: str, at_most: int) -> str:
    return label if len(label) <= at_most else label[:max(1, at_most - 1)] + "…"
