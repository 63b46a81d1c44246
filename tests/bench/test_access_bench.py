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
