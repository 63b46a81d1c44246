"""gunicorn's logs as the app's: one JSON object per line, serialised by `json.dumps`, never by pasting text.

gunicorn's own access-log format substitutes the decoded path into a string, so a URL with a quote or a newline
in it could forge fields or lines. Here each request becomes a dict and is dumped, so whatever the path holds
stays inside the "path" string. The path loses its query string (searches carry student names) and date-like
text is masked, as config.logging.RedactStudentData does for the app's lines. gunicorn's error log ("Booting
worker", crashes) goes through the app's JSON formatter and redaction filter too.
"""

import datetime
import json
import logging

from gunicorn.glogging import Logger

from config.logging import _DATE_PATTERNS, JsonFormatter, RedactStudentData


def _safe_path(path: str) -> str:
    return _DATE_PATTERNS.sub("[date]", path.split("?", 1)[0])


class JsonLogger(Logger):
    """gunicorn logger class (`logger_class` in config/gunicorn.py)."""

    def setup(self, cfg):
        super().setup(cfg)
        logging.captureWarnings(True)  # a Python warning becomes a log line (JSON once Django's LOGGING is set up)
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonFormatter())
            handler.addFilter(RedactStudentData())
        for handler in self.access_log.handlers:
            handler.setFormatter(logging.Formatter("%(message)s"))

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        headers = resp.headers.items() if hasattr(resp.headers, "items") else resp.headers
        request_id = next((value for name, value in headers if name.lower() == "x-request-id"), None)
        event = {
            "ts": datetime.datetime.now(tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": "INFO",
            "logger": "gunicorn.access",
            "method": environ.get("REQUEST_METHOD", ""),
            "path": _safe_path(environ.get("PATH_INFO", "")),
            "status": int(str(resp.status).split(None, 1)[0]) if resp.status else None,
            "bytes": getattr(resp, "sent", None),
            "ms": round(request_time.total_seconds() * 1000, 1),
            "request_id": request_id,
            "remote": environ.get("REMOTE_ADDR"),
        }
        try:
            self.access_log.info(json.dumps(event, ensure_ascii=True))
        except Exception:
            self.exception("Failed to log the request")
