"""Server-side SVG geometry for the dashboards' charts (no JavaScript, no inline styles: the template draws
these numbers with SVG attributes and CSS classes). Every bar and point also carries its number as text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

BAR_HEIGHT = 16
ROW_HEIGHT = 48
LABEL_WIDTH = 220
BAR_AREA = 360
VALUE_WIDTH = 170


@dataclass
class Bar:
    y: int
    width: int
    value: int
    text_x: int


@dataclass
class BarRow:
    label: str
    y: int
    overdue: Bar
    due_30: Bar


def bar_chart(rows: list[tuple[str, int, int]]) -> dict:
    """Two horizontal bars per row (overdue: solid; due within 30 days: hatched), scaled to the largest count."""
    largest = max([max(overdue, due_30) for _label, overdue, due_30 in rows] or [0]) or 1
    drawn = []
    for index, (label, overdue, due_30) in enumerate(rows):
        top = 8 + index * ROW_HEIGHT

        def bar(value: int, y: int) -> Bar:
            width = round(BAR_AREA * value / largest)
            return Bar(y=y, width=width, value=value, text_x=LABEL_WIDTH + width + 6)

        drawn.append(BarRow(label=label, y=top + BAR_HEIGHT, overdue=bar(overdue, top),
                            due_30=bar(due_30, top + BAR_HEIGHT + 2)))
    return {"rows": drawn, "width": LABEL_WIDTH + BAR_AREA + VALUE_WIDTH, "height": 16 + len(rows) * ROW_HEIGHT,
            "label_x": LABEL_WIDTH - 8, "bar_x": LABEL_WIDTH, "bar_height": BAR_HEIGHT}


@dataclass
class Point:
    x: int
    y: int
    day: date
    value: int


def line_chart(points: list[tuple[date, int]], *, width: int = 640, height: int = 240) -> dict:
    """A line of weekly overdue counts: one labelled point per week, a zero baseline and the largest value."""
    left, right, top, bottom = 48, 24, 24, 40
    largest = max([value for _day, value in points] or [0]) or 1
    step = (width - left - right) / max(len(points) - 1, 1)
    drawn = [Point(x=round(left + i * step), y=round(top + (height - top - bottom) * (1 - value / largest)),
                   day=day, value=value) for i, (day, value) in enumerate(points)]
    return {"points": drawn, "polyline": " ".join(f"{p.x},{p.y}" for p in drawn), "width": width,
            "height": height, "left": left, "right": width - right, "baseline": height - bottom,
            "top": top, "largest": largest, "label_y": height - bottom + 18}
