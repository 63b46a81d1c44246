"""Make the access log and the student-deletion record append-only in the database itself.

PostgreSQL: a row trigger refuses UPDATE and DELETE; DELETE of access-log rows passes only while the
transaction has `SET LOCAL iep.allow_log_purge = 'on'`, which only `student_delete` sets.
SQLite: the same with RAISE(ABORT); the purge flag is a row in `accounts_logpurgeflag` that
`student_delete` inserts and removes inside its transaction.
TRUNCATE is not covered by a row trigger; production denies it (and UPDATE/DELETE) by privileges too.
"""

from django.db import migrations

POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION accounts_refuse_log_change() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND TG_ARGV[0] = 'purgeable'
           AND coalesce(current_setting('iep.allow_log_purge', true), '') = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'the % table is append-only: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """CREATE TRIGGER accounts_accesslogentry_append_only BEFORE UPDATE OR DELETE ON accounts_accesslogentry
       FOR EACH ROW EXECUTE FUNCTION accounts_refuse_log_change('purgeable');""",
    """CREATE TRIGGER accounts_studentdeletion_append_only BEFORE UPDATE OR DELETE ON accounts_studentdeletion
       FOR EACH ROW EXECUTE FUNCTION accounts_refuse_log_change('kept');""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS accounts_accesslogentry_append_only ON accounts_accesslogentry;",
    "DROP TRIGGER IF EXISTS accounts_studentdeletion_append_only ON accounts_studentdeletion;",
    "DROP FUNCTION IF EXISTS accounts_refuse_log_change();",
]
SQLITE = [
    "CREATE TABLE accounts_logpurgeflag (id INTEGER PRIMARY KEY);",
    """CREATE TRIGGER accounts_accesslogentry_no_update BEFORE UPDATE ON accounts_accesslogentry
       BEGIN SELECT RAISE(ABORT, 'the accounts_accesslogentry table is append-only: UPDATE refused'); END;""",
    """CREATE TRIGGER accounts_accesslogentry_no_delete BEFORE DELETE ON accounts_accesslogentry
       WHEN NOT EXISTS (SELECT 1 FROM accounts_logpurgeflag)
       BEGIN SELECT RAISE(ABORT, 'the accounts_accesslogentry table is append-only: DELETE refused'); END;""",
    """CREATE TRIGGER accounts_studentdeletion_no_update BEFORE UPDATE ON accounts_studentdeletion
       BEGIN SELECT RAISE(ABORT, 'the accounts_studentdeletion table is append-only: UPDATE refused'); END;""",
    """CREATE TRIGGER accounts_studentdeletion_no_delete BEFORE DELETE ON accounts_studentdeletion
       BEGIN SELECT RAISE(ABORT, 'the accounts_studentdeletion table is append-only: DELETE refused'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS accounts_accesslogentry_no_update;",
    "DROP TRIGGER IF EXISTS accounts_accesslogentry_no_delete;",
    "DROP TRIGGER IF EXISTS accounts_studentdeletion_no_update;",
    "DROP TRIGGER IF EXISTS accounts_studentdeletion_no_delete;",
    "DROP TABLE IF EXISTS accounts_logpurgeflag;",
]


def _run(statements: dict):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, None)  # None: no placeholders, so "%" stays literal
    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_access_log")]

    operations = [
        migrations.RunPython(_run({"postgresql": POSTGRES, "sqlite": SQLITE}),
                             _run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}), elidable=False),
    ]
