"""What the progress services refuse, named by situation. Doors translate them (400 with field errors, 409)."""

from django.utils import timezone


class ProgressError(Exception):
    """Base of the progress services' refusals."""


class InvalidInput(ProgressError):
    """Field errors: {field name: [messages]}. Nothing was written."""

    status = 400

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


class ReportFinalised(ProgressError):
    """The report (or the student's period) is finalised: read-only; corrections are new versions."""

    status = 409

    def __init__(self, report=None, message: str = ""):
        self.report = report
        super().__init__(message or "This report is finalised and read-only; correct it as a new version with a "
                                    "reason.")


class StaleReport(ProgressError):
    status = 409

    def __init__(self, report, expected):
        self.report, self.expected = report, expected
        super().__init__(f"This report was changed by someone else (revision {report.revision}, you edited "
                         f"revision {expected}). Reload it and apply your change again.")


class ReportLocked(ProgressError):
    """Someone else is writing this goal's report."""

    status = 409

    def __init__(self, lock):
        self.lock = lock
        holder = lock.holder.get_full_name() or lock.holder.username if lock and lock.holder_id else "someone"
        since = timezone.localtime(lock.acquired_at).strftime("%H:%M") if lock and lock.acquired_at else "?"
        super().__init__(f"{holder} is writing this report (since {since}); try again when they are done.")


class NotReady(ProgressError):
    """Finalising needs every report of the student's period ready."""

    status = 409
