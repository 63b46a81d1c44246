"""The one place IEP doors record reads of a single record (decision 14).

MERGE NOTE: `accounts.access.log_read(request, student, part, obj=None)` is being added by another issue.
Until it exists on main this is a no-op; once it does, every IEP door logs through it with no further change.
"""

from accounts import access


def log_read(request, student, part: str, obj=None) -> None:
    record = getattr(access, "log_read", None)
    if record is not None:
        record(request, student, part, obj=obj)
