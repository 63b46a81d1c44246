"""Structured logs: one JSON object per line, with the request id, user id and path of the request being served.

Student data never belongs in a log: code logs ids. `RedactStudentData` is the safety net for mistakes: it
replaces a logged Student or Guardian object by its id, drops sensitive `extra` keys, removes query strings
(searches carry names) and masks anything that looks like a date of birth in the message text. Timestamps are
formatted separately, so they survive.
"""

import contextvars
import datetime
import json
import logging
import re
import uuid

from django.utils.functional import SimpleLazyObject, empty

_request = contextvars.ContextVar("iep_log_request", default=None)

SENSITIVE_KEYS = frozenset({"first_name", "middle_name", "last_name", "name", "full_name", "date_of_birth",
                            "dob", "birth_date", "student_name", "guardian_name"})
_DATE_PATTERNS = re.compile(r"\b(\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})\b")
_QUERY_STRING = re.compile(r"(/[^\s?\"']*)\?[^\s\"']*")  # searches carry names: ?q=Smith
_CELERY_TASK_NAME = frozenset({"name"})
_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class RequestContextMiddleware:
    """Give every request an id (or keep the proxy's X-Request-ID) and expose it to log records."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if re.fullmatch(r"[A-Za-z0-9._-]{1,64}", incoming) else uuid.uuid4().hex
        token = _request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


def _user_id(request):
    """The user's id if authentication already ran; never triggers a query from inside logging."""
    wrapped = getattr(request, "user", None)
    if isinstance(wrapped, SimpleLazyObject):
        wrapped = wrapped._wrapped
    return None if wrapped is None or wrapped is empty else getattr(wrapped, "pk", None)


def _safe_arg(value):
    from django.apps import apps

    if apps.models_ready:  # gunicorn's master and Celery log before Django is set up; no model instance exists then
        from students.models import Guardian, Student

        if isinstance(value, Student | Guardian):
            return f"<{type(value).__name__} id={value.pk}>"
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return "[date]"
    return value


class RedactStudentData(logging.Filter):
    """Scrub what must never be written: student/guardian objects, name and birth-date fields, date strings."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict):
            keep = _CELERY_TASK_NAME if record.name.startswith("celery") else frozenset()  # "name": a task's name
            record.args = {key: ("[redacted]" if key in SENSITIVE_KEYS - keep else _safe_arg(value))
                           for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(_safe_arg(arg) for arg in record.args)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the event
            message = str(record.msg)
        message = _QUERY_STRING.sub(r"\1?[query removed]", message)
        record.msg, record.args = _DATE_PATTERNS.sub("[date]", message), None
        for key in (SENSITIVE_KEYS & set(vars(record))) - _STANDARD_ATTRS:
            setattr(record, key, "[redacted]")
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, request_id, user_id, path, plus simple extras."""

    def format(self, record: logging.LogRecord) -> str:
        event = {
            "ts": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = _request.get()
        if request is not None:
            event.update(request_id=getattr(request, "request_id", None), user_id=_user_id(request),
                         path=request.path)
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and key not in event and isinstance(value, str | int | float | bool):
                event[key] = "[redacted]" if key in SENSITIVE_KEYS else value
        if record.exc_info:
            event["exc"] = _DATE_PATTERNS.sub("[date]", self.formatException(record.exc_info))
        return json.dumps(event, default=str)
