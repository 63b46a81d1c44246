"""Reading roster files from a zip, a folder or loose CSV files, within size limits (docs/roster-import.md).

Each file is streamed once to compute its SHA-256, count its real size (a zip entry's declared size can lie)
and find its encoding: UTF-8 (a byte-order mark is dropped) or, failing that, Windows-1252. Zip entries whose
path climbs out of the folder (absolute paths, `..`, drive letters) refuse the whole zip.
"""

import codecs
import csv
import hashlib
import io
import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings

from .exceptions import RosterInputError

CHUNK = 1 << 20
# Windows-1252 leaves these five bytes undefined: text containing them is neither UTF-8 nor Windows-1252.
CP1252_UNDEFINED = b"\x81\x8d\x8f\x90\x9d"


def max_upload_bytes() -> int:
    return settings.ROSTER_MAX_UPLOAD_MB * 1024 * 1024


def max_unpacked_bytes() -> int:
    return settings.ROSTER_MAX_UNPACKED_MB * 1024 * 1024


@dataclass
class RosterFile:
    name: str                                   # lower-case base name, e.g. "users.csv"
    display: str                                # as named in the upload
    opener: Callable[[], io.BufferedIOBase]
    sha256: str = ""
    size: int = 0
    encoding: str = "utf-8-sig"

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line number, cells) of every record; line 1 is the header."""
        with self.opener() as raw:
            text = io.TextIOWrapper(raw, encoding=self.encoding, newline="")
            reader = csv.reader(text)
            for cells in reader:
                yield reader.line_num, cells


@dataclass
class RosterSource:
    files: dict[str, RosterFile] = field(default_factory=dict)
    _zip: zipfile.ZipFile | None = None

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def describe(self) -> list[dict]:
        return [{"name": f.display, "sha256": f.sha256, "bytes": f.size} for f in self.files.values()]


def _safe_member_name(name: str) -> str:
    """The base name of a zip entry, or RosterInputError when its path could climb out of the folder."""
    if "\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise RosterInputError(f"The zip entry {name!r} has a path outside the folder; the zip is refused.")
    parts = PurePosixPath(name).parts
    if ".." in parts:
        raise RosterInputError(f"The zip entry {name!r} climbs out of the folder; the zip is refused.")
    return parts[-1] if parts else ""


def _scan(roster_file: RosterFile, budget: list[int]) -> None:
    """Stream the file once: SHA-256, real size within the unpacked budget, and the encoding."""
    digest, size, utf8 = hashlib.sha256(), 0, codecs.getincrementaldecoder("utf-8")()
    is_utf8, undefined_cp1252 = True, False
    with roster_file.opener() as raw:
        while chunk := raw.read(CHUNK):
            size += len(chunk)
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise RosterInputError(f"The files unpack to more than {settings.ROSTER_MAX_UNPACKED_MB} MB "
                                       "(ROSTER_MAX_UNPACKED_MB); nothing was imported.")
            digest.update(chunk)
            if b"\x00" in chunk:
                raise RosterInputError(f"{roster_file.display} contains NUL bytes: it is not a CSV text file.")
            if is_utf8:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    is_utf8 = False
            undefined_cp1252 = undefined_cp1252 or any(b in chunk for b in CP1252_UNDEFINED)
    if is_utf8:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            is_utf8 = False
    if not is_utf8 and undefined_cp1252:
        raise RosterInputError(f"{roster_file.display} is neither UTF-8 nor Windows-1252 text.")
    roster_file.sha256, roster_file.size = digest.hexdigest(), size
    roster_file.encoding = "utf-8-sig" if is_utf8 else "cp1252"


def open_source(paths: list[Path]) -> RosterSource:
    """The CSV files of a zip, a folder, or loose .csv files, scanned and within the limits.

    Raises RosterInputError (one line) for anything refused as a whole; nothing has been read into the database.
    """
    source = RosterSource()
    entries: list[RosterFile] = []
    if len(paths) == 1 and paths[0].is_dir():
        paths = sorted(p for p in paths[0].iterdir() if p.is_file() and p.suffix.lower() == ".csv")
        if not paths:
            raise RosterInputError("The folder holds no .csv files.")
    for path in paths:
        if not path.exists():
            raise RosterInputError(f"{path} does not exist.")
        if path.stat().st_size > max_upload_bytes():
            raise RosterInputError(f"{path.name} is larger than {settings.ROSTER_MAX_UPLOAD_MB} MB "
                                   "(ROSTER_MAX_UPLOAD_MB); nothing was imported.")
        if zipfile.is_zipfile(path):
            if len(paths) != 1:
                raise RosterInputError("Give one zip, or CSV files, not both.")
            try:
                archive = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError) as exc:
                raise RosterInputError(f"{path.name} is not a readable zip ({exc}).") from None
            source._zip = archive
            declared = 0
            for info in archive.infolist():
                base = _safe_member_name(info.filename)
                if info.is_dir() or not base.lower().endswith(".csv") or base.startswith("._"):
                    continue
                declared += info.file_size
                entries.append(RosterFile(name=base.lower(), display=base,
                                          opener=lambda info=info, archive=archive: archive.open(info)))
            if declared > max_unpacked_bytes():
                raise RosterInputError(f"The zip unpacks to more than {settings.ROSTER_MAX_UNPACKED_MB} MB "
                                       "(ROSTER_MAX_UNPACKED_MB); nothing was imported.")
        elif path.suffix.lower() == ".csv":
            entries.append(RosterFile(name=path.name.lower(), display=path.name,
                                      opener=lambda path=path: open(path, "rb")))
        else:
            raise RosterInputError(f"{path.name} is neither a zip nor a .csv file.")
    budget = [max_unpacked_bytes()]
    for entry in entries:
        if entry.name in source.files:
            raise RosterInputError(f"Two files are named {entry.display}.")
        _scan(entry, budget)
        source.files[entry.name] = entry
    if not source.files:
        raise RosterInputError("No .csv files were found.")
    return source


def stored_paths(upload_dir: str) -> list[Path]:
    """The files of a stored upload (see roster.services.roster_upload_store)."""
    folder = Path(settings.MEDIA_ROOT) / upload_dir
    if not upload_dir or not folder.is_dir():
        raise RosterInputError("The uploaded files of this run are no longer stored; upload them again.")
    return sorted(folder / name for name in os.listdir(folder))
