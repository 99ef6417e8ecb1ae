"""Charts as server-rendered SVG: no script, no external asset, readable by screen readers.

Each chart is an `img` with a title and a description that states every value, so a screen
reader gets the figures even before it reaches the table under the chart. Suppressed values
are drawn as a dotted outline with "." and never as a bar of any length; a month without a
publication has no figures at all, so it gets no column, only "–".

Each chart states its own writing direction: texts are anchored at their start, which is the
right end in a right-to-left chart, so Arabic labels end at the right edge and are laid out as
Arabic whatever the page around them says.
"""

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 360  # about a phone's width in CSS pixels, so text stays near its nominal size there
LINE = 16
BAR = 14
WRAP = 44  # characters per label line at 13px in WIDTH


@dataclass(frozen=True)
class Bar:
    """One labelled value; None is suppressed; an unpublished one (a month without figures) is neither."""

    label: str
    value: int | None
    published: bool = True


def _shown(value: int | None, published: bool = True) -> str:
    if not published:
        return "–"
    return "." if value is None else str(value)


def _svg(chart_id: str, title: str, description: str, height: int, body: list[str], *, rtl: bool) -> Markup:
    return Markup(
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {WIDTH} {height}" width="100%" direction="{"rtl" if rtl else "ltr"}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _label_lines(label: str, x: float, y: float) -> tuple[list[str], float]:
    lines = textwrap.wrap(label, WRAP) or [""]
    texts = [
        f'<text x="{x}" y="{y + LINE * (i + 1) - 4}" text-anchor="start" class="label">{escape(line)}</text>'
        for i, line in enumerate(lines)
    ]
    return texts, LINE * len(lines)


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar], *, rtl: bool = False) -> Markup:
    """Horizontal bars, label above each bar, value at its end; mirrored for right-to-left languages."""
    largest = max((bar.value or 0 for bar in bars), default=0) or 1
    scale = (WIDTH - 48) / largest
    body, y = [], 4.0
    for bar in bars:
        labels, height = _label_lines(bar.label, WIDTH if rtl else 0, y)
        body.extend(labels)
        y += height
        length = (bar.value or 0) * scale
        if bar.value is None:
            x = WIDTH - 24 if rtl else 0
            body.append(f'<rect x="{x}" y="{y}" width="24" height="{BAR}" class="suppressed"/>')
            end = x - 4 if rtl else 28
        else:
            x = WIDTH - length if rtl else 0
            body.append(f'<rect x="{x:.1f}" y="{y}" width="{length:.1f}" height="{BAR}" class="bar"/>')
            end = x - 4 if rtl else length + 4
        body.append(
            f'<text x="{end:.1f}" y="{y + BAR - 2}" text-anchor="start" class="value">{_shown(bar.value)}</text>'
        )
        y += BAR + 10
    description = "; ".join(f"{bar.label}: {_shown(bar.value)}" for bar in bars)
    return _svg(chart_id, title, description, int(y) + 4, body, rtl=rtl)


def column_chart(chart_id: str, title: str, columns: Sequence[Bar], *, rtl: bool = False, plot: int = 120) -> Markup:
    """Vertical columns over time (oldest first, mirrored for right-to-left), with the value above each column."""
    ordered = list(reversed(columns)) if rtl else list(columns)
    top, bottom = 18, 30
    largest = max((column.value or 0 for column in ordered), default=0) or 1
    step = WIDTH / max(len(ordered), 1)
    body = [f'<line x1="0" x2="{WIDTH}" y1="{top + plot}" y2="{top + plot}" class="axis"/>']
    for index, column in enumerate(ordered):
        centre = step * index + step / 2
        width = step * 0.6
        if not column.published:
            value_y = top + plot - 4
        elif column.value is None:
            body.append(f'<rect x="{centre - width / 2:.1f}" y="{top + plot - 12}" width="{width:.1f}" height="12" class="suppressed"/>')
            value_y = top + plot - 16
        else:
            height = column.value / largest * plot
            body.append(f'<rect x="{centre - width / 2:.1f}" y="{top + plot - height:.1f}" width="{width:.1f}" height="{height:.1f}" class="bar"/>')
            value_y = top + plot - height - 4
        body.append(f'<text x="{centre:.1f}" y="{value_y:.1f}" text-anchor="middle" class="value">{_shown(column.value, column.published)}</text>')
        body.append(f'<text x="{centre:.1f}" y="{top + plot + 18}" text-anchor="middle" class="tick">{escape(column.label)}</text>')
    description = "; ".join(f"{column.label}: {_shown(column.value, column.published)}" for column in columns)
    return _svg(chart_id, title, description, top + plot + bottom, body, rtl=rtl)
