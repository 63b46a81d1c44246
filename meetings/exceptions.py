"""What the meetings services refuse, named by situation. Each carries field errors ({field: [messages]}) that
doors show on the form's fields or answer as a 400 naming the fields; nothing is written when one is raised."""


class MeetingRefusal(Exception):
    """Base of the refusals: `errors` maps a field name ("__all__" for the whole form) to messages."""

    field = "__all__"

    def __init__(self, message: str, *, field: str | None = None):
        self.errors = {field or self.field: [message]}
        super().__init__(message)


class MeetingInThePast(MeetingRefusal):
    field = "date"


class MeetingNotHeld(MeetingRefusal):
    """Attendance can only be recorded for a meeting that has been held."""


class MeetingNotOpen(MeetingRefusal):
    """The meeting was already held or cancelled, so it cannot be held, invited to or rescheduled again."""


class ExcusalWithoutAgreement(MeetingRefusal):
    field = "parent_agreed_on"


class DateInTheFuture(MeetingRefusal):
    """A contact attempt, an invitation sent, an agreement or a consent received cannot be dated after today."""


class InvalidInput(MeetingRefusal):
    """Anything else the input gets wrong (a person not on the Team, a parent of another student, a bad file)."""
