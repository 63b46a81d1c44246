"""`manage.py report_dates`: list stored dates outside the accepted range (rows written before it was checked)."""

from django.core.management.base import BaseCommand

from config.date_report import format_report, out_of_range_dates


class Command(BaseCommand):
    help = "Report stored dates outside 1900-2100 (model, field, count, a few row ids); changes nothing. Exit 1 if any."

    def handle(self, *args, **options) -> None:
        found = out_of_range_dates()
        for line in format_report(found):
            self.stdout.write(line)
        if found:
            raise SystemExit(1)
