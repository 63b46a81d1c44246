"""API list filters: every query parameter is validated one way, by a Django form, as the dashboard API does
(timelines.dashboard_forms.DeadlineFilterForm). A bad value answers 400 naming the parameter, on SQLite and
PostgreSQL alike (a 20-digit id or "²" never reaches the database)."""

from django import forms
from rest_framework.exceptions import ValidationError

from .input_checks import INT32_MAX


class IdField(forms.IntegerField):
    """An object id in a query string: a positive whole number that fits the id columns."""

    def __init__(self, **kwargs):
        super().__init__(required=False, min_value=1, max_value=INT32_MAX, **kwargs)


class StudentFilter(forms.Form):
    student = IdField()


def query_filters(request, form_class: type[forms.Form], **kwargs) -> dict:
    """The cleaned query parameters of `request` (absent ones None or empty), or a 400 naming each bad one."""
    form = form_class(request.query_params, **kwargs)
    if not form.is_valid():
        raise ValidationError({name: [error["message"] for error in errors]
                               for name, errors in form.errors.get_json_data().items()})
    return form.cleaned_data
