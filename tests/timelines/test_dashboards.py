"""Deadline dashboards (issue 7). Every expected number is computed here, in plain Python over the Deadline rows
the test created, never by calling the dashboard selectors."""

import csv
import io
import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import AccessLogEntry, TeamMembership
from accounts.services import team_membership_add
from students.demo import SeedResult
from tests.factories import StudentFactory, UserFactory
from timelines.dashboard_demo import seed_snapshots
from timelines.dashboard_services import deadline_snapshots_take
from timelines.models import DEADLINE_LABELS, Deadline, DeadlineSnapshot

pytestmark = pytest.mark.django_db
KEYS = ["annual_review", "reevaluation", "evaluation_complete", "iep_proposal"]


def make_deadlines(student, rng, today, n=6):
    """Deadlines in every status, dates consistent with the status; returns the rows."""
    rows = []
    for i in range(n):
        status = rng.choice(["overdue", "due_soon", "upcoming", "upcoming", "met", "not_applicable",
                             "calendar_missing"])
        due = {"overdue": today - timedelta(days=rng.randint(1, 60)),
               "due_soon": today + timedelta(days=rng.randint(0, 7)),
               "upcoming": today + timedelta(days=rng.randint(8, 90)),
               "met": today - timedelta(days=rng.randint(1, 90)),
               "not_applicable": today + timedelta(days=rng.randint(-30, 30)), "calendar_missing": None}[status]
        rows.append(Deadline.objects.create(
            student=student, school=student.school, key=KEYS[i % len(KEYS)], cycle=today - timedelta(days=100 + i),
            trigger="x", due=due, error="calendar_exhausted" if due is None else "", citation="c", basis="b",
            status=status, computed_at=datetime(2026, 1, 1, tzinfo=UTC)))
    return rows


@pytest.fixture
def world(personas):
    """personas' district with 3 chairs' caseloads over both schools, students without a chair, an inactive
    student, and a student of the other district; deadlines for all of them."""
    rng, today = random.Random(7), timezone.localdate()
    district, school_a, school_b = personas["district"], personas["school_a"], personas["school_b"]
    other_chair = UserFactory(username="other_chair", district=district, first_name="Olga", last_name="Chair")
    students = [personas["student"]]
    for i in range(10):
        student = StudentFactory(district=district, school=school_a if i % 2 else school_b)
        if i < 4:
            team_membership_add(student=student, user=personas["team_chair"], team_role=TeamMembership.TeamRole.CHAIR)
        elif i < 7:
            team_membership_add(student=student, user=other_chair, team_role=TeamMembership.TeamRole.CHAIR)
        if i == 0:
            team_membership_add(student=student, user=personas["team_teacher"])
        students.append(student)
    inactive = StudentFactory(district=district, school=school_a, active=False)
    foreign = StudentFactory(district=personas["other_district"], school=personas["other_school"])
    rows = [row for student in [*students, inactive, foreign] for row in make_deadlines(student, rng, today)]
    chairs = dict(TeamMembership.objects.filter(team_role="chair").values_list("student_id", "user_id"))
    return {**personas, "today": today, "rows": rows, "students": students, "inactive": inactive,
            "foreign": foreign, "chairs": chairs, "other_chair": other_chair}


def expected(world, in_scope):
    """(overdue, due_7, due_30) over rows of active students passing `in_scope(row)`."""
    today, out = world["today"], {"overdue": 0, "due_7": 0, "due_30": 0}
    for row in world["rows"]:
        if not row.student.active or not in_scope(row):
            continue
        out["overdue"] += row.status == "overdue"
        out["due_7"] += row.status == "due_soon"
        out["due_30"] += row.status in ("due_soon", "upcoming") and row.due <= today + timedelta(days=30)
    return out


def as_dict(counts):
    return {"overdue": counts.overdue, "due_7": counts.due_7, "due_30": counts.due_30}


def test_district_admin_sees_the_districts_numbers_by_school_key_and_chair(world, client):
    district = world["district"]
    client.force_login(world["district_admin"])
    response = client.get(f"/dashboard/districts/{district.pk}/")
    assert response.status_code == 200
    summary = response.context["section"]["summary"]
    in_district = lambda row: row.student.district_id == district.pk  # noqa: E731
    assert as_dict(summary.total) == expected(world, in_district)
    assert {s.pk: as_dict(c) for s, c in summary.by_school} == {
        school.pk: expected(world, lambda r, s=school: in_district(r) and r.student.school_id == s.pk)
        for school in (world["school_a"], world["school_b"])}
    assert {key: as_dict(c) for key, _label, c in summary.by_key} == {
        key: expected(world, lambda r, k=key: in_district(r) and r.key == k) for key in KEYS
        if any(expected(world, lambda r, k=key: in_district(r) and r.key == k).values())}
    assert {label for _k, label, _c in summary.by_key} <= set(DEADLINE_LABELS.values())
    by_chair = {(u.pk if u else None): as_dict(c) for u, c in summary.by_chair}
    for chair in (world["team_chair"].pk, world["other_chair"].pk, None):
        assert by_chair[chair] == expected(world, lambda r, c=chair: in_district(r)
                                           and world["chairs"].get(r.student_id) == c)
    assert world["foreign"].last_name not in response.content.decode()


def test_building_admin_sees_only_their_school(world, client):
    client.force_login(world["building_admin"])
    response = client.get(f"/dashboard/schools/{world['school_a'].pk}/")
    assert response.status_code == 200
    summary = response.context["section"]["summary"]
    assert as_dict(summary.total) == expected(world, lambda r: r.student.school_id == world["school_a"].pk)
    assert [s.pk for s, _c in summary.by_school] == [world["school_a"].pk]
    assert client.get(f"/dashboard/schools/{world['school_b'].pk}/").status_code == 403
    assert client.get(f"/dashboard/schools/{world['other_school'].pk}/").status_code == 404
    assert client.get(f"/dashboard/districts/{world['district'].pk}/").status_code == 403


@pytest.mark.parametrize(("persona", "status"), [("team_teacher", 403), ("team_chair", 403), ("building_admin", 403),
                                                 ("district_admin", 200), ("other_district_admin", 404)])
def test_who_opens_the_district_dashboard(persona, status, world, client):
    client.force_login(world[persona])
    assert client.get(f"/dashboard/districts/{world['district'].pk}/").status_code == status


def test_one_dashboard_url_shows_each_section_the_roles_give(world, client):
    client.force_login(world["district_admin"])
    context = client.get("/dashboard/").context
    assert [s["title"] for s in context["sections"]] == [world["district"].name]
    client.force_login(world["building_admin"])
    context = client.get("/dashboard/").context
    assert [s["title"] for s in context["sections"]] == [world["school_a"].name]
    client.force_login(world["team_chair"])
    context = client.get("/dashboard/").context
    assert context["sections"] == [] and "caseload" in context["preview"] and "team" in context["preview"]
    client.force_login(world["team_teacher"])
    context = client.get("/dashboard/").context
    assert "caseload" not in context["preview"] and "team" in context["preview"]
    client.force_login(world["same_school_teacher"])
    assert client.get("/dashboard/").context["nothing"] is True


def test_caseload_is_every_open_deadline_of_the_chairs_students_soonest_first(world, client):
    client.force_login(world["team_chair"])
    response = client.get("/dashboard/caseload/")
    mine = {pk for pk, chair in world["chairs"].items() if chair == world["team_chair"].pk}
    want = [r for r in world["rows"] if r.student_id in mine and r.student.active
            and r.status in ("overdue", "calendar_missing", "due_soon", "upcoming")]
    got = [(row["student_id"], row["key"], row["due"]) for row in response.context["rows"]]
    assert sorted(got, key=str) == sorted(((r.student_id, r.key, r.due) for r in want), key=str)
    dues = [row["due"] for row in response.context["rows"]]
    dated = [d for d in dues if d is not None]
    assert dated == sorted(dated) and dues[:len(dated)] == dated  # soonest first, undated last


def test_teacher_sees_upcoming_deadlines_of_their_teams_only(world, client):
    client.force_login(world["team_teacher"])
    response = client.get("/dashboard/my-teams/")
    teams = set(TeamMembership.objects.filter(user=world["team_teacher"]).values_list("student_id", flat=True))
    want = {(r.student_id, r.key, r.due) for r in world["rows"] if r.student_id in teams
            and r.status in ("due_soon", "upcoming")}
    assert {(row["student_id"], row["key"], row["due"]) for row in response.context["rows"]} == want
    assert client.get("/dashboard/deadlines/?status=all").context["page"].paginator.count == len(
        [r for r in world["rows"] if r.student_id in teams])


def test_every_number_links_to_a_list_of_exactly_that_many(world, client):
    client.force_login(world["district_admin"])
    section = client.get(f"/dashboard/districts/{world['district'].pk}/").context["section"]
    rows = [{"counts": section["summary"].total, "links": section["total_links"]},
            *section["schools"], *section["keys"], *section["chairs"]]
    for row in rows:
        for bucket in ("overdue", "due_7", "due_30"):
            page = client.get(row["links"][bucket]).context["page"]
            assert page.paginator.count == getattr(row["counts"], bucket), (row.get("label"), bucket)


def test_out_of_scope_students_are_never_counted_or_listed(world, client):
    foreign, inactive = world["foreign"], world["inactive"]
    for persona in ("district_admin", "building_admin", "team_chair", "team_teacher", "same_school_teacher"):
        client.force_login(world[persona])
        paginator = client.get("/dashboard/deadlines/?status=all").context["page"].paginator
        listed = set(paginator.object_list.values_list("student_id", flat=True))
        assert foreign.pk not in listed and inactive.pk not in listed
        body = b"".join(client.get("/dashboard/deadlines.csv?status=all").streaming_content).decode()
        assert foreign.last_name not in body
        api = client.get("/api/dashboard/deadlines/?status=all").json()
        assert foreign.pk not in {row["student"] for row in api["results"]}
    client.force_login(world["same_school_teacher"])
    assert client.get("/dashboard/deadlines/?status=all").context["page"].paginator.count == 0
    assert client.get("/api/dashboard/summary/").json()["total"] == {"overdue": 0, "due_7": 0, "due_30": 0}


def test_filters_sorting_and_pagination(world, client):
    client.force_login(world["district_admin"])
    district_rows = [r for r in world["rows"] if r.student.district_id == world["district"].pk and r.student.active]
    response = client.get("/dashboard/deadlines/?status=all&sort=student&dir=desc")
    page = response.context["page"]
    assert page.paginator.count == len(district_rows) and len(response.context["rows"]) == 50
    names = [row["student"] for row in response.context["rows"]]
    assert names == sorted(names, reverse=True)
    second = client.get("/dashboard/deadlines/?status=all&sort=student&dir=desc&page=2").context["rows"]
    assert len(second) == len(district_rows) - 50
    start, end = world["today"], world["today"] + timedelta(days=20)
    response = client.get(f"/dashboard/deadlines/?status=all&due_from={start}&due_to={end}&key=annual_review"
                          f"&school={world['school_a'].pk}")
    want = [r for r in district_rows if r.due and start <= r.due <= end and r.key == "annual_review"
            and r.student.school_id == world["school_a"].pk]
    assert response.context["page"].paginator.count == len(want)
    bad = client.get(f"/dashboard/deadlines/?due_from={end}&due_to={start}")
    assert bad.status_code == 400 and "before its start" in bad.content.decode()
    assert client.get("/dashboard/deadlines/?status=nonsense").status_code == 400
    assert client.get("/api/dashboard/deadlines/?status=nonsense").status_code == 400


def parse_csv(response):
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("\ufeff")  # the byte-order mark spreadsheets need for accented names
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    return rows[0], rows[1:]


def screen(rows):
    return [[r["student"], r["sasid"], r["local_id"], r["deadline"], r["due"].isoformat() if r["due"] else "",
             r["days"], r["status"], r["chair"], r["school"]] for r in rows]


def test_exports_match_the_screen_and_are_logged_per_student(world, client):
    client.force_login(world["district_admin"])
    query = "status=all&sort=due&dir=desc"
    page1 = client.get(f"/dashboard/deadlines/?{query}").context
    page2 = client.get(f"/dashboard/deadlines/?{query}&page=2").context
    before = AccessLogEntry.objects.count()
    header, rows = parse_csv(client.get(f"/dashboard/deadlines.csv?{query}&page=1"))
    assert header[0] == "Student" and rows == screen(page1["rows"])
    assert AccessLogEntry.objects.count() - before == len({r["student_id"] for r in page1["rows"]})
    assert set(AccessLogEntry.objects.order_by("-pk").values_list("part", flat=True)[:3]) == {"export"}
    _header, everything = parse_csv(client.get(f"/dashboard/deadlines.csv?{query}"))
    assert everything == screen(page1["rows"]) + screen(page2["rows"])
    client.force_login(world["team_chair"])
    caseload = client.get("/dashboard/caseload/").context["rows"]
    assert parse_csv(client.get("/dashboard/deadlines.csv?list=caseload"))[1] == screen(caseload)


def test_api_summary_and_list_match_the_pages(world, client):
    client.force_login(world["district_admin"])
    district = world["district"]
    data = client.get(f"/api/dashboard/summary/?district={district.pk}").json()
    assert data["total"] == expected(world, lambda r: r.student.district_id == district.pk)
    assert data["trend"] == []  # no snapshot yet, and it says so rather than inventing zeros
    listed = client.get("/api/dashboard/deadlines/?status=overdue&sort=student").json()
    assert listed["count"] == data["total"]["overdue"]
    client.force_login(world["team_teacher"])
    assert client.get(f"/api/dashboard/summary/?district={district.pk}").json()["trend"] is None
    assert client.get(f"/api/dashboard/summary/?district={world['other_district'].pk}").status_code == 400


def test_snapshots_store_every_school_and_feed_the_trend(world, client):
    today = world["today"]
    assert deadline_snapshots_take(on=today) == 3  # both schools of the district and the other district's one
    assert deadline_snapshots_take(on=today) == 3  # idempotent: replaced, not doubled
    stored = dict(DeadlineSnapshot.objects.filter(date=today).values_list("school_id", "overdue"))
    for school in (world["school_a"], world["school_b"], world["other_school"]):
        assert stored[school.pk] == sum(1 for r in world["rows"] if r.student.active and r.status == "overdue"
                                        and r.student.school_id == school.pk)
    client.force_login(world["district_admin"])
    page = client.get(f"/dashboard/districts/{world['district'].pk}/")
    assert "Only one week of history so far" in page.content.decode()
    DeadlineSnapshot.objects.create(district=world["district"], school=world["school_a"], overdue=42,
                                    date=today - timedelta(weeks=2))
    section = client.get(f"/dashboard/districts/{world['district'].pk}/").context["section"]
    assert section["trend"] == [(today - timedelta(weeks=2), 42),
                                (today, stored[world["school_a"].pk] + stored[world["school_b"].pk])]
    assert section["line"] is not None


def test_no_history_is_said_plainly(world, client):
    client.force_login(world["district_admin"])
    body = client.get(f"/dashboard/districts/{world['district'].pk}/").content.decode()
    assert "No history yet" in body and 'role="img"' in body and "<desc" in body


def test_demo_step_backfills_weeks_without_overwriting(world):
    result = SeedResult(district=world["district"])
    added = seed_snapshots(result=result, seed=1)
    assert added == 2 * 11
    assert seed_snapshots(result=result, seed=1) == 0
    assert DeadlineSnapshot.objects.filter(district=world["district"]).values("date").distinct().count() == 12


def test_nightly_task_is_scheduled_and_writes_snapshots(world, settings):
    from timelines.tasks import deadline_snapshots_task

    assert any(entry["task"] == "timelines.tasks.deadline_snapshots_task"
               for entry in settings.CELERY_BEAT_SCHEDULE.values())
    assert deadline_snapshots_task.delay().get() == 3


def test_dashboard_query_count_does_not_grow_with_data(world, client):
    client.force_login(world["district_admin"])
    urls = [f"/dashboard/districts/{world['district'].pk}/", "/dashboard/", "/dashboard/deadlines/?status=all",
            "/dashboard/deadlines.csv?status=all&page=1", "/api/dashboard/summary/"]

    def counts():
        found = []
        for url in urls:
            queries = []  # an execute wrapper: the request_started signal empties connection.queries
            with connection.execute_wrapper(lambda execute, sql, *args, log=queries: (log.append(sql),
                                                                                     execute(sql, *args))[1]):
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    counts()  # warm up: per-process caches (the permission id) and the session's first write
    small = counts()
    rng = random.Random(3)
    for i in range(25):
        student = StudentFactory(district=world["district"], school=world["school_b"])
        chair = UserFactory(username=f"chair{i}", district=world["district"])
        team_membership_add(student=student, user=chair, team_role=TeamMembership.TeamRole.CHAIR)
        make_deadlines(student, rng, world["today"], n=8)
    large = counts()
    # The CSV export logs one INSERT per 2,000 students, so a page (50 rows) costs one statement.
    assert large == small, (small, large)
    assert 5 <= min(small) and max(small) <= 20, small


def test_an_empty_list_is_an_empty_state_not_an_error(personas, client):
    """No deadline at all: every drill-down answers 200 with a sentence naming what was looked for and where."""
    school, district = personas["school_a"], personas["district"]
    client.force_login(personas["building_admin"])
    response = client.get(f"/dashboard/deadlines/?status=overdue&school={school.pk}")
    body = response.content.decode()
    assert response.status_code == 200 and response.context["page"].paginator.count == 0
    assert f"No overdue deadlines at {school.name}." in body
    assert "Correct the filters" not in body and "Download all" not in body
    client.force_login(personas["district_admin"])
    body = client.get(f"/dashboard/deadlines/?status=due_soon&district={district.pk}&key=annual_review"
                      ).content.decode()
    assert f"No deadlines due within 7 days in {district.name} match the other filters." in body
    body = client.get("/dashboard/deadlines/?status=pending&due_to=2027-01-01").content.decode()
    assert f"No deadlines due on or before Jan. 1, 2027 in {district.name}." in body
    client.force_login(personas["team_chair"])
    response = client.get("/dashboard/caseload/")
    assert response.status_code == 200
    assert "No open deadlines for the students whose Team you chair." in response.content.decode()
    bad = client.get("/dashboard/deadlines/?status=nonsense")  # a real error still says so
    assert bad.status_code == 400 and "Correct the filters marked above." in bad.content.decode()


def test_dashboard_home_links_to_the_school_and_district_dashboards_the_user_may_open(personas, client):
    district, school_a, school_b = personas["district"], personas["school_a"], personas["school_b"]
    client.force_login(personas["district_admin"])
    links = client.get("/dashboard/").context["links"]
    assert [url for _label, url in links] == [f"/dashboard/districts/{district.pk}/", *sorted(
        (f"/dashboard/schools/{s.pk}/" for s in (school_a, school_b)),
        key=lambda url: {f"/dashboard/schools/{s.pk}/": s.name for s in (school_a, school_b)}[url])]
    for _label, url in links:
        assert client.get(url).status_code == 200
    client.force_login(personas["building_admin"])
    response = client.get("/dashboard/")
    assert response.context["links"] == [(school_a.name, f"/dashboard/schools/{school_a.pk}/")]
    assert f'href="/dashboard/schools/{school_a.pk}/"' in response.content.decode()
    client.force_login(personas["team_teacher"])
    response = client.get("/dashboard/")
    assert response.context["links"] == [] and "School and district dashboards" not in response.content.decode()


def test_the_csv_identifies_students_by_sasid_and_local_id_never_by_database_id(personas, client):
    student = personas["student"]
    student.local_id = "L-0042"
    student.save(update_fields=["local_id"])
    Deadline.objects.create(student=student, school=student.school, key="annual_review", cycle="2026-01-01",
                            trigger="x", due="2026-05-01", citation="c", basis="b", status="upcoming",
                            computed_at=datetime(2026, 1, 1, tzinfo=UTC))
    client.force_login(personas["team_chair"])
    header, rows = parse_csv(client.get("/dashboard/deadlines.csv?list=caseload&status=all"))
    assert header[:3] == ["Student", "SASID", "Local ID"] and "Student ID" not in header
    assert rows == [[f"{student.last_name}, {student.first_name}", student.sasid, "L-0042", "Annual review",
                     "2026-05-01", rows[0][5], "Upcoming", rows[0][7], student.school.name]]
    assert str(student.pk) not in rows[0]
