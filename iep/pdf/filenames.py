"""The name a downloaded document is saved under: `<Lastname>-<kind>-<YYYY-MM-DD>.pdf` (docs/printed-documents.md).

The date is the meeting's, or the print date (America/New_York) for an IEP without a meeting. The header
carries an ASCII `filename` for old clients and the exact UTF-8 name in `filename*` (RFC 6266, RFC 8187), so
"Nguyễn" stays "Nguyễn" where the browser allows it. Only letters, digits and hyphens of the last name are
kept: no quote, slash, semicolon or control character can reach the header or the user's disk.
"""

import re
import unicodedata
from datetime import date
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.utils import timezone

KIND_NAMES = {"summary": "meeting-summary", "full": "full-IEP", "glance": "IEP-at-a-glance"}
NAME_LIMIT = 40  # characters of the last name kept: the whole file name stays well under every system's limit


def _name_part(value: str, *, ascii_only: bool) -> str:
    if ascii_only:
        value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    kept = "".join(ch if ch.isalnum() else "-" for ch in unicodedata.normalize("NFC", value))
    return re.sub(r"-{2,}", "-", kept).strip("-")[:NAME_LIMIT].strip("-") or "student"


def download_names(*, last_name: str, kind: str, meeting_date: date | None, printed_at) -> tuple[str, str]:
    """(ASCII file name, UTF-8 file name) of a document."""
    day = meeting_date or timezone.localtime(printed_at or timezone.now(), ZoneInfo("America/New_York")).date()
    tail = f"-{KIND_NAMES[kind]}-{day:%Y-%m-%d}.pdf"
    return _name_part(last_name, ascii_only=True) + tail, _name_part(last_name, ascii_only=False) + tail


def content_disposition(*, ascii_name: str, utf8_name: str) -> str:
    """`attachment` with both forms of the name; the names hold only letters, digits, hyphens and dots."""
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(utf8_name, safe='')}"
