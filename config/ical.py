"""iCalendar (RFC 5545) text, shared by every .ics the app writes (docs/security.md, "iCalendar").

Every value that comes from data (a school-year label, a closure's description, a district name) goes
through `text()`, so a line break or a `;`/`,` in it can never start a new property (`UID:`, `ATTACH:`...)
or a new parameter. `uid()` keeps identifiers to a safe alphabet. `fold()` wraps lines at 75 octets.
"""

import re

_UNSAFE_UID = re.compile(r"[^A-Za-z0-9._@-]")


def text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped; CR LF, CR or LF become `\\n`;
    other control characters (never allowed in a content line) are dropped."""
    value = str(value).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return "".join(ch for ch in value if ch == "\t" or ord(ch) >= 0x20 and ord(ch) != 0x7F)


def uid(*parts: str) -> str:
    """A UID built from data: anything outside letters, digits and `._@-` becomes `-` (no injection possible)."""
    return _UNSAFE_UID.sub("-", "-".join(str(part) for part in parts))


def fold(line: str) -> str:
    """RFC 5545 3.1: lines of at most 75 octets, continued with CRLF + one space (never splitting a character)."""
    out, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode())
            current = b""
        current += encoded
    out.append(current.decode())
    return "\r\n ".join(out)


def document(lines: list[str]) -> str:
    """The content lines folded and joined with CRLF, as a whole .ics file."""
    return "".join(fold(line) + "\r\n" for line in lines)
