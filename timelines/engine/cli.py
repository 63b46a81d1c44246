"""The command-line door of the engine (spec section 4), shared by `python -m timelines.engine` and the
`compute_deadlines` management command. Pure Python, no Django.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from .compute import compute, render_json
from .parse import EngineInputError, read_inputs


def compute_files(calendar_path: str | Path, case_path: str | Path) -> str:
    """The command's output for two files: one JSON object (4.5), as text without a newline.

    Raises `EngineInputError` (one-line message) for any bad input of 4.4. Both files are fully validated
    before anything is computed, so a caller that prints only the return value never prints half an answer.
    """
    calendar, case = read_inputs(calendar_path, case_path)
    return render_json(compute(case, calendar))


def one_line_parser_error(parser: argparse.ArgumentParser, message: str) -> NoReturn:
    """Reject bad arguments with exit 2 and one line on stderr (argparse would also print the usage)."""
    parser.exit(2, f"{parser.prog}: error: {' '.join(message.splitlines())}\n")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        one_line_parser_error(self, message)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's two required options."""
    parser.add_argument("--calendar", required=True, metavar="CAL.json", help="the school calendar (spec 4.2)")
    parser.add_argument("--case", required=True, metavar="CASE.json", help="the student's case (spec 4.3)")


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run the command; return the exit code (0 done, 2 bad input). Argument errors exit 2 via SystemExit."""
    parser = _Parser(prog="python -m timelines.engine", description="Compute special-education deadlines.")
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        output = compute_files(args.calendar, args.case)
    except EngineInputError as exc:
        print(f"error: {exc}", file=stderr or sys.stderr)
        return 2
    print(output, file=stdout or sys.stdout)
    return 0
