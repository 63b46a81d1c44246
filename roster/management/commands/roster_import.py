"""python manage.py roster_import PATH [PATH ...] [--dry-run] [--district CODE] [--mapping NAME]"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from roster.exceptions import RosterInputError
from roster.models import ImportRun, RosterMapping
from roster.services import roster_mapping_default, roster_run_execute
from roster.sources import open_source
from students.models import District


def _district_code_in(paths: list[Path]) -> str | None:
    """The district code the files name (orgs.csv's district row, or the plain CSV's district_code)."""
    source = open_source(paths)
    try:
        if "orgs.csv" in source.files:
            rows = source.files["orgs.csv"].rows()
            _line, header = next(rows)
            index = {name.strip().lower(): i for i, name in enumerate(header)}
            for _line, cells in rows:
                if len(cells) == len(header) and cells[index.get("type", 0)].strip() == "district":
                    return cells[index["identifier"]].strip() if "identifier" in index else None
        for name in ("students.csv", "staff.csv"):
            if name in source.files:
                rows = source.files[name].rows()
                _line, header = next(rows)
                index = {h.strip().lower(): i for i, h in enumerate(header)}
                for _line, cells in rows:
                    if "district_code" in index and len(cells) == len(header):
                        return cells[index["district_code"]].strip()
    except StopIteration:
        return None
    finally:
        source.close()
    return None


class Command(BaseCommand):
    help = ("Import a district's roster: OneRoster 1.1/1.2 CSV (a zip or a folder) or the plain students.csv / "
            "staff.csv. All or nothing; --dry-run counts and lists every row error without writing.")

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="a zip, a folder, or CSV files")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--district", help="the district's DESE organization code (default: from the files)")
        parser.add_argument("--mapping", default="Default", help="the district's roster mapping (default: Default)")

    def handle(self, *args, paths, dry_run, district, mapping, **options):
        paths = [Path(p) for p in paths]
        try:
            code = district or _district_code_in(paths)
        except RosterInputError as exc:
            raise CommandError(str(exc), returncode=2) from None
        if not code:
            raise CommandError("The files name no district code: give --district CODE.", returncode=2)
        target = District.objects.filter(org_code=code).first()
        if target is None:
            raise CommandError(f"No district has the code {code!r}.", returncode=2)
        chosen = (RosterMapping.objects.filter(district=target, name=mapping).first()
                  or (roster_mapping_default(district=target) if mapping == "Default" else None))
        if chosen is None:
            raise CommandError(f"{target.name} has no roster mapping named {mapping!r}.", returncode=2)
        run = ImportRun.objects.create(district=target, mapping=chosen, source=ImportRun.Source.COMMAND,
                                       dry_run=dry_run, run_date=timezone.localdate())
        show = sys.stderr.isatty() or options.get("verbosity", 1) > 1
        run = roster_run_execute(run_id=run.pk, paths=paths, progress=self._bar if show else None)
        if show:
            self.stderr.write("")
        for name, counts in run.counts.items():
            self.stdout.write(f"{name}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        for error in run.errors:
            where = f"{error['file']} line {error['line']}: " if error["file"] else ""
            self.stdout.write(f"{where}{error['message']}")
        if run.status != ImportRun.Status.DONE:
            first = run.errors[0] if run.errors else {"file": "", "line": 0, "message": run.message}
            where = f" (first: {first['file']} line {first['line']}: {first['message']})" if first["file"] else ""
            raise CommandError(f"run {run.pk}: {run.message}{where}".replace("\n", " "), returncode=2)
        self.stdout.write(f"run {run.pk}: {run.message}")

    def _bar(self, percent: int, step: str) -> None:
        filled = percent * 30 // 100
        self.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {percent:3d}% {step:<28}", ending="")
        self.stderr.flush()
