"""scripts/backup.sh and scripts/restore.sh against the real PostgreSQL test database."""

import os
import subprocess
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

from tests.factories import GuardianFactory, StudentFactory

ROOT = Path(__file__).resolve().parents[2]


def _url(name: str) -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def _run(script: str, *args: str, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run([str(ROOT / "scripts" / script), *args], env=env, capture_output=True, text=True,
                          timeout=120)


def _fingerprint(url: str) -> dict:
    """Row count of every table, plus a checksum over the student rows in id order."""
    with psycopg.connect(url, autocommit=True) as db:
        tables = [row[0] for row in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        counts = {table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}
        rows = "SELECT md5(string_agg(s::text, '|' ORDER BY s.id)) FROM students_student s"
        checksum = db.execute(rows).fetchone()[0]
    return {"counts": counts, "students_md5": checksum}


@pytest.fixture
def restore_db(require_postgres):
    name = f"{connection.settings_dict['NAME']}_restore"
    admin = _url("postgres")
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        db.execute(f'CREATE DATABASE "{name}"')
    yield _url(name)
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_a_fresh_database_gives_the_same_rows(restore_db, tmp_path):
    for student in StudentFactory.create_batch(5):
        GuardianFactory(student=student)
    source = _url(connection.settings_dict["NAME"])

    backup = _run("backup.sh", str(tmp_path / "iep.dump"), url=source)
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip())
    assert dump.is_file() and dump.stat().st_mode & 0o077 == 0  # readable by its owner only

    restored = _run("restore.sh", str(dump), url=restore_db)
    assert restored.returncode == 0, restored.stderr
    before, after = _fingerprint(source), _fingerprint(restore_db)
    assert after == before
    assert after["counts"]["students_student"] == 5 and after["counts"]["students_guardian"] == 5


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_has_tables_unless_forced(restore_db, tmp_path):
    StudentFactory.create_batch(2)
    source = _url(connection.settings_dict["NAME"])
    dump = tmp_path / "iep.dump"
    assert _run("backup.sh", str(dump), url=source).returncode == 0
    assert _run("restore.sh", str(dump), url=restore_db).returncode == 0

    StudentFactory()  # the live database moves on; a second restore would overwrite the first
    again = _run("restore.sh", str(dump), url=restore_db)
    assert again.returncode == 3 and "refusing" in again.stderr
    newer = tmp_path / "newer.dump"
    assert _run("backup.sh", str(newer), url=source).returncode == 0
    forced = _run("restore.sh", str(newer), "--force", url=restore_db)
    assert forced.returncode == 0, forced.stderr
    assert _fingerprint(restore_db) == _fingerprint(source)


def test_backup_names_its_file_with_a_timestamp_by_default(tmp_path):
    script = (ROOT / "scripts" / "backup.sh").read_text()
    assert 'backups/iep-$(date +%Y%m%d-%H%M%S).dump' in script
    refused = _run("backup.sh", url="sqlite:///var/db.sqlite3")
    assert refused.returncode == 2 and "not PostgreSQL" in refused.stderr
