"""What the IEP services refuse, named by situation. Doors translate them (403, 409, 400)."""

from django.utils import timezone


class IEPError(Exception):
    """Base of the IEP services' refusals."""


class NotADraft(IEPError):
    def __init__(self, iep):
        self.iep = iep
        super().__init__(f"This IEP is {iep.get_status_display().lower()}, not a draft: it cannot be edited.")


class WrongStatus(IEPError):
    """The IEP is not in the status the operation needs (e.g. responding to a draft, amending a rejected IEP)."""


class StaleVersion(IEPError):
    def __init__(self, section, expected):
        self.section, self.expected = section, expected
        super().__init__(f"{section.title} was changed by someone else (version {section.version}, "
                         f"you edited version {expected}). Reload it and apply your change again.")


class InvalidContent(IEPError):
    """Field errors: {field name: [messages]}; "__all__" for errors not tied to one field."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


class GoalInUse(IEPError):
    def __init__(self, goal):
        self.goal = goal
        super().__init__(f"{goal.title} is served by a line of the service delivery grid; "
                         "remove it from those lines first.")


def _holder_phrase(lock) -> str:
    if lock is None or lock.holder_id is None:
        return "nobody holds it"
    since = timezone.localtime(lock.acquired_at).strftime("%H:%M") if lock.acquired_at else "?"
    return f"it is checked out by {lock.holder.get_full_name() or lock.holder.username} since {since}"


class SectionLocked(IEPError):
    """Someone else holds a live lease on the section."""

    def __init__(self, lock):
        self.lock = lock
        super().__init__(f"{lock.section.title} cannot be checked out: {_holder_phrase(lock)}.")


class SectionNotHeld(IEPError):
    """The writer does not hold the section's lease with the generation presented (never had it, it was taken
    over after it lapsed, broken, or already checked in). Nothing was written; `draft` is the writer's kept draft
    (their text, returned to them), or None."""

    def __init__(self, section, lock, draft=None):
        self.section, self.lock, self.draft = section, lock, draft
        message = f"You do not hold {section.title}: {_holder_phrase(lock)}. Nothing was saved to the section"
        super().__init__(message + ("; your text is kept as your draft." if draft is not None else "."))


class NotLocked(IEPError):
    """There is no lock to break."""

    def __init__(self, section):
        self.section = section
        super().__init__(f"{section.title} is not checked out by anyone.")
