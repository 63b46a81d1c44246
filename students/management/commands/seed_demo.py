import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from students.demo import DEMO_DISTRICT_CODE, DEMO_PASSWORD, OTHER_DISTRICT_CODE, demo_accounts, seed_people
from students.models import District

# Later parts of the demo (calendars, IEPs, events and deadlines) add a step here. Each is called with
# the SeedResult, the seed and the stdout, after the people exist, and must be safe to run again.
EXTRA_STEPS: list[str] = []
EXTRA_STEPS.append("iep.demo.seed_ieps")  # IEPs, goals, grids and evaluations (issue 4)
EXTRA_STEPS.append("timelines.demo.seed_timelines")
EXTRA_STEPS.append("timelines.dashboard_demo.seed_snapshots")  # dashboards: overdue trend (issue 7)
EXTRA_STEPS.append("meetings.demo.seed_meetings")  # a few Team meetings per chair (docs/meetings.md)
EXTRA_STEPS.append("progress.demo.seed_progress")  # marking periods and synthetic progress reports


class Command(BaseCommand):
    help = "Create the synthetic demo district (deterministic for a seed). Tops up an existing demo district."

    def add_arguments(self, parser):
        parser.add_argument("--students", type=int, default=600, help="how many students (default 600)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument("--force", action="store_true", help="run even though the database holds other data")
        parser.add_argument("--quiet", action="store_true", help="print only the summary line")
        parser.add_argument("--if-empty", action="store_true",
                            help="seed only when the database holds no district; otherwise list the demo accounts")

    def handle(self, *args, students, seed, force, quiet, if_empty, **options):
        """Refuses (exit 2) on a database that holds districts other than the demo ones, unless --force."""
        if if_empty and District.objects.exists():
            self.stdout.write("The database already holds data; not seeding.")
            if District.objects.filter(org_code=DEMO_DISTRICT_CODE).exists():
                self._print_accounts(demo_accounts())
            return
        if students < 1 or students > 1_000_000:
            raise CommandError("--students must be between 1 and 1,000,000.", returncode=2)
        foreign = District.objects.exclude(org_code__in=[DEMO_DISTRICT_CODE, OTHER_DISTRICT_CODE])
        if foreign.exists() and not force:
            raise CommandError(
                f"This database holds {foreign.count()} district(s) that are not demo data; "
                "refusing to add a demo district to it (use --force to do it anyway).", returncode=2)
        started = time.monotonic()
        tty = sys.stdout.isatty() and not quiet

        def progress(done, total):
            if tty:
                self.stdout.write(f"\rstudents {done:,}/{total:,}", ending="")

        result = seed_people(students=students, seed=seed, progress=progress)
        if tty:
            self.stdout.write("")
        for step in EXTRA_STEPS:
            import_string(step)(result=result, seed=seed, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(
            f"Demo district ready: {result.students_created:,} students added "
            f"in {time.monotonic() - started:.1f} s."))
        if not quiet:
            self._print_accounts(result.accounts)

    def _print_accounts(self, accounts):
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for account in accounts:
            self.stdout.write(f"  {account.username:<28} {account.role} — {account.where}")
