"""The world the browser scenarios share: the personas' student with a printable IEP and an overdue deadline."""

from datetime import timedelta

from django.utils import timezone

from iep.models import Section, SectionLock
from iep.pdf.sample import sample_iep
from tests.timelines.factories import TimelineEventFactory, ma_year
from timelines.services import deadlines_recompute


def build_world(personas) -> dict:
    """A draft IEP (2 goals, 3 service lines) written by the chair, no section held; one overdue deadline."""
    student = personas["student"]
    today = timezone.localdate()
    ma_year(student.district, today.year - 1)
    ma_year(student.district, today.year)
    iep = sample_iep(student=student, user=personas["team_chair"], goals=2, lines=3)
    SectionLock.objects.filter(section__iep=iep).update(holder=None, acquired_at=None, expires_at=None)
    TimelineEventFactory(student=student, key="records_requested", date=today - timedelta(days=30),
                         recorded_by=personas["team_chair"])
    deadlines_recompute(student_ids=[student.pk])
    return {
        "student": student,
        "iep": iep,
        "vision": iep.sections.get(kind=Section.Kind.VISION),
        "goals": list(iep.sections.goals()),
        "grid": iep.sections.get(kind=Section.Kind.SERVICE_GRID),
    }


def focused(page) -> dict:
    """What has the keyboard focus, and whether its focus indicator shows (a real outline or box shadow)."""
    return page.evaluate(r"""() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
        return {tag: el.tagName.toLowerCase(), text: (el.textContent || el.value || '').replace(/\s+/g, ' ').trim(),
                name: el.getAttribute('name') || '', id: el.id || '',
                visible: outline || (style.boxShadow && style.boxShadow !== 'none')};
    }""")


def tab_to(page, matches, *, backwards: bool = False, limit: int = 80) -> dict:
    """Press Tab (or Shift+Tab) until the focused element satisfies `matches(focused)`; every stop shows focus."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        now = focused(page)
        if now["tag"] != "body":
            assert now["visible"], f"no visible focus indicator on {now}"
        if matches(now):
            return now
    raise AssertionError(f"never reached the element by keyboard; last focus: {focused(page)}")
