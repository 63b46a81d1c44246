"""Checks on uploaded signed forms (a parent's excusal agreement, a signed consent): size and real type.

The type is read from the file's first bytes, not trusted from its name or the browser's content type, so a
renamed executable or HTML page is refused. docs/meetings.md lists the limits.
"""

from pathlib import PurePath

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
SIGNATURES = {".pdf": (b"%PDF-",), ".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",),
              ".jpeg": (b"\xff\xd8\xff",)}
CONTENT_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def upload_problem(upload) -> str | None:
    """Why `upload` is refused, or None when it is a PDF, PNG or JPEG of at most 5 MB whose content matches."""
    if upload is None:
        return None
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in SIGNATURES:
        return "Upload a PDF, PNG or JPEG file (.pdf, .png, .jpg)."
    if upload.size is None or upload.size > MAX_UPLOAD_BYTES:
        return "The file is larger than 5 MB."
    if upload.size == 0:
        return "The file is empty."
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(SIGNATURES[suffix]):
        return f"The file's content is not a {suffix.lstrip('.').upper()} file."
    return None
