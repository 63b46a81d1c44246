"""Every free-text field of every form and API request body has a documented maximum length (max_length)."""

import importlib
import inspect

import pytest
from django import forms

FORM_MODULES = ["accounts.forms", "iep.forms", "iep.section_schemas", "timelines.forms", "students.forms",
                "signin.forms"]


def _classes(module_names, base):
    for name in module_names:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, base) and cls.__module__ == name:
                yield cls


FORMS = list(_classes(FORM_MODULES, forms.BaseForm))


@pytest.mark.parametrize("form_class", FORMS, ids=[f.__name__ for f in FORMS])
def test_every_free_text_form_field_has_a_limit(form_class):
    unlimited = [name for name, field in form_class.base_fields.items()
                 if type(field) in (forms.CharField, forms.EmailField) and field.max_length is None
                 and not isinstance(field.widget, forms.HiddenInput)]
    assert not unlimited, f"{form_class.__name__}: no max_length on {unlimited}"


def test_every_free_text_field_of_an_api_request_body_documents_a_limit():
    from tests.config.test_bad_input import SPEC, _body_schema, _resolve

    unlimited = []
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            schema = _body_schema(operation) if method in {"post", "put", "patch"} else None
            for name, prop in (schema or {}).get("properties", {}).items():
                prop = _resolve(prop) if "$ref" in prop else prop
                if prop.get("type") == "string" and not prop.get("readOnly") and "enum" not in prop \
                        and "format" not in prop and "maxLength" not in prop:
                    unlimited.append(f"{method.upper()} {path} {name}")
    assert not unlimited, unlimited


def _bad_value(field):
    if isinstance(field, (forms.ChoiceField, forms.ModelChoiceField)):
        return "not-a-choice"
    if isinstance(field, forms.DateField):
        return "2025-02-30"
    if isinstance(field, forms.CharField) and field.max_length:
        return "x" * (field.max_length + 1)
    return None


def _bound(form_class, data):
    from datetime import date

    from tests.factories import StudentFactory

    student = StudentFactory()
    for kwargs in ({}, {"iep": None}, {"student": student}, {"student": student, "today": date.today()},
                   {"district": student.district}):
        try:
            return form_class(data=data, **kwargs)
        except TypeError:
            continue
    return None


WITH_INPUT = [form for form in FORMS if any(_bad_value(field) is not None for field in form.base_fields.values())]


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", WITH_INPUT, ids=[f.__name__ for f in WITH_INPUT])
def test_every_form_rejects_oversize_text_invalid_dates_and_unknown_choices(form_class):
    data = {name: value for name, field in form_class.base_fields.items()
            if (value := _bad_value(field)) is not None and not isinstance(field.widget, forms.HiddenInput)}
    form = _bound(form_class, data)
    assert form is not None, "add this form's constructor arguments to _bound"
    assert not form.is_valid()
    assert set(data) <= set(form.errors), f"not refused: {sorted(set(data) - set(form.errors))}"
