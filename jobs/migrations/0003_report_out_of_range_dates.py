"""Data migration: report stored dates outside 1900-2100 (written before dates were range-checked). Reads only;
the pages showing such dates do not crash (docs/resilience.md). `manage.py report_dates` prints the same later."""

from django.db import migrations


def report(apps, schema_editor):
    from config.date_report import format_report, out_of_range_dates

    found = out_of_range_dates(apps=apps)
    if found:
        for line in format_report(found):
            print(f"\n  out-of-range date: {line}", end="")


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0002_outbox_worker_done_job_runs"),
        ("accounts", "0004_access_log_append_only"),
        ("students", "0002_district_require_2fa_for_admins"),
        ("iep", "0003_merge_0002_rendered_document_0002_section_locks"),
        ("timelines", "0003_deadline_covering_index"),
    ]

    operations = [migrations.RunPython(report, migrations.RunPython.noop, elidable=True)]
