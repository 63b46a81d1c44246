"""Stored out-of-range dates (written before dates were range-checked) are reported and do not crash the pages that
show them; date arithmetic saturates; commands refuse input files over their stated size with exit 2."""

import os
import subprocess
import sys
import threading
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from config.date_report import out_of_range_dates
from iep.models import IEP, RenderedDocument
from iep.models.iep import add_years, default_end
from iep.pdf.sample import sample_iep

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("day", [date(9999, 12, 31), date(1, 1, 1)])
@pytest.mark.django_db
def test_pages_api_list_and_pdf_of_an_iep_with_a_stored_out_of_range_date_do_not_crash(day, personas, client,
                                                                                        django_capture_on_commit_callbacks):
    chair = personas["team_chair"]
    iep = sample_iep(student=personas["student"], user=chair, goals=1, lines=1)
    IEP.objects.filter(pk=iep.pk).update(last_evaluation_date=day, meeting_date=day)  # as stored before the checks
    client.force_login(chair)
    api = APIClient()
    api.force_authenticate(chair)
    for url in (f"/ieps/{iep.pk}/", f"/ieps/student/{iep.student_id}/", f"/ieps/{iep.pk}/glance/"):
        assert client.get(url).status_code == 200, url
    assert api.get(f"/api/ieps/{iep.pk}/").status_code == 200
    assert api.get(f"/api/ieps/?student={iep.student_id}").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/ieps/{iep.pk}/documents/", {"kind": "full"}, format="json")
    assert response.status_code == 202
    assert RenderedDocument.objects.get(pk=response.json()["id"]).status == "ready"
    found = out_of_range_dates()
    assert {"model": "iep.IEP", "field": "last_evaluation_date", "count": 1, "ids": [iep.pk]} in found
    out = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("report_dates", stdout=out)
    assert exited.value.code == 1 and f"iep.IEP.last_evaluation_date: 1 outside 1900-2100 (ids {iep.pk})" in \
        out.getvalue()


@pytest.mark.django_db
def test_the_date_report_is_quiet_when_every_date_is_in_range(personas):
    out = StringIO()
    call_command("report_dates", stdout=out)
    assert out.getvalue().strip() == "No stored date is outside 1900-2100."


def test_date_arithmetic_saturates_instead_of_overflowing():
    assert add_years(date(9999, 6, 1), 3) == date.max and add_years(date(1, 6, 1), -3) == date.min
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert default_end(date(9999, 6, 1)) == date.max and default_end(date(2025, 9, 1)) == date(2026, 8, 31)


@pytest.mark.parametrize("door", ["manage.py", "engine"])
def test_compute_deadlines_refuses_a_file_over_its_size_limit_with_exit_2(door, tmp_path):
    from timelines.engine.parse import MAX_FILE_BYTES

    big = tmp_path / "cal.json"
    big.write_bytes(b" " * (MAX_FILE_BYTES + 1))
    case = tmp_path / "case.json"
    case.write_text("{}")
    command = [sys.executable, "manage.py", "compute_deadlines"] if door == "manage.py" else [
        sys.executable, "-m", "timelines.engine"]
    done = subprocess.run([*command, "--calendar", str(big), "--case", str(case)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "larger than 10 MB, the limit" in done.stderr


def test_compute_deadlines_refuses_an_endless_input_without_filling_memory(tmp_path):
    fifo = tmp_path / "endless.json"
    os.mkfifo(fifo)
    stop = threading.Event()

    def write_forever():
        with open(fifo, "wb") as pipe:
            chunk = b"[" * 65536
            try:
                while not stop.is_set():
                    pipe.write(chunk)
            except BrokenPipeError:
                pass

    writer = threading.Thread(target=write_forever, daemon=True)
    writer.start()
    case = tmp_path / "case.json"
    case.write_text("{}")
    done = subprocess.run([sys.executable, "-m", "timelines.engine", "--calendar", str(fifo), "--case", str(case)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    stop.set()
    assert done.returncode == 2 and "larger than 10 MB" in done.stderr
