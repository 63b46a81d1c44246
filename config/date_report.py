"""Stored dates outside the accepted range (docs/resilience.md): rows written before dates were range-checked."""

from datetime import UTC, date, datetime

from django.apps import apps as global_apps
from django.db import models
from django.db.models import Q

from .input_checks import MAX_YEAR, MIN_YEAR

APPS = ("accounts", "students", "iep", "timelines", "jobs")


def out_of_range_dates(*, apps=global_apps, app_labels=APPS, sample: int = 5) -> list[dict]:
    """One entry per (model, date field) holding dates outside MIN_YEAR..MAX_YEAR: the count and a few row ids.

    Compares with the range's first and last day (one indexed-friendly query per field, no year extraction), so it
    runs the same on SQLite and PostgreSQL; reads only, never changes a row. `apps` is the migration's app
    registry when called from the data migration."""
    low, high = date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31)
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in app_labels or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.DateField):
                continue
            if isinstance(field, models.DateTimeField):
                bounds = (datetime(MIN_YEAR, 1, 1, tzinfo=UTC), datetime(MAX_YEAR, 12, 31, 23, 59, tzinfo=UTC))
            else:
                bounds = (low, high)
            outside = model._default_manager.filter(Q(**{f"{field.name}__lt": bounds[0]})
                                                    | Q(**{f"{field.name}__gt": bounds[1]}))
            count = outside.count()
            if count:
                found.append({"model": model._meta.label, "field": field.name, "count": count,
                              "ids": list(outside.order_by("pk").values_list("pk", flat=True)[:sample])})
    return found


def format_report(found: list[dict]) -> list[str]:
    """One line per entry (ids only: never a name or a birth date)."""
    if not found:
        return [f"No stored date is outside {MIN_YEAR}-{MAX_YEAR}."]
    return [f"{entry['model']}.{entry['field']}: {entry['count']} outside {MIN_YEAR}-{MAX_YEAR} "
            f"(ids {', '.join(map(str, entry['ids']))}{', ...' if entry['count'] > len(entry['ids']) else ''})"
            for entry in found]
