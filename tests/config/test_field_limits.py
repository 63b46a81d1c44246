"""Every free-text field of every form and API request body has a documented maximum length (max_length)."""

import importlib
import inspect

import pytest
from django import forms

FORM_MODULES = ["accounts.forms", "iep.forms", "iep.section_schemas", "timelines.forms", "students.forms"]


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
