"""Hostile input at every edge (docs/resilience.md): one place for the limits every door applies.

- Dates: only years MIN_YEAR..MAX_YEAR, in every form and serializer date field (installed as the fields' default
  validators at start-up, so new fields get it too); date arithmetic on a stored date therefore cannot overflow.
- Text: NUL characters and lone UTF-16 surrogates are refused with a message (PostgreSQL cannot store them). DRF's
  CharField already refuses both; Django's form CharField refuses NUL, and gets the surrogate check here. A
  refused section check-in keeps the user's text as a draft with those characters removed (`scrub`).
- JSON request bodies: at most MAX_JSON_DEPTH levels, an object at the top, integers within 64 bits
  (`GuardedJSONParser`); integer fields without their own bounds take 32-bit bounds (PostgreSQL `integer`).
- Unknown fields in an API body answer 400 (`refuse_unknown_fields`).
"""

import json
import re
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MIN_YEAR, MAX_YEAR = 1900, 2100
MAX_JSON_DEPTH = 32
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def sane_date(value: date | datetime | None) -> None:
    """Refuse a date outside MIN_YEAR..MAX_YEAR (a Django validator; DRF fields accept it too)."""
    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError(f"Enter a date between {MIN_YEAR} and {MAX_YEAR}.", code="date_out_of_range")


def clean_characters(value: Any) -> None:
    """Refuse text with a NUL character or a lone surrogate (a Django validator)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValidationError("Remove the NUL (\\x00) character: it cannot be stored.", code="null_characters")
        if LONE_SURROGATE.search(value):
            raise ValidationError("Remove the invalid character (a lone surrogate): it cannot be stored.",
                                  code="surrogate_characters")


def scrub(value: Any) -> Any:
    """`value` with NUL removed and lone surrogates replaced by U+FFFD in every string (keys too), so that text
    refused for those characters can still be kept as the user's draft."""
    if isinstance(value, str):
        return LONE_SURROGATE.sub("\ufffd", value.replace("\x00", ""))
    if isinstance(value, dict):
        return {scrub(key): scrub(item) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub(item) for item in value]
    return value


def text_problem(value: Any) -> str | None:
    """The message about the first string (or key) in `value`, however nested, with a NUL or a lone surrogate."""
    if isinstance(value, str):
        try:
            clean_characters(value)
        except ValidationError as exc:
            return exc.messages[0]
        return None
    if isinstance(value, dict):
        return next((p for key, item in value.items() if (p := text_problem(key) or text_problem(item))), None)
    if isinstance(value, list):
        return next((p for item in value if (p := text_problem(item))), None)
    return None


def json_depth(text: str) -> int:
    """How deeply `text` (JSON) nests arrays and objects, counted without parsing it (so without recursion)."""
    depth = deepest = 0
    for char in _STRING.sub('""', text):
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def json_problem(text: str, *, max_depth: int = MAX_JSON_DEPTH) -> str | None:
    """Why `text` may not be parsed (too deep), or None."""
    if json_depth(text) > max_depth:
        return f"The JSON is nested more than {max_depth} levels deep."
    return None


def _int_out_of_range(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return not INT64_MIN <= value <= INT64_MAX
    if isinstance(value, dict):
        return any(_int_out_of_range(item) for item in value.values())
    if isinstance(value, list):
        return any(_int_out_of_range(item) for item in value)
    return False


class GuardedJSONParser(JSONParser):
    """DRF's JSON parser, refusing (400) bodies nested deeper than MAX_JSON_DEPTH (Python's parser would overflow
    its stack: a 500), a top level that is not an object (every API body is one), and integers beyond 64 bits."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", "utf-8")
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        if problem := json_problem(text):
            raise ParseError(f"JSON parse error - {problem}")
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        if not isinstance(data, dict):
            raise ParseError("JSON parse error - the body must be a JSON object.")
        if _int_out_of_range(data):
            raise ParseError("JSON parse error - a number is out of range.")
        return data


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def refuse_unknown_fields(serializer, data) -> None:
    """Raise DRF's ValidationError (400) naming the keys of `data` the serializer does not know."""
    from rest_framework.exceptions import ValidationError as DRFValidationError

    if isinstance(data, dict):
        unknown = sorted(str(key) for key in data if key not in serializer.fields)
        if unknown:
            raise DRFValidationError({key: ["Unknown field."] for key in unknown})


def install() -> None:
    """Make every form and serializer field apply these limits (called once, from InputChecksConfig.ready)."""
    from django import forms
    from rest_framework import fields, serializers

    original = serializers.Serializer.to_internal_value
    if getattr(original, "refuses_unknown_fields", False):  # installed already
        return
    for field_class in (forms.DateField, forms.DateTimeField, fields.DateField, fields.DateTimeField):
        field_class.default_validators = [*field_class.default_validators, sane_date]
    forms.CharField.default_validators = [*forms.CharField.default_validators, clean_characters]
    for field_class in (forms.IntegerField, fields.IntegerField):
        field_class.default_validators = [*field_class.default_validators, MinValueValidator(INT32_MIN),
                                          MaxValueValidator(INT32_MAX)]

    def to_internal_value(self, data):
        refuse_unknown_fields(self, data)
        return original(self, data)

    to_internal_value.refuses_unknown_fields = True
    serializers.Serializer.to_internal_value = to_internal_value
