"""The one CSV writer every export uses (docs/security.md, "CSV exports").

- Cells that a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage
  return) are prefixed with an apostrophe, so a staff name like `=HYPERLINK(...)` stays text (OWASP "CSV
  injection"). Numbers stay numbers: only text cells are neutralised.
- The file starts with a UTF-8 byte-order mark, so spreadsheets read "Conceição" right.
- Rows are streamed (StreamingHttpResponse): an export of a whole district is never held in memory.
"""

import csv
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """One cell as text that no spreadsheet evaluates: formula-like text gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)  # a negative number is a number, not a formula
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file-like object whose write() returns the line, for csv.writer inside a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable, rows: Iterable[Iterable]) -> Iterator[str]:
    """The BOM, the header line, then one line per row, every cell neutralised."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        yield writer.writerow([neutralise(cell) for cell in row])


def csv_response(*, filename: str, header: Iterable, rows: Iterable[Iterable]) -> StreamingHttpResponse:
    """A streamed CSV download of `rows` (any iterable, consumed lazily) under `header`."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
