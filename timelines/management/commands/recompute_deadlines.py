import sys
import time

from django.core.management.base import BaseCommand, CommandError

from timelines.selectors import district_by_reference, student_id_chunks
from timelines.services import CHUNK, deadlines_recompute


class Command(BaseCommand):
    help = "Recompute stored deadlines of every active student (or one district's), as the nightly job does."

    def add_arguments(self, parser):
        parser.add_argument("--district", help="only this district: its id or its 8-digit DESE organization code")

    def handle(self, *args, district=None, **options):
        """Recompute in chunks of 2,000 students, each one transaction (safe while workers run the same job).

        A progress bar goes to stderr when it is a terminal; one summary line to stdout. Exit 2 on an unknown
        district.
        """
        district_id = None
        if district is not None:
            found = district_by_reference(district)
            if found is None:
                raise CommandError(f"--district {district}: no such district (give its id or DESE code)",
                                   returncode=2)
            district_id = found.pk
        chunks = list(student_id_chunks(district_id=district_id, size=CHUNK))
        total = sum(len(chunk) for chunk in chunks)
        tty = sys.stderr.isatty()
        started, done, written = time.monotonic(), 0, 0
        for chunk in chunks:
            written += deadlines_recompute(student_ids=chunk)
            done += len(chunk)
            if tty:
                filled = int(30 * done / total)
                sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done:,}/{total:,} students")
                sys.stderr.flush()
        if tty:
            sys.stderr.write("\n")
        self.stdout.write(f"Recomputed {total:,} students: {written:,} deadline rows written "
                          f"in {time.monotonic() - started:.1f} s.")
