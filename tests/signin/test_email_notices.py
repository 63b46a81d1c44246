"""The weekly deadline digest and the lock-broken notice, received by a real SMTP server on loopback."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Role, TeamMembership
from accounts.services import team_membership_add
from iep.services.locks import section_break_lock, section_check_out
from signin.digest import weekly_digests_queue
from signin.models import DistrictSignIn, EmailPreference
from tests.factories import RoleAssignmentFactory, SchoolFactory, SectionFactory, StudentFactory, UserFactory
from timelines.models import Deadline

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 30)  # a Monday


def _deadline(student, key, due, status):
    return Deadline.objects.create(student=student, school=student.school, key=key, cycle=due, trigger="t",
                                   due=due, citation="603 CMR 28.00", basis="synthetic", status=status,
                                   computed_at=timezone.now())


@pytest.fixture
def caseload():
    school = SchoolFactory()
    chair = UserFactory(username="chair.x", district=school.district, email="chair@example.org")
    RoleAssignmentFactory(user=chair, role=Role.TEAM_CHAIR, district=school.district, school=school)
    provider = UserFactory(username="slp.x", district=school.district, email="slp@example.org")
    RoleAssignmentFactory(user=provider, role=Role.SPECIAL_EDUCATOR, district=school.district, school=school)
    teacher = UserFactory(username="gen.x", district=school.district, email="gen@example.org")
    RoleAssignmentFactory(user=teacher, role=Role.GENERAL_EDUCATOR, district=school.district, school=school)
    ann = StudentFactory(school=school, first_name="Annabel", last_name="Zephyrine", local_id="L-100")
    bo = StudentFactory(school=school, first_name="Bartholomew", last_name="Quillfeather", local_id="L-200")
    for student in (ann, bo):
        team_membership_add(student=student, user=chair, team_role=TeamMembership.TeamRole.CHAIR)
        team_membership_add(student=student, user=teacher)
    team_membership_add(student=bo, user=provider)
    _deadline(ann, "iep_proposal", TODAY - datetime.timedelta(days=3), Deadline.Status.OVERDUE)
    _deadline(bo, "evaluation_complete", TODAY + datetime.timedelta(days=10), Deadline.Status.UPCOMING)
    _deadline(bo, "referral_notice", TODAY + datetime.timedelta(days=30), Deadline.Status.UPCOMING)  # too far
    _deadline(ann, "referral_notice", TODAY - datetime.timedelta(days=60), Deadline.Status.MET)  # done
    return {"school": school, "chair": chair, "provider": provider, "teacher": teacher, "ann": ann, "bo": bo}


def test_a_chair_and_a_provider_receive_the_weekly_digest(caseload, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert weekly_digests_queue(today=TODAY) == 2  # the chair and the provider; not the general educator
    mails = {item["to"][0]: item for item in smtp.wait(2)}
    assert set(mails) == {"chair@example.org", "slp@example.org"}
    chair = mails["chair@example.org"]
    subject = chair["message"]["Subject"]
    assert subject == "Your IEP deadlines this week: 1 overdue, 1 due soon"
    text, html = smtp.text(chair), smtp.html(chair)
    assert "Proposed IEP or finding of no eligibility" in text and "Evaluation complete" in text
    assert "student L-100" in text and "student L-200" in text
    assert "Notice and consent form after referral" not in text  # due in 30 days, and the met one
    assert f"/students/{caseload['ann'].pk}/timeline/" in text and "/signin/email/" in text
    assert "<table>" in html and "student L-100" in html
    for item in mails.values():  # no student names anywhere unless the district allows them in bodies
        for part in (item["message"]["Subject"], smtp.text(item), smtp.html(item)):
            assert "Zephyrine" not in part and "Quillfeather" not in part
    provider = smtp.text(mails["slp@example.org"])
    assert "student L-200" in provider and "student L-100" not in provider  # only the provider's own Teams


def test_the_digest_is_sent_once_a_week_names_students_only_if_the_district_allows_and_can_be_turned_off(
        caseload, smtp, django_capture_on_commit_callbacks):
    DistrictSignIn.objects.create(district=caseload["school"].district, names_in_email=True)
    EmailPreference.objects.create(user=caseload["provider"], weekly_digest=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert weekly_digests_queue(today=TODAY) == 1
        assert weekly_digests_queue(today=TODAY + datetime.timedelta(days=2)) == 0  # same ISO week
    [mail] = smtp.wait(1)
    assert mail["to"] == ["chair@example.org"]
    assert "Annabel Zephyrine" in smtp.text(mail) and "Zephyrine" not in mail["message"]["Subject"]


def test_the_opt_out_page_turns_the_digest_off(client, caseload):
    client.force_login(caseload["chair"])
    assert client.get("/signin/email/").status_code == 200
    assert client.post("/signin/email/", {}).status_code == 302
    assert EmailPreference.objects.get(user=caseload["chair"]).weekly_digest is False
    assert weekly_digests_queue(today=TODAY) == 1  # the provider only


def test_the_holder_is_emailed_when_a_chair_breaks_their_lock(caseload, smtp, django_capture_on_commit_callbacks):
    from iep.models import IEP

    iep = IEP.objects.create(student=caseload["bo"], start_date=TODAY, end_date=TODAY.replace(year=2027),
                             meeting_date=TODAY)
    section = SectionFactory(iep=iep)
    section_check_out(section=section, user=caseload["provider"])
    with django_capture_on_commit_callbacks(execute=True):
        section_break_lock(section=section, user=caseload["chair"], reason="Meeting starts now")
    [mail] = smtp.wait(1)
    assert mail["to"] == ["slp@example.org"]
    assert mail["message"]["Subject"] == "A section you were editing was taken back"
    text = smtp.text(mail)
    assert "Meeting starts now" in text and f"/ieps/{iep.pk}/" in text and "student L-200" in text
    assert "Quillfeather" not in text and "Quillfeather" not in smtp.html(mail)


def test_the_digest_lists_progress_reports_due_with_a_link_to_the_worklist(personas):
    from progress.models import ProgressReport
    from progress.selectors import worklist_for
    from signin.digest import weekly_digest_queue
    from tests.progress.conftest import accepted_iep, make_periods

    chair = personas["team_chair"]
    chair.email = "chair.digest@example.org"
    chair.save()
    accepted_iep(personas["student"], chair)
    make_periods(personas["district"])
    today = datetime.date(2025, 12, 1)  # term 2 reports are being written (due 2026-02-20)
    owed = worklist_for(chair, today=today).items
    assert owed  # the chair owes the goals' reports
    email = weekly_digest_queue(user=chair, today=today)
    assert email is not None and f"{len(owed)} progress reports due" in email.subject
    student = personas["student"]
    assert student.first_name not in email.subject and student.last_name not in email.subject
    assert "Progress reports due" in email.text and "/progress/worklist/" in email.text
    assert "/progress/worklist/" in email.html and "2026-02-20" in email.text
    # A finalised report drops out of the next digest.
    ProgressReport.objects.create(student=student, iep=owed[0].iep, goal=owed[0].goal, period=owed[0].period,
                                  status=ProgressReport.Status.FINALISED,
                                  current=True)
    later = weekly_digest_queue(user=chair, today=today + datetime.timedelta(days=7))
    assert later is not None and f"{len(owed) - 1} progress reports due" in later.subject
