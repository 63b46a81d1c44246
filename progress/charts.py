"""A goal's measured values over the marking periods as a small SVG drawn on the server (no script), with the
target as a dashed line; every point is labelled with its number, and the page repeats the numbers in a table."""

from decimal import Decimal

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 320, 150, 44, 12, 14, 30


def goal_chart(entry: dict) -> dict | None:
    """Coordinates for the template's SVG, or None when no report carries a measured value."""
    points = [(period, value) for period, value, _on, _status in entry["points"] if value is not None]
    if not points:
        return None
    values = [value for _p, value in points] + ([entry["target"]] if entry["target"] is not None else [])
    top = max(values) or Decimal(1)
    top = top * Decimal("1.1")
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)

    def y(value) -> float:
        return round(TOP + plot_h - float(value / top) * plot_h, 1)

    drawn = [{"x": round(LEFT + (index * step if len(points) > 1 else plot_w / 2), 1), "y": y(value),
              "value": value.normalize(), "label": period.name} for index, (period, value) in enumerate(points)]
    return {
        "width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "bottom": HEIGHT - BOTTOM,
        "top": TOP, "points": drawn, "line": " ".join(f"{p['x']},{p['y']}" for p in drawn),
        "target_y": y(entry["target"]) if entry["target"] is not None else None,
        "target": entry["target"].normalize() if entry["target"] is not None else None,
        "axis_top": top.quantize(Decimal(1)), "unit": entry["unit"],
    }
