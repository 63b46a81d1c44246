"""End to end in a real browser: the people of the Team at work, and outsiders kept out."""

import re

import pytest

from iep.models import Section, SectionLock
from tests.browser.conftest import assert_accessible, log_in
from tests.browser.helpers import build_world, focused, tab_to
from tests.iep.pdf_helpers import pages_text

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips these tests with the reason (and fails them in CI)
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(personas):
    return build_world(personas)


def section_box(page, section):
    return page.locator(f"#section-{section.pk}")


def test_teacher_checks_out_edits_and_checks_in_vision_while_a_second_teacher_is_refused(new_page, personas, world):
    iep, vision, goal = world["iep"], world["vision"], world["goals"][0]
    first, second = personas["team_sped"], personas["team_teacher"]
    page = new_page()
    log_in(page, first, next_url=f"/ieps/{iep.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("IEP of")
    assert_accessible(page, "the IEP page")

    page.get_by_role("link", name="Edit Vision", exact=True).click()  # htmx: the form replaces the card
    learn = section_box(page, vision).get_by_label("This year, I want to learn:")
    expect(learn).to_be_visible()
    expect(page.locator("#status-region")).to_contain_text("You have checked out Vision")
    assert SectionLock.objects.get(section=vision).holder == first
    assert_accessible(page, "the Vision form swapped into the IEP page")

    # Meanwhile a second teacher (own browser context) finds Vision checked out, and edits a goal instead.
    other = new_page()
    log_in(other, second, next_url=f"/ieps/sections/{vision.pk}/edit/")
    assert re.search(rf"/ieps/{iep.pk}/", other.url) and "/edit/" not in other.url
    expect(other.get_by_role("status").filter(has_text="checked out by")).to_be_visible()
    held_edit = section_box(other, vision).get_by_role("button", name=re.compile(r"^Edit Vision"))
    expect(held_edit).to_be_disabled()  # the holder's section: its Edit button is disabled for others
    expect(section_box(other, vision)).to_contain_text("Checked out by")
    assert_accessible(other, "the IEP page with the checked-out message")
    section_box(other, goal).get_by_role("link", name=re.compile(r"^Edit Goal 1")).click()
    baseline = section_box(other, goal).get_by_label(re.compile("^Baseline"))
    baseline.fill("Reads 70 words per minute.")
    assert SectionLock.objects.get(section=goal).holder == second
    section_box(other, goal).get_by_role("button", name=re.compile("^Save and check in Goal 1")).click()
    expect(section_box(other, goal)).to_contain_text("Reads 70 words per minute.")
    expect(other.locator("#status-region")).to_contain_text("saved and checked in")

    learn.fill("To read chapter books on my own.")
    section_box(page, vision).get_by_role("button", name="Save and check in Vision").click()
    expect(section_box(page, vision)).to_contain_text("To read chapter books on my own.")
    expect(page.locator("#status-region")).to_contain_text("Vision saved and checked in.")
    assert SectionLock.objects.get(section=vision).holder is None
    assert_accessible(page, "the IEP page after the Vision save swap")

    section_box(page, vision).get_by_role("link", name="History of Vision").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vision")
    saved = Section.objects.get(pk=vision.pk)
    expect(page.get_by_role("main")).to_contain_text("To read chapter books on my own.")
    expect(page.get_by_role("main")).to_contain_text(f"Version {saved.version}")
    assert_accessible(page, "the Vision history page")


def test_form_errors_are_announced_and_linked_to_their_fields(new_page, personas, world):
    goal = world["goals"][0]
    page = new_page()
    log_in(page, personas["team_sped"], next_url=f"/ieps/sections/{goal.pk}/edit/")  # the edit page on its own
    assert_accessible(page, "a goal's edit page")
    field = page.get_by_label("Goal area")
    field.fill("")
    page.get_by_role("button", name=re.compile("^Save and check in Goal 1")).click()
    summary = page.get_by_role("alert").filter(has_text="Please correct")
    expect(summary).to_be_visible()
    link = summary.get_by_role("link", name=re.compile("^Goal area: This field is required"))
    field = page.get_by_label("Goal area")
    assert field.get_attribute("aria-invalid") == "true"
    described = field.get_attribute("aria-describedby").split()
    assert f"{field.get_attribute('id')}_error" in described
    expect(page.locator(f"#{field.get_attribute('id')}_error")).to_contain_text("This field is required")
    assert_accessible(page, "a goal's edit page with an error")
    link.click()
    expect(field).to_be_focused()
    assert SectionLock.objects.get(section=goal).holder == personas["team_sped"]  # still checked out: not saved


def test_chair_prints_the_meeting_summary_and_the_grid_reads_back_from_the_pdf(new_page, personas, world):
    iep, grid = world["iep"], world["grid"]
    page = new_page(accept_downloads=True)
    log_in(page, personas["team_chair"], next_url=f"/ieps/{iep.pk}/")
    page.get_by_role("button", name="Print meeting summary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Printed document")
    download_link = page.get_by_role("link", name="Download Meeting summary (PDF)")
    expect(download_link).to_be_visible(timeout=60_000)  # the status fragment polls every 2 s while pending
    assert_accessible(page, "the printed document status page")
    with page.expect_download() as started:
        download_link.click()
    pdf = started.value
    assert pdf.suggested_filename == f"{iep.student.last_name}-meeting-summary-{iep.meeting_date:%Y-%m-%d}.pdf"
    text = " ".join(pages_text(open(pdf.path(), "rb").read()))
    assert "Team meeting summary" in text
    for line in grid.content["lines"]:
        assert line["service_type"] in text and line["provided_by"] in text


def test_district_admin_dashboard_drill_down_and_export(new_page, personas, world):
    """From the district dashboard's overdue count down to the list behind it, and its CSV export."""
    import csv
    import io

    student = world["student"]
    page = new_page(accept_downloads=True)
    log_in(page, personas["district_admin"], next_url=f"/dashboard/districts/{student.district_id}/")
    assert_accessible(page, "the district dashboard")
    page.get_by_role("link", name="overdue: list them").first.click()
    rows = page.get_by_role("row").filter(has_text=student.last_name)
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Access to the student record")
    assert_accessible(page, "the drill-down list")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download all").click()
    exported = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert len(exported) == 2, exported  # the header and the one overdue deadline on screen
    assert any(student.last_name in cell for cell in exported[1])


@pytest.mark.parametrize("outsider", ["other_school_admin", "other_district_admin", "other_district_teacher",
                                      "same_school_teacher"])
def test_outsiders_get_not_found_on_every_page(new_page, personas, world, outsider):
    iep, vision = world["iep"], world["vision"]
    student = world["student"]
    page = new_page()
    log_in(page, personas[outsider], next_url="/students/")
    expect(page.get_by_role("main")).not_to_contain_text(student.last_name)
    for path in (f"/students/{student.pk}/", f"/ieps/student/{student.pk}/", f"/ieps/{iep.pk}/",
                 f"/ieps/sections/{vision.pk}/edit/", f"/ieps/sections/{vision.pk}/history/",
                 f"/students/{student.pk}/timeline/"):
        response = page.goto(path)
        assert response.status == 404, f"{outsider} got {response.status} on {path}"
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_accessible(page, "the not-found page")
    assert not SectionLock.objects.filter(section=vision, holder__isnull=False).exists()


def test_keyboard_only_check_out_edit_and_check_in(new_page, personas, world):
    iep, vision = world["iep"], world["vision"]
    page = new_page()
    page.goto(f"/accounts/login/?next=/ieps/{iep.pk}/")
    tab_to(page, lambda f: f["name"] == "username")
    page.keyboard.type(personas["team_sped"].username)
    tab_to(page, lambda f: f["name"] == "password")
    page.keyboard.type("correct horse battery staple")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("IEP of")

    tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "Edit Vision")
    page.keyboard.press("Enter")
    expect(section_box(page, vision).get_by_label("This year, I want to learn:")).to_be_visible()
    assert SectionLock.objects.get(section=vision).holder == personas["team_sped"]
    tab_to(page, lambda f: f["name"] == "learn_this_year")
    page.keyboard.type("To write a letter.")
    tab_to(page, lambda f: f["tag"] == "button" and f["text"].startswith("Save and check in Vision"))
    tab_to(page, lambda f: f["name"] == "learn_this_year", backwards=True)  # Shift+Tab back: still there
    tab_to(page, lambda f: f["tag"] == "button" and f["text"].startswith("Save and check in Vision"))
    page.keyboard.press("Enter")
    expect(page.locator("#status-region")).to_contain_text("Vision saved and checked in.")
    # htmx moves focus to the saved section's heading when it settles (after the swap): wait for it.
    expect(page.locator(f"#section-{vision.pk}-heading")).to_be_focused()
    assert focused(page)["tag"] != "body", "focus was lost after the save swap"
    assert SectionLock.objects.get(section=vision).holder is None
    assert Section.objects.get(pk=vision.pk).content["learn_this_year"] == "To write a letter."
