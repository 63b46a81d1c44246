"""Give the application's PostgreSQL role what it needs, and no more (docs/security.md, "Database roles").

Run as the OWNER role (the one that runs `migrate`), after every migrate:

    DATABASE_URL=postgres://iep_owner@db/iep python manage.py grant_app_role iep_app

The app role may read and write every table, except that the access log and the student-deletion record are
SELECT and INSERT only (no UPDATE, DELETE or TRUNCATE), and it may execute the log's purge function.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from accounts.models import AccessLogEntry, StudentDeletion

APPEND_ONLY = [AccessLogEntry._meta.db_table, StudentDeletion._meta.db_table]


def grant_statements(role: str) -> list[str]:
    """The GRANT/REVOKE statements for `role` (a quoted identifier), in order."""
    tables = ", ".join(APPEND_ONLY)
    return [
        f"GRANT USAGE ON SCHEMA {{schema}} TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {{schema}} TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {{schema}} TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {tables} FROM {role}",
        f"GRANT EXECUTE ON FUNCTION accounts_purge_student_access_log(bigint) TO {role}",
    ]


class Command(BaseCommand):
    help = "Grant the app's PostgreSQL role its rights: no UPDATE, DELETE or TRUNCATE on the access log."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the application's database role, e.g. iep_app")

    def handle(self, *args, role, **options):
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role needs PostgreSQL (DATABASE_URL=postgres://...).", returncode=2)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(f"No database role named {role!r}: create it first (CREATE ROLE ... LOGIN).",
                                   returncode=2)
            cursor.execute("SELECT current_schema(), current_user")
            schema, owner = cursor.fetchone()
            if owner == role:
                raise CommandError("Run this as the owner role, not as the app role itself.", returncode=2)
            quote = connection.ops.quote_name
            with transaction.atomic():
                for statement in grant_statements(quote(role)):
                    cursor.execute(statement.format(schema=quote(schema)))
        self.stdout.write(f"granted role={role} schema={schema} append_only={','.join(APPEND_ONLY)}")
