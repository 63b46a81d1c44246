"""Sending a finalised progress report by email: to a guardian with an address, the PDF attached, recorded as sent
today, received by a real SMTP server on loopback (docs/progress-reports.md, "Sending by email")."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from progress import services
from progress.exceptions import InvalidInput
from progress.models import ProgressDocument
from signin.models import OutgoingEmail
from students.models import Guardian
from timelines.models import Deadline

from .conftest import NOW, filled

pytestmark = pytest.mark.django_db


def _printed(world) -> ProgressDocument:
    period = world["periods"][0]
    for goal in world["goals"]:
        report = services.report_start(goal=goal, period=period, user=world["team_sped"])
        services.report_save(report=report, user=world["team_sped"], data=filled(), revision=report.revision,
                             ready=True, now=NOW)
    document = services.reports_finalise(student=world["student"], period=period, user=world["team_chair"], now=NOW,
                                         enqueue=False)
    return services.document_render(document_id=document.pk)


def test_the_chair_emails_the_report_to_a_guardian_with_the_pdf_attached(client, world, smtp,
                                                                         django_capture_on_commit_callbacks):
    student = world["student"]
    document = _printed(world)
    mother = Guardian.objects.create(student=student, name="Morgan Example", relationship="parent",
                                     email="morgan.example@example.org")
    Guardian.objects.create(student=student, name="No Email", relationship="guardian")
    client.force_login(world["team_chair"])
    url = reverse("progress:document_sent", args=[document.pk])
    form = client.get(url).content.decode()
    assert "morgan.example@example.org" in form and "No Email" not in form  # only guardians with an address

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"sent_on": "2025-12-01", "method": "email", "email_to": mother.pk, "note": ""})
    assert response.status_code == 302
    [mail] = smtp.wait(1)
    assert mail["to"] == ["morgan.example@example.org"]
    subject = mail["message"]["Subject"]
    assert subject == f"Progress report on IEP goals: Term 1 ({world['district'].name})"
    assert student.last_name not in subject and student.first_name not in subject
    assert "Morgan Example" in smtp.text(mail) and "Term 1" in smtp.text(mail)
    [attached] = list(mail["message"].iter_attachments())
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_filename() == "progress-report-2025-26-1.pdf"
    pdf = attached.get_content()
    document.file.open("rb")
    assert pdf == document.file.read()  # the stored document itself
    document.file.close()
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Goal 1: Reading fluency" in text

    document.refresh_from_db()
    today = timezone.localdate()
    assert (document.sent_on, document.sent_method, document.sent_by) == (today, "email", world["team_chair"])
    row = Deadline.objects.get(student=student, key="progress_report", cycle=document.period.report_due)
    assert (row.status, row.met_on) == ("met", today)
    assert OutgoingEmail.objects.get(kind="progress_report").status == "sent"

    with django_capture_on_commit_callbacks(execute=True):  # the same version to the same guardian: one email
        services.document_email(document=document, user=world["team_chair"], guardian=mother)
    assert OutgoingEmail.objects.filter(kind="progress_report").count() == 1


def test_emailing_needs_the_email_method_and_a_guardian_of_the_student_with_an_address(client, world):
    document = _printed(world)
    no_address = Guardian.objects.create(student=world["student"], name="No Address", relationship="parent")
    with pytest.raises(InvalidInput) as refused:
        services.document_email(document=document, user=world["team_chair"], guardian=no_address)
    assert list(refused.value.errors) == ["guardian"]
    other = Guardian.objects.create(student=_another_student(world), name="Other", email="other@example.org")
    with pytest.raises(InvalidInput) as refused:
        services.document_email(document=document, user=world["team_chair"], guardian=other)
    assert list(refused.value.errors) == ["guardian"]
    mother = Guardian.objects.create(student=world["student"], name="Morgan", email="m@example.org")
    client.force_login(world["team_chair"])
    response = client.post(reverse("progress:document_sent", args=[document.pk]),
                           {"sent_on": "2025-12-01", "method": "mail", "email_to": mother.pk})
    assert response.status_code == 400 and "Choose Email to email the report" in response.content.decode()
    document.refresh_from_db()
    assert document.sent_on is None and not OutgoingEmail.objects.filter(kind="progress_report").exists()


def test_a_report_still_printing_is_not_emailed(world):
    period = world["periods"][0]
    for goal in world["goals"]:
        report = services.report_start(goal=goal, period=period, user=world["team_sped"])
        services.report_save(report=report, user=world["team_sped"], data=filled(), revision=report.revision,
                             ready=True, now=NOW)
    document = services.reports_finalise(student=world["student"], period=period, user=world["team_chair"], now=NOW,
                                         enqueue=False)
    mother = Guardian.objects.create(student=world["student"], name="Morgan", email="m@example.org")
    with pytest.raises(InvalidInput) as refused:
        services.document_email(document=document, user=world["team_chair"], guardian=mother)
    assert list(refused.value.errors) == ["document"]
    assert ProgressDocument.objects.get(pk=document.pk).sent_on is None
    assert not OutgoingEmail.objects.filter(kind="progress_report").exists()


def _another_student(world):
    from tests.factories import StudentFactory

    return StudentFactory(school=world["student"].school)


def test_the_api_emails_the_report_with_email_to(world, smtp, django_capture_on_commit_callbacks):
    from rest_framework.test import APIClient

    document = _printed(world)
    mother = Guardian.objects.create(student=world["student"], name="Morgan", email="m@example.org")
    other = Guardian.objects.create(student=_another_student(world), name="Other", email="o@example.org")
    api = APIClient()
    api.force_authenticate(world["team_chair"])
    url = f"/api/progress-documents/{document.pk}/sent/"
    refused = api.post(url, {"sent_on": "2025-12-01", "method": "email", "email_to": other.pk}, format="json")
    assert refused.status_code == 400 and "email_to" in refused.json()
    refused = api.post(url, {"sent_on": "2025-12-01", "method": "mail", "email_to": mother.pk}, format="json")
    assert refused.status_code == 400 and "method" in refused.json()
    assert not OutgoingEmail.objects.exists() and ProgressDocument.objects.get(pk=document.pk).sent_on is None
    with django_capture_on_commit_callbacks(execute=True):
        done = api.post(url, {"sent_on": "2025-12-01", "method": "email", "email_to": mother.pk}, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["sent_method"] == "email" and done.json()["sent_on"] == timezone.localdate().isoformat()
    [mail] = smtp.wait(1)
    assert mail["to"] == ["m@example.org"] and len(list(mail["message"].iter_attachments())) == 1
