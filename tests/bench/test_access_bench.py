import json

import pytest

pytestmark = pytest.mark.django_db


def test_the_access_bench_runs_small_and_ends_with_its_json(require_postgres, capsys):
    from bench.access import main

    assert main(["--students", "300", "--repeat", "5"]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["students"] >= 300
    assert figures["teacher_list_queries"] <= 2 and figures["building_admin_list_queries"] <= 2
    assert figures["perm_check_queries"] == 1
    assert {"teacher_list_p95_ms", "building_admin_list_p95_ms", "perm_check_p95_ms"} <= figures.keys()


def test_a_bench_prepares_an_empty_database_itself(require_postgres, tmp_path):
    """`python -m bench.access` on a database with no tables: it migrates and seeds what it needs (bench.setup)."""
    import os
    import subprocess
    import sys
    import uuid

    import psycopg
    from django.db import connection

    name = f"bench_empty_{uuid.uuid4().hex[:8]}"
    settings = connection.settings_dict
    server = f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{server}/{name}"
    try:
        done = subprocess.run([sys.executable, "-m", "bench.access", "--students", "40", "--repeat", "3"],
                              env={**os.environ, "DATABASE_URL": url, "DATABASE_POOL": "false"},
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        assert json.loads(done.stdout.strip().splitlines()[-1])["students"] >= 40
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
