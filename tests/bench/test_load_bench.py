import json

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_load_bench_runs_small_and_reports_every_page(require_postgres, redis_url, capsys, monkeypatch,
                                                          settings):
    """bench.load end to end at a modest size: statewide seeding, gunicorn with the production settings, a Celery
    worker, two Locust runs; the JSON names users, errors, throughput and a p95 per page."""
    from django.conf import global_settings
    from django.db import connection

    # The suite hashes passwords with MD5 for speed; the server it starts has the real hashers only.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS

    from bench.load import main

    db = connection.settings_dict  # the server and worker it starts must use this test database
    monkeypatch.setenv("DATABASE_URL", f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
                                       f"{db['NAME']}")
    monkeypatch.setenv("REDIS_URL", redis_url)
    assert main(["--districts", "2", "--students", "60", "--users", "4", "--seconds", "8", "--workers", "2"]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["users"] == 4 and figures["districts"] == 2
    assert figures["errors"] == 0
    assert figures["max_rps"] > 0
    assert {"p95_ms_max", "queries_student_list", "queries_iep_page"} <= figures.keys()
