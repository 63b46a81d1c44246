"""`python manage.py compute_deadlines --calendar CAL.json --case CASE.json` (spec section 4)."""

from __future__ import annotations

from argparse import ArgumentParser
from functools import partial
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from timelines.engine import EngineInputError
from timelines.engine.cli import add_arguments, compute_files, one_line_parser_error


class Command(BaseCommand):
    """Print one case's deadlines as one JSON object, computed by the pure engine from two JSON files.

    A door: it reads nothing from the database. Bad input exits 2 with one line on stderr and nothing on
    stdout: the engine validates both files completely before anything is computed or printed.
    """

    help = "Compute a case's special-education deadlines against a school calendar (JSON in, JSON out)."
    # System checks could print warnings on stderr; the contract allows one line there, and only on error.
    requires_system_checks = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        if parser.called_from_command_line:  # argparse would print the usage too: the contract says one line
            parser.error = partial(one_line_parser_error, parser)  # type: ignore[method-assign]
        return parser

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            output = compute_files(options["calendar"], options["case"])
        except EngineInputError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(output)
