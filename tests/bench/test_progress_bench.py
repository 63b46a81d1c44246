import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.django_db


def test_the_progress_bench_runs_small_and_ends_with_its_json(require_postgres, own_redis):
    """`python -m bench.progress` at a tiny size, as a process of its own (its Celery worker is one too) on the test
    database and the test's own Redis: the worklist of 40 students and 160 goals, and 3 students' reports rendered
    by the worker; the last line is the JSON with the bench's keys, and what it made is gone afterwards."""
    from django.db import connection

    from progress.models import MarkingPeriod, ProgressDocument

    own_redis.start()
    settings = connection.settings_dict
    url = (f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/"
           f"{settings['NAME']}")
    done = subprocess.run([sys.executable, "-m", "bench.progress", "--school", "3", "--repeat", "3",
                           "--timeout", "120"],
                          env={**os.environ, "DATABASE_URL": url, "DATABASE_POOL": "false", "REDIS_URL": own_redis.url},
                          capture_output=True, text=True, timeout=400)
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"worklist_p95_ms", "worklist_queries", "reports_per_s"} <= figures.keys()
    assert figures["worklist_p95_ms"] > 0 and 0 < figures["worklist_queries"] <= 40  # bounded, not one per goal
    assert figures["reports_n"] == 3 and figures["reports_done"] == 3 and figures["reports_per_s"] > 0
    assert not MarkingPeriod.objects.filter(school_year="bench").exists()
    assert not ProgressDocument.objects.exists()
