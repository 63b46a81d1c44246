"""A person's meetings as iCalendar (RFC 5545): text escaped (3.3.11), lines folded at 75 octets (3.1), CRLF.

What a feed shows about a student is kept small, because calendar apps live outside the district: the
student's initials, the meeting type, time and place, and a link to the meeting page (which needs sign-in).
"""

from datetime import UTC, datetime

from django.utils import timezone

from config import ical

from .models import Meeting

# Escaping and folding are the shared iCalendar helpers (config/ical.py), as for the school calendar.
escape_text, fold = ical.text, ical.fold


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def initials(student) -> str:
    return "".join(f"{part[0]}." for part in (student.first_name, student.last_name) if part)


def meetings_ics(meetings: list[Meeting], *, calendar_name: str, base_url: str, host: str,
                 now: datetime | None = None) -> str:
    """The meetings as one VCALENDAR, each a VEVENT with a stable UID (so an edit updates the event)."""
    stamp = _utc(now or timezone.now())
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Massachusetts IEP//Team meetings//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:{escape_text(calendar_name)}"]
    for meeting in meetings:
        summary = f"Team meeting: {meeting.get_meeting_type_display()} ({initials(meeting.student)})"
        place = meeting.location or meeting.video_link
        url = f"{base_url}/meetings/{meeting.pk}/"
        lines += ["BEGIN:VEVENT", f"UID:{ical.uid(f'meeting-{meeting.pk}@{host}')}", f"DTSTAMP:{stamp}",
                  f"DTSTART:{_utc(meeting.starts)}", f"DTEND:{_utc(meeting.ends)}",
                  f"SUMMARY:{escape_text(summary)}", f"LOCATION:{escape_text(place)}",
                  f"DESCRIPTION:{escape_text(f'{meeting.get_meeting_type_display()} meeting. Details: {url}')}",
                  f"URL:{url}", f"STATUS:{'CANCELLED' if meeting.status == Meeting.Status.CANCELLED else 'CONFIRMED'}",
                  "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ical.document(lines)
