"""Section locks in the browser (issue 5): lock state on the IEP page, breaking a lock, notices, autosave."""

import datetime
import re

import pytest
from django.utils import timezone

from iep.models import LockNotice, SectionDraft, SectionLock, SectionLockEvent
from iep.services.locks import section_check_out
from tests.iep.conftest import held, section_of

pytestmark = pytest.mark.django_db


def page_of(client, user, url):
    client.force_login(user)
    return client.get(url).content.decode()


def card(page: str, section) -> str:
    """The HTML of one section's card on the IEP page."""
    start = page.index(f'id="section-{section.pk}"')
    return page[start:page.index("</section>", start)]


def name(user) -> str:
    return user.get_full_name() or user.username


def test_others_see_who_holds_a_section_since_when_and_a_disabled_edit_button(client, personas, iep):
    vision = held(section_of(iep, "vision"), personas["team_sped"])
    lock = SectionLock.objects.get(section=vision)
    html = card(page_of(client, personas["team_teacher"], f"/ieps/{iep.pk}/"), vision)
    since = timezone.localtime(lock.acquired_at).strftime("%H:%M")
    assert f"Checked out by {name(personas['team_sped'])} since {since}" in html
    assert re.search(r"<button[^>]*disabled[^>]*>Edit", html)
    assert f"/ieps/sections/{vision.pk}/edit/" not in html
    assert "Break the lock" not in html  # a teacher may not break it
    free = card(page_of(client, personas["team_teacher"], f"/ieps/{iep.pk}/"), section_of(iep, "concerns"))
    assert "Checked out" not in free and "disabled" not in free


def test_the_holder_sees_their_own_hold_with_a_link_back_to_the_editor(client, personas, iep):
    vision = held(section_of(iep, "vision"), personas["team_teacher"])
    html = card(page_of(client, personas["team_teacher"], f"/ieps/{iep.pk}/"), vision)
    assert "You have this section checked out" in html
    assert f'href="/ieps/sections/{vision.pk}/edit/"' in html
    assert "disabled" not in html and "Break the lock" not in html


def test_a_lapsed_lease_is_shown_as_free(client, personas, iep):
    vision = section_of(iep, "vision")
    section_check_out(section=vision, user=personas["team_sped"],
                      now=timezone.now() - datetime.timedelta(hours=2))
    html = card(page_of(client, personas["team_teacher"], f"/ieps/{iep.pk}/"), vision)
    assert "Checked out" not in html and "disabled" not in html


def test_the_iep_page_reads_all_locks_in_one_query(client, personas, iep, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(personas["team_chair"])
    url = f"/ieps/{iep.pk}/"
    client.get(url)
    held(section_of(iep, "vision"), personas["team_sped"])
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for kind in ("concerns", "profile", "placement"):
        held(section_of(iep, kind), personas["team_teacher"])
    with CaptureQueriesContext(connection) as four:
        client.get(url)
    assert len(four) == len(one)
    assert sum("iep_sectionlock" in q["sql"] for q in four.captured_queries) == 1


@pytest.mark.parametrize("who", ["team_chair", "building_admin", "district_admin"])
def test_chair_and_administrators_see_the_break_form(client, personas, iep, who):
    vision = held(section_of(iep, "vision"), personas["team_sped"])
    html = card(page_of(client, personas[who], f"/ieps/{iep.pk}/"), vision)
    assert f'action="/ieps/sections/{vision.pk}/break-lock/"' in html
    assert f'<label class="usa-label" for="break-reason-{vision.pk}">' in html


def test_breaking_needs_a_reason_and_keeps_the_lock_without_one(client, personas, iep):
    vision = held(section_of(iep, "vision"), personas["team_sped"])
    client.force_login(personas["team_chair"])
    response = client.post(f"/ieps/sections/{vision.pk}/break-lock/", {"reason": "  "})
    assert response.status_code == 200
    assert "Say why you are breaking the lock." in response.content.decode()
    assert SectionLock.objects.get(section=vision).holder == personas["team_sped"]


def test_breaking_a_lock_frees_the_section_keeps_the_draft_and_tells_the_holder_once(client, personas, iep):
    sped = personas["team_sped"]
    vision = section_of(iep, "vision")
    lock = section_check_out(section=vision, user=sped)
    from iep.services.locks import section_save_draft

    section_save_draft(section=vision, user=sped, content={"learn_this_year": "My unsaved words"}, base_version=0,
                       generation=lock.generation)
    client.force_login(personas["team_chair"])
    response = client.post(f"/ieps/sections/{vision.pk}/break-lock/", {"reason": "Meeting starts now"}, follow=True)
    assert "The lock on Vision" in response.content.decode() or "was broken" in response.content.decode()
    assert SectionLock.objects.get(section=vision).holder is None
    assert SectionDraft.objects.get(section=vision, user=sped).content == {"learn_this_year": "My unsaved words"}
    event = SectionLockEvent.objects.filter(section=vision, kind=SectionLockEvent.Kind.BROKEN).get()
    assert event.user == personas["team_chair"] and event.reason == "Meeting starts now"
    first = page_of(client, sped, f"/ieps/{iep.pk}/")
    assert "broke your lock" in first and "Meeting starts now" in first
    assert "broke your lock" not in page_of(client, sped, f"/ieps/{iep.pk}/")
    assert LockNotice.objects.filter(user=sped, seen_at__isnull=True).count() == 0


def test_breaking_a_free_section_says_so(client, personas, iep):
    vision = section_of(iep, "vision")
    client.force_login(personas["team_chair"])
    page = client.post(f"/ieps/sections/{vision.pk}/break-lock/", {"reason": "x"}, follow=True).content.decode()
    assert "is not checked out by anyone" in page


@pytest.mark.parametrize(("who", "status"), [("team_teacher", 403), ("same_school_teacher", 404)])
def test_others_may_not_break(client, personas, iep, who, status):
    vision = held(section_of(iep, "vision"), personas["team_sped"])
    client.force_login(personas[who])
    assert client.post(f"/ieps/sections/{vision.pk}/break-lock/", {"reason": "mine"}).status_code == status
    assert SectionLock.objects.get(section=vision).holder == personas["team_sped"]


def test_a_takeover_notice_is_shown_on_the_next_page_not_to_the_api(client, personas, iep):
    sped, teacher = personas["team_sped"], personas["team_teacher"]
    vision = section_of(iep, "vision")
    section_check_out(section=vision, user=sped, now=timezone.now() - datetime.timedelta(hours=2))
    section_check_out(section=vision, user=teacher)
    client.force_login(sped)
    assert client.get("/api/ping/").status_code == 200
    assert "ran out" in client.get(f"/ieps/{iep.pk}/").content.decode()
    assert "ran out" not in client.get(f"/ieps/{iep.pk}/").content.decode()


def test_the_editor_carries_the_script_and_its_data(client, personas, iep):
    vision = section_of(iep, "vision")
    page = page_of(client, personas["team_teacher"], f"/ieps/sections/{vision.pk}/edit/")
    lock = SectionLock.objects.get(section=vision)
    assert re.search(r'<script src="[^"]*js/locks\.js" defer></script>', page)
    assert f'data-section-id="{vision.pk}"' in page and f'data-generation="{lock.generation}"' in page
    expires = re.search(r'data-lease-expires="([^"]+)"', page).group(1)
    assert datetime.datetime.fromisoformat(expires) == lock.expires_at
    assert f'data-autosave-url="/ieps/sections/{vision.pk}/autosave/"' in page
    assert f'data-heartbeat-url="/api/sections/{vision.pk}/heartbeat/"' in page
    assert f'id="lock-warning-{vision.pk}"' in page and f'id="lock-renew-{vision.pk}"' in page


def test_a_shown_again_form_keeps_the_lease_end(client, personas, iep):
    participation = section_of(iep, "participation")
    client.force_login(personas["team_teacher"])
    client.get(f"/ieps/sections/{participation.pk}/edit/")
    lock = SectionLock.objects.get(section=participation)
    page = client.post(f"/ieps/sections/{participation.pk}/edit/",
                       {"version": 0, "generation": lock.generation, "needs_met_in_general_education": "no"})
    assert 'data-lease-expires="20' in page.content.decode()


def autosave(client, section, generation, **fields):
    return client.post(f"/ieps/sections/{section.pk}/autosave/", {"version": 0, "generation": generation, **fields})


def test_autosave_keeps_the_draft_and_renews_the_lease(client, personas, iep):
    teacher = personas["team_teacher"]
    vision = section_of(iep, "vision")
    lock = section_check_out(section=vision, user=teacher, now=timezone.now() - datetime.timedelta(minutes=20))
    client.force_login(teacher)
    response = autosave(client, vision, lock.generation, learn_this_year="Typed so far")
    assert response.status_code == 200
    body = response.json()
    assert datetime.datetime.fromisoformat(body["expires_at"]) > lock.expires_at
    assert SectionDraft.objects.get(section=vision, user=teacher).content["learn_this_year"] == "Typed so far"
    vision.refresh_from_db()
    assert vision.version == 0  # a draft is not a version


def test_autosave_keeps_text_of_a_form_that_does_not_validate_yet(client, personas, iep):
    teacher = personas["team_teacher"]
    participation = section_of(iep, "participation")
    lock = section_check_out(section=participation, user=teacher)
    client.force_login(teacher)
    response = autosave(client, participation, lock.generation, needs_met_in_general_education="no")
    assert response.status_code == 200
    draft = SectionDraft.objects.get(section=participation, user=teacher)
    assert draft.content["needs_met_in_general_education"] == "no"
    page = client.get(f"/ieps/sections/{participation.pk}/edit/").content.decode()
    assert "Your unsaved draft of this section was restored." in page


def test_autosave_after_a_takeover_is_refused_visibly_and_keeps_the_text(client, personas, iep):
    teacher, sped = personas["team_teacher"], personas["team_sped"]
    vision = section_of(iep, "vision")
    old = section_check_out(section=vision, user=teacher, now=timezone.now() - datetime.timedelta(hours=2))
    section_check_out(section=vision, user=sped)
    client.force_login(teacher)
    response = autosave(client, vision, old.generation, learn_this_year="Words I must not lose")
    assert response.status_code == 409
    detail = response.json()["detail"]
    since = timezone.localtime(SectionLock.objects.get(section=vision).acquired_at).strftime("%H:%M")
    assert f"checked out by {name(sped)} since {since}" in detail and "copy it before leaving" in detail
    assert SectionDraft.objects.get(section=vision, user=teacher).content["learn_this_year"] == "Words I must not lose"
    vision.refresh_from_db()
    assert vision.version == 0


def test_autosave_without_the_form_tokens_is_a_400(client, personas, iep):
    client.force_login(personas["team_teacher"])
    response = client.post(f"/ieps/sections/{section_of(iep, 'vision').pk}/autosave/", {"learn_this_year": "x"})
    assert response.status_code == 400 and "out of date" in response.json()["detail"]


@pytest.mark.parametrize(("who", "status"), [("building_admin", 403), ("same_school_teacher", 404)])
def test_autosave_is_for_team_members_only(client, personas, iep, who, status):
    client.force_login(personas[who])
    assert autosave(client, section_of(iep, "vision"), 1, learn_this_year="x").status_code == status
