"""Refusals of a roster import. Each message is one line a data manager can act on."""


class RosterInputError(Exception):
    """The input as a whole is refused (size, zip paths, encoding, unknown layout, district code): nothing runs."""


class RosterRowErrors(Exception):
    """One or more rows are invalid: the run writes nothing and lists them all."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__(f"{len(errors)} row error(s)")


class RosterNotAllowed(Exception):
    """The importer may not import into this district."""
