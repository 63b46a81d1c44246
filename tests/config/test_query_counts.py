"""Every main page runs a bounded number of SQL queries, the same however much data the district holds.

The demo district is seeded small, each page is loaded as the persona who uses it and its queries are counted;
the district is then tripled and the same pages counted again. A page that queries once per row (a list that
loads each student's IEP, a dashboard that counts per school in a loop) answers with more queries the second
time and fails here (docs/scaling.md, "Queries per page").
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import TeamMembership, User
from iep.models import IEP
from students.demo import DEMO_DISTRICT_CODE
from students.models import District, School

pytestmark = pytest.mark.django_db

SMALL, LARGE = 60, 180
MOST_QUERIES = 40  # the most any main page needs today is well under this; a per-row page exceeds it quickly


def _seed(students: int) -> None:
    call_command("seed_demo", students=students, quiet=True, stdout=io.StringIO())


def _pages() -> list[tuple[str, str]]:
    """(username, url) for each main page, with objects chosen once (the same objects at both sizes)."""
    district = District.objects.get(org_code=DEMO_DISTRICT_CODE)
    school = School.objects.filter(district=district).order_by("code").first()
    chair = User.objects.get(username="chair.lincoln")
    student_id = TeamMembership.objects.filter(user=chair, team_role="chair").order_by("student_id") \
        .values_list("student_id", flat=True).first()
    iep = IEP.objects.filter(student_id=student_id).order_by("-pk").first()
    section = iep.sections.order_by("pk").first()
    return [
        ("teacher.lincoln", reverse("students:list")),
        ("district.admin", reverse("students:list")),
        ("chair.lincoln", reverse("students:detail", args=[student_id])),
        ("chair.lincoln", reverse("iep:student_ieps", args=[student_id])),
        ("chair.lincoln", reverse("iep:detail", args=[iep.pk])),
        ("chair.lincoln", reverse("iep:glance", args=[iep.pk])),
        ("chair.lincoln", reverse("iep:section_history", args=[section.pk])),
        ("chair.lincoln", reverse("timelines:student", args=[student_id])),
        ("chair.lincoln", reverse("dashboard:caseload")),
        ("chair.lincoln", reverse("dashboard:teams")),
        ("district.admin", reverse("dashboard:home")),
        ("district.admin", reverse("dashboard:district", args=[district.pk])),
        ("principal.lincoln", reverse("dashboard:school", args=[school.pk])),
        ("district.admin", reverse("dashboard:deadlines")),
        ("district.admin", reverse("manage:users")),
        ("district.admin", reverse("manage:team", args=[student_id])),
        ("district.admin", reverse("students:access_log", args=[student_id])),
        ("district.admin", reverse("timelines:calendars", args=[district.pk])),
    ]


def _count(client, pages) -> dict[tuple[str, str], int]:
    counts = {}
    for username, url in pages:
        client.force_login(User.objects.get(username=username))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (username, url, response.status_code)
        counts[(username, url)] = len(captured)
    return counts


def test_main_pages_run_the_same_bounded_number_of_queries_at_any_size(client):
    _seed(SMALL)
    pages = _pages()
    _count(client, pages)  # warm: per-process caches (permission ids, content types) filled once
    small = _count(client, pages)
    _seed(LARGE)
    large = _count(client, pages)
    grew = {page: (small[page], large[page]) for page in pages if large[page] != small[page]}
    assert not grew, f"queries grew with the data (small, large): {grew}"
    heavy = {page: count for page, count in large.items() if count > MOST_QUERIES}
    assert not heavy, f"pages over {MOST_QUERIES} queries: {heavy}"
