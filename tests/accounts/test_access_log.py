import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from accounts import access
from accounts.models import AccessLogEntry, StudentDeletion
from accounts.services import access_log_record, student_delete
from students.models import Student
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db

REFUSED = (DatabaseError, IntegrityError)


def test_the_student_page_records_one_read(personas, client):
    student = personas["student"]
    client.force_login(personas["team_teacher"])
    assert client.get(f"/students/{student.pk}/").status_code == 200
    entry = AccessLogEntry.objects.get(student=student)
    assert (entry.user, entry.username, entry.part) == (personas["team_teacher"], "team_teacher", "record")
    assert (entry.purpose, entry.path, entry.method, entry.ip) == (
        "students:detail", f"/students/{student.pk}/", "GET", "127.0.0.1")


def test_the_api_retrieve_records_a_read_but_the_list_does_not(personas, client):
    student = personas["student"]
    client.force_login(personas["team_chair"])
    assert client.get("/api/students/").status_code == 200
    assert not AccessLogEntry.objects.exists()
    assert client.get(f"/api/students/{student.pk}/").status_code == 200
    assert AccessLogEntry.objects.get().purpose == "student-detail"


def test_refused_reads_are_not_recorded_as_reads(personas, client):
    client.force_login(personas["same_school_teacher"])
    assert client.get(f"/students/{personas['student'].pk}/").status_code == 404
    assert not AccessLogEntry.objects.exists()


def test_log_read_names_the_object_read(personas, rf):
    student, user = personas["student"], personas["team_sped"]
    request = rf.get("/somewhere/")
    request.user = user
    access.log_read(request, student, "section", obj=personas["school_a"])
    entry = AccessLogEntry.objects.get()
    assert (entry.part, entry.object_type, entry.object_id, entry.path) == (
        "section", "students.school", str(personas["school_a"].pk), "/somewhere/")


def _entry(personas):
    return access_log_record(user=personas["team_teacher"], student=personas["student"], part="record")


def test_the_database_refuses_to_update_an_entry(personas):
    entry = _entry(personas)
    with pytest.raises(REFUSED), transaction.atomic():
        AccessLogEntry.objects.filter(pk=entry.pk).update(part="pdf")
    entry.refresh_from_db()
    assert entry.part == "record"


def test_the_database_refuses_to_delete_an_entry_even_in_raw_sql(personas):
    entry = _entry(personas)
    with pytest.raises(REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_accesslogentry WHERE id = %s", [entry.pk])
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()


def test_deleting_a_student_without_the_service_is_refused(personas):
    _entry(personas)
    with pytest.raises(REFUSED), transaction.atomic():
        personas["student"].delete()
    assert Student.objects.filter(pk=personas["student"].pk).exists()


def test_student_delete_removes_the_log_and_logs_the_deletion(personas):
    student, admin = personas["student"], personas["district_admin"]
    _entry(personas)
    _entry(personas)
    other = StudentFactory(school=personas["school_a"])
    access_log_record(user=admin, student=other, part="record")
    student_pk, sasid = student.pk, student.sasid
    deletion = student_delete(student=student, deleted_by=admin, reason="Duplicate record")
    assert not Student.objects.filter(pk=student_pk).exists()
    assert (deletion.student_id, deletion.sasid, deletion.access_log_entries_removed) == (student_pk, sasid, 2)
    assert AccessLogEntry.objects.filter(student=other).count() == 1  # only the deleted student's entries went
    # the purge flag closed with the service: the other student's entries are protected again
    with pytest.raises(REFUSED), transaction.atomic():
        AccessLogEntry.objects.filter(student=other).delete()
    with pytest.raises(REFUSED), transaction.atomic():
        StudentDeletion.objects.filter(pk=deletion.pk).delete()


def test_the_access_log_trigger_is_postgresql_native(require_postgres):
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'accounts_accesslogentry'::regclass "
                       "AND NOT tgisinternal")
        assert [row[0] for row in cursor.fetchall()] == ["accounts_accesslogentry_append_only"]


@pytest.mark.parametrize(("persona", "status"), [
    ("district_admin", 200), ("team_chair", 403), ("building_admin", 403), ("same_school_teacher", 404),
    ("other_district_admin", 404),
])
def test_who_reads_the_access_log_page_and_api(personas, client, persona, status):
    student = personas["student"]
    _entry(personas)
    client.force_login(personas[persona])
    page = client.get(f"/students/{student.pk}/access-log/")
    api = client.get(f"/api/students/{student.pk}/access-log/")
    assert (page.status_code, api.status_code) == (status, status)
    if status == 200:
        assert b"team_teacher" in page.content
        assert api.json()["results"][0]["username"] in ("district_admin", "team_teacher")


def test_the_student_page_links_the_access_log_for_district_admins_only(personas, client):
    url = f"/students/{personas['student'].pk}/"
    client.force_login(personas["district_admin"])
    assert b"access-log/" in client.get(url).content
    client.force_login(personas["team_chair"])
    assert b"access-log/" not in client.get(url).content


def test_the_admin_shows_the_log_read_only(personas, admin_client):
    entry = _entry(personas)
    assert admin_client.get("/admin/accounts/accesslogentry/").status_code == 200
    assert admin_client.get("/admin/accounts/accesslogentry/add/").status_code == 403
    assert admin_client.post(f"/admin/accounts/accesslogentry/{entry.pk}/delete/").status_code == 403
    assert admin_client.post(f"/admin/accounts/accesslogentry/{entry.pk}/change/", {"part": "pdf"}).status_code == 403
    entry.refresh_from_db()
    assert entry.part == "record"


def test_the_access_log_page_names_what_was_read_in_words(personas, client):
    """No internal names ("iep.rendereddocument 3") or database ids: each object by what it is, for a person."""
    from iep.models import RenderedDocument
    from tests.factories import IEPFactory, SectionFactory

    student, reader = personas["student"], personas["team_teacher"]
    iep = IEPFactory(student=student)
    section = SectionFactory(iep=iep)
    document = RenderedDocument.objects.create(iep=iep, kind="full", cache_key="k" * 64)
    gone = RenderedDocument.objects.create(iep=iep, kind="glance", cache_key="g" * 64)
    for part, obj in (("iep", iep), ("section", section), ("pdf", document), ("pdf", gone),
                      ("section", personas["school_a"]), ("record", None)):
        access_log_record(user=reader, student=student, part=part, obj=obj)
    gone_id = gone.pk
    gone.delete()
    client.force_login(personas["district_admin"])
    response = client.get(f"/students/{student.pk}/access-log/")
    whats = [row["what"] for row in response.context["rows"]]
    iep_words = "IEP 09/01/2026–08/31/2027 (Draft)"
    assert whats[1:] == ["", "School", "Printed IEP document (since deleted)", f"Full IEP (PDF) of the {iep_words}",
                         f"Vision of the {iep_words}", iep_words]  # [0] is this very read of the log
    body = response.content.decode()
    for internal in ("iep.rendereddocument", "iep.section", "iep.iep", "students.school", f"document {gone_id}"):
        assert internal not in body
    assert f"Full IEP (PDF) of the {iep_words}" in body
