"""The printed documents as a reader sees them: word positions on the hardest IEP (tests/iep/hard_iep.py).

Every document kind is rendered and checked by tests/iep/pdf_geometry.py; one page of each is saved as a PNG
under test-results/pdf-layout/ for people to look at (never compared). Texts of up to 200 characters (names,
grid cells, short answers) are always at their limit; PDF_LAYOUT_SIZE scales the longer ones (default 0.1,
so the suite stays fast on a 2-core machine; PDF_LAYOUT_SIZE=1 prints every text at its limit).
"""

import os
import re

import pytest
from django.conf import settings

from iep.pdf.context import build_context
from iep.pdf.render import render_html, render_pdf
from iep.services.sections import iep_create
from tests.iep.hard_iep import MEETING, START, hard_iep
from tests.iep.pdf_geometry import layout_violations, read_words, save_png

pytestmark = pytest.mark.django_db

SIZE = float(os.environ.get("PDF_LAYOUT_SIZE", "0.1"))
OUTPUT = settings.BASE_DIR / "test-results" / "pdf-layout"
KINDS = ("summary", "full", "glance")
# Today's (before this layout) question/answer rules: floated questions beside answers, which drift apart, and a
# grid wider than the page. The checker must catch them.
BROKEN_CSS = """
dl.facts dt { float: left; clear: left; width: 1.6in; margin: 0; }
dl.facts dd { margin: 0 0 2pt 1.7in; }
h1, h2, h3 { break-after: auto; }
table.grid { width: 125%; }
"""


def first_word(value: str) -> str:
    return str(value).split()[0]


def pairs_of(context: dict) -> list[tuple[str, str]]:
    """(question, answer) in reading order for the kind's document, from what it prints."""
    student, iep, kind = context["student"], context["iep"], context["kind"]
    pairs = []
    if kind in ("summary", "full"):
        pairs += [("Name", student.first_name), ("Date of birth", f"{student.date_of_birth:%m/%d/%Y}"),
                  ("SASID", student.sasid), ("Grade", "Grade"), ("Meeting date", f"{iep.meeting_date:%m/%d/%Y}")]
    if kind == "glance":
        pairs += [("Name", student.first_name), ("Grade", "Grade")]
    accommodations = [(row["label"], first_word(row["cells"][0])) for table in context["accommodations"]
                      for row in table["rows"] if row["cells"][0]]
    lines = [(line["service_type"], first_word(line["provided_by"])) for group in context["grid"]
             for line in group["lines"]]
    if kind == "summary":
        pairs += [(m.user.get_full_name() or m.user.username, first_word(m.get_team_role_display()))
                  for m in context["team"]]
        pairs += lines
        pairs += [(str(goal["number"]), first_word(goal["area"])) for goal in context["goals"]]
    if kind == "glance":
        pairs += accommodations
        pairs += [(goal["area"], first_word(goal["content"]["target"])) for goal in context["goals"]]
        pairs += lines
    if kind == "full":
        for section in context["sections"]:
            if section["template"] == "rows":
                pairs += [(label, first_word(value)) for label, value in section["rows"]]
            elif section["template"] == "goals":
                for goal in context["goals"]:
                    pairs += [(label, first_word(value)) for label, value in goal["rows"]]
                    pairs.append(("Short-term objectives or benchmarks", first_word(goal["benchmarks"][0])))
            elif section["template"] == "accommodations":
                pairs += accommodations
            elif section["template"] == "grid":
                pairs += lines
    return pairs


@pytest.fixture
def calendar(personas):
    from timelines.engine.demo_calendar import massachusetts_calendar
    from timelines.services import calendar_import

    calendar_import(district=personas["district"], data=massachusetts_calendar(2026))


def test_every_document_of_the_hardest_iep_keeps_its_layout(personas, calendar):
    iep = hard_iep(student=personas["student"], user=personas["team_chair"], size=SIZE)
    found, sizes = {}, {}
    for kind in KINDS:
        context = build_context(iep, kind)
        pdf = render_pdf(render_html(context))
        pairs = pairs_of(context)
        assert len(pairs) > (20 if kind != "full" else 200)  # the check covers the document, not a corner
        found[kind] = layout_violations(pdf, pairs)[:20]
        words, _pages = read_words(pdf)
        sizes[kind] = len(_pages)
        text = " ".join(w.text for w in words)
        if kind != "glance":
            assert "End date" in text  # the grid's last column is on the page
        save_png(pdf, OUTPUT / f"{kind}.png", page=0 if kind == "glance" else 1)  # page 2: the summary's grid
    assert found == {kind: [] for kind in KINDS}, found
    assert all((OUTPUT / f"{kind}.png").stat().st_size > 1000 for kind in KINDS)
    assert sizes["full"] > sizes["summary"]  # the hard IEP really spans many pages


def test_a_draft_summary_holds_its_layout_under_the_watermark(personas, calendar):
    iep = iep_create(student=personas["student"], user=personas["team_chair"], start_date=START,
                     meeting_date=MEETING)
    context = build_context(iep, "summary")
    pdf = render_pdf(render_html(context))
    words, _pages = read_words(pdf)
    assert "DRAFT" in [w.text for w in words]  # the mark in the top margin; the watermark itself is skipped
    assert layout_violations(pdf, pairs_of(context)) == []


def test_the_checker_reports_a_broken_stylesheet(personas, calendar):
    iep = hard_iep(student=personas["student"], user=personas["team_chair"], size=0.05, goals=3, lines=6)
    context = build_context(iep, "full")
    html = render_html(context)
    assert layout_violations(render_pdf(html), pairs_of(context)) == []
    broken = render_pdf(html.replace("</style>", BROKEN_CSS + "</style>", 1))
    found = layout_violations(broken, pairs_of(context))
    kinds = {re.sub(r"^page \d+, \(\d+, \d+\): ", "", line).split("'")[-1].strip() for line in found}
    assert any("does not start on its line or the next" in line for line in found), found[:10]
    assert any("outside the content box" in line for line in found), found[:10]
    assert any("overlaps" in line or "stands on the line of the heading" in line for line in found), kinds
