class CalendarImportError(ValueError):
    """A CAL.json document the engine's parser (or the district's other years) rejects; nothing was written."""


class UnknownDistrict(LookupError):
    """No district has that id or DESE organization code."""
