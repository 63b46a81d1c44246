"""The weekly deadline digest for Team chairs and providers, and the lock-broken notice. See docs/sign-in.md.

Subjects never name a student; bodies use the student's name only when the district turns that on
(DistrictSignIn.names_in_email), otherwise "student <local ID>".
"""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, TeamMembership
from progress.selectors import worklist_for
from timelines.models import Deadline

from .emails import email_queue, site_url
from .models import EmailPreference, OutgoingEmail
from .services import names_in_email

DIGEST_DAYS = 14
OPEN = [Deadline.Status.UPCOMING, Deadline.Status.DUE_SOON, Deadline.Status.OVERDUE]


def student_label(student, *, with_names: bool) -> str:
    if with_names:
        return f"{student.first_name} {student.last_name}"
    return _("student %(id)s") % {"id": student.local_id or f"#{student.pk}"}


def digest_recipients():
    """Active staff with an email address who chair a Team, or serve on one as a special educator / related
    service provider, and have not turned the digest off."""
    opted_out = EmailPreference.objects.filter(weekly_digest=False).values("user_id")
    providers = Q(team_memberships__isnull=False, role_assignments__role=Role.SPECIAL_EDUCATOR)
    chairs = Q(team_memberships__team_role=TeamMembership.TeamRole.CHAIR)
    return (get_user_model().objects.filter(is_active=True).exclude(email="").exclude(pk__in=opted_out)
            .filter(chairs | providers).distinct())


def digest_deadlines(*, user, today: date):
    """Open deadlines due on or before today + DIGEST_DAYS of the active students whose Team `user` is on
    (the chair's caseload, or a provider's Teams), soonest first."""
    students = TeamMembership.objects.filter(user=user).values("student_id")
    return (Deadline.objects.filter(student_id__in=students, student__active=True, status__in=OPEN,
                                    due__isnull=False, due__lte=today + timedelta(days=DIGEST_DAYS))
            .select_related("student").order_by("due", "key"))


DONE_REPORTS = ("finalised", "sent")


def digest_progress_due(*, user, today: date):
    """The progress reports `user` owes for the current period and has not finalised: the worklist's items
    (progress.selectors.worklist_for decides who owes a goal's report), by report date."""
    items = [item for item in worklist_for(user, today=today).items if item.status not in DONE_REPORTS]
    return sorted(items, key=lambda item: (item.period.report_due, item.student.pk, item.goal.position))


def weekly_digest_queue(*, user, today: date | None = None) -> OutgoingEmail | None:
    """Queue `user`'s digest for the ISO week of `today`: None when there is nothing to report or it was
    already queued this week (idempotent: the email's key is user + week)."""
    today = today or timezone.localdate()
    rows = list(digest_deadlines(user=user, today=today))
    reports_due = digest_progress_due(user=user, today=today)
    if not rows and not reports_due:
        return None
    with_names = names_in_email(user.district_id)

    def row(deadline):
        return {"due": deadline.due.isoformat(), "what": deadline.get_key_display(),
                "student": student_label(deadline.student, with_names=with_names),
                "link": site_url(reverse("timelines:student", kwargs={"pk": deadline.student_id}))}

    overdue = [row(d) for d in rows if d.due < today]
    soon = [row(d) for d in rows if d.due >= today]
    worklist = site_url(reverse("progress:worklist"))
    progress = [{"due": item.period.report_due.isoformat(), "what": _("Progress report, goal %(n)s (%(period)s)") % {
                     "n": item.goal.position, "period": item.period.name},
                 "student": student_label(item.student, with_names=with_names), "link": worklist}
                for item in reports_due]
    year, week, _day = today.isocalendar()
    subject = _("Your IEP deadlines this week: %(overdue)d overdue, %(soon)d due soon") % {
        "overdue": len(overdue), "soon": len(soon)}
    if progress:
        subject += _(", %(count)d progress reports due") % {"count": len(progress)}
    context = {"user": user, "today": today.isoformat(), "days": DIGEST_DAYS, "overdue": overdue, "soon": soon,
               "overdue_count": len(overdue), "soon_count": len(soon),
               "sections": [(_("Overdue"), overdue), (_("Due within %(days)d days") % {"days": DIGEST_DAYS}, soon),
                            (_("Progress reports due"), progress)],
               "progress": progress, "progress_count": len(progress), "worklist": worklist,
               "dashboard": site_url(reverse("dashboard:home")),
               "preferences": site_url(reverse("signin:email_preferences"))}
    return email_queue(to=user.email, subject=subject, template="signin/email/digest", context=context,
                       kind="weekly_digest", key=f"digest:{user.pk}:{year}-W{week:02d}")


def weekly_digests_queue(*, today: date | None = None) -> int:
    """Queue this week's digest for every recipient; returns how many were queued now. Safe to run twice."""
    today = today or timezone.localdate()
    return sum(1 for user in digest_recipients().iterator() if weekly_digest_queue(user=user, today=today))


def lock_broken_email_queue(*, section, holder, breaker, reason: str) -> OutgoingEmail | None:
    """Tell `holder` by email that `breaker` broke their lock on `section` (in the caller's transaction)."""
    if not holder.email or not holder.is_active:
        return None
    student = section.iep.student
    context = {"holder": holder, "breaker": breaker.get_full_name() or breaker.username, "section": section.title,
               "student": student_label(student, with_names=names_in_email(student.district_id)),
               "reason": reason, "link": site_url(reverse("iep:detail", kwargs={"pk": section.iep_id}))}
    return email_queue(to=holder.email, subject=_("A section you were editing was taken back"),
                       template="signin/email/lock_broken", context=context, kind="lock_broken")
