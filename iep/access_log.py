"""The one place IEP doors record reads of a single record (decision 14).

MERGE NOTE: `accounts.access.log_read(request, student, part, obj=None)` is being added by another issue.
It is on main now (parts: AccessLogEntry.Part: "iep", "section", "history", "evaluation"); until this branch
is merged with it, this is a no-op. After the merge every IEP door logs through it with no further change;
the lead may then replace `log_read` calls by `access.log_read` and delete this module.
"""

from accounts import access


def log_read(request, student, part: str, obj=None) -> None:
    record = getattr(access, "log_read", None)
    if record is not None:
        record(request, student, part, obj=obj)
