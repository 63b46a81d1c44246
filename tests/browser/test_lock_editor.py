"""The section editor's script in a real browser (static/js/locks.js): autosave, the warning before the hold
runs out and its renewal, the refusal once the hold is lost, and the warning before leaving unsaved work.

Playwright's clock moves the page's time forward, so half an hour of editing takes a second of test."""

import pytest

from iep.models import SectionDraft, SectionLock
from iep.services.locks import section_break_lock
from tests.browser.conftest import assert_accessible, log_in
from tests.browser.helpers import build_world

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips these tests with the reason (and fails them in CI)
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(personas):
    return build_world(personas)


def _open_editor(new_page, personas, vision):
    page = new_page()
    page.clock.install()
    log_in(page, personas["team_sped"], next_url=f"/ieps/sections/{vision.pk}/edit/")
    field = page.get_by_label("This year, I want to learn:")
    expect(field).to_be_visible()
    return page, field


def test_autosave_then_the_warning_before_the_hold_runs_out_and_its_renewal(new_page, personas, world):
    vision = world["vision"]
    page, field = _open_editor(new_page, personas, vision)
    field.fill("To read chapter books.")
    page.clock.run_for(35_000)  # past the 30-second autosave
    expect(page.locator(f"#autosave-state-{vision.pk}")).to_contain_text("Draft saved")
    draft = SectionDraft.objects.get(section=vision, user=personas["team_sped"])
    assert draft.content["learn_this_year"] == "To read chapter books."

    before = SectionLock.objects.get(section=vision).expires_at
    page.clock.run_for(26 * 60_000)  # less than five minutes of the 30-minute hold left
    warning = page.locator(f"#lock-warning-{vision.pk}")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("runs out")
    expect(page.locator("#status-region")).to_contain_text("runs out")
    assert_accessible(page, "the editor with the lease warning")
    page.locator(f"#lock-renew-{vision.pk}").click()
    expect(page.locator(f"#autosave-state-{vision.pk}")).to_contain_text("renewed")
    expect(warning).to_be_hidden()
    assert SectionLock.objects.get(section=vision).expires_at > before


def test_a_broken_lock_shows_at_the_next_autosave_and_the_text_stays(new_page, personas, world):
    vision = world["vision"]
    page, field = _open_editor(new_page, personas, vision)
    section_break_lock(section=vision, user=personas["team_chair"], reason="Parent meeting moved up")
    field.fill("My text, kept.")
    page.clock.run_for(35_000)
    lost = page.locator(f"#lock-lost-{vision.pk}")
    expect(lost).to_be_visible()
    expect(field).to_have_value("My text, kept.")
    draft = SectionDraft.objects.get(section=vision, user=personas["team_sped"])
    assert draft.content["learn_this_year"] == "My text, kept."


def test_leaving_with_unsaved_work_asks_first(new_page, personas, world):
    page, field = _open_editor(new_page, personas, world["vision"])
    field.fill("Not saved yet.")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)  # dismissing the dialog keeps the page open
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"] and not page.is_closed()
