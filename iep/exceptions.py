"""What the IEP services refuse, named by situation. Doors translate them (403, 409, 400)."""


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
