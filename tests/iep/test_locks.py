"""Check-out / check-in (issue 5): services, races on PostgreSQL, the API by persona, and a randomized run."""

import datetime
import os
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from itertools import count

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from iep.exceptions import InvalidContent, NotLocked, SectionLocked, SectionNotHeld, StaleVersion
from iep.models import LockNotice, Section, SectionDraft, SectionLock, SectionLockEvent
from iep.services.locks import (
    lock_notices_take,
    section_break_lock,
    section_check_in,
    section_check_out,
    section_discard,
    section_heartbeat,
    section_save_draft,
)
from iep.services.sections import section_update
from tests.factories import UserFactory
from tests.iep.conftest import section_of

LEASE = settings.IEP_LOCK_LEASE
T0 = timezone.make_aware(datetime.datetime(2026, 9, 14, 9, 0))


def vision(text: str) -> dict:
    return {"learn_this_year": text}


# -- services ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_second_editor_is_refused_while_the_lease_is_live(iep, personas):
    section, alice, bob = section_of(iep, "vision"), personas["team_teacher"], personas["team_sped"]
    lock = section_check_out(section=section, user=alice, now=T0)
    assert lock.holder == alice and lock.generation == 1 and lock.expires_at == T0 + LEASE
    with pytest.raises(SectionLocked) as refused:
        section_check_out(section=section, user=bob, now=T0 + LEASE - datetime.timedelta(seconds=1))
    assert refused.value.lock.holder == alice and "checked out by" in str(refused.value)


@pytest.mark.django_db
def test_writing_without_the_lease_is_refused_and_writes_nothing(iep, personas):
    section = section_of(iep, "vision")
    with pytest.raises(SectionNotHeld):
        section_update(section=section, user=personas["team_teacher"], content=vision("x"), expected_version=0)
    section_check_out(section=section, user=personas["team_sped"])
    with pytest.raises(SectionNotHeld):
        section_update(section=section, user=personas["team_teacher"], content=vision("x"), expected_version=0)
    section.refresh_from_db()
    assert section.version == 0 and section.content == {}


@pytest.mark.django_db
def test_check_in_saves_a_version_with_the_user_releases_and_deletes_the_draft(iep, personas):
    section, alice = section_of(iep, "vision"), personas["team_teacher"]
    lock = section_check_out(section=section, user=alice, now=T0)
    section_save_draft(section=section, user=alice, content=vision("draft"), base_version=0,
                       generation=lock.generation, now=T0 + datetime.timedelta(minutes=20))
    lock.refresh_from_db()
    assert lock.expires_at == T0 + datetime.timedelta(minutes=20) + LEASE  # autosave renews
    saved = section_check_in(section=section, user=alice, content=vision("final"), base_version=0,
                             generation=lock.generation, now=T0 + datetime.timedelta(minutes=21))
    assert saved.version == 1 and saved.history.first().history_user == alice
    assert not SectionDraft.objects.filter(section=section).exists()
    assert SectionLock.objects.get(section=section).holder is None
    assert list(SectionLockEvent.objects.filter(section=section).values_list("kind", flat=True)) == [
        "checked_out", "checked_in"]


@pytest.mark.django_db
def test_expired_lease_is_taken_over_and_the_first_editors_save_is_refused_with_their_text_back(iep, personas):
    section, alice, bob = section_of(iep, "vision"), personas["team_teacher"], personas["team_sped"]
    first = section_check_out(section=section, user=alice, now=T0)
    section_save_draft(section=section, user=alice, content=vision("alice v1"), base_version=0,
                       generation=first.generation, now=T0 + datetime.timedelta(minutes=5))
    later = T0 + datetime.timedelta(minutes=5) + LEASE + datetime.timedelta(seconds=1)
    second = section_check_out(section=section, user=bob, now=later)
    assert second.holder == bob and second.generation == first.generation + 1
    with pytest.raises(SectionNotHeld) as refused:
        section_save_draft(section=section, user=alice, content=vision("alice v2"), base_version=0,
                           generation=first.generation, now=later)
    assert refused.value.draft.content == vision("alice v2") and refused.value.lock.holder == bob
    with pytest.raises(SectionNotHeld):
        section_check_in(section=section, user=alice, content=vision("alice v3"), base_version=0,
                         generation=first.generation, now=later)
    with pytest.raises(SectionNotHeld):
        section_heartbeat(section=section, user=alice, generation=first.generation, now=later)
    section.refresh_from_db()
    assert section.version == 0
    assert SectionDraft.objects.get(section=section, user=alice).content == vision("alice v3")  # kept
    event = SectionLockEvent.objects.get(section=section, kind="taken_over")
    assert event.user == bob and event.previous_holder == alice
    assert [n.message for n in lock_notices_take(user=alice)][0].startswith("Your lease on Vision")
    assert lock_notices_take(user=alice) == []  # shown once


@pytest.mark.django_db
def test_a_lapsed_lease_nobody_took_is_renewed_by_its_holder(iep, personas):
    section, alice = section_of(iep, "vision"), personas["team_teacher"]
    lock = section_check_out(section=section, user=alice, now=T0)
    late = T0 + LEASE + datetime.timedelta(hours=2)
    renewed = section_heartbeat(section=section, user=alice, generation=lock.generation, now=late)
    assert renewed.expires_at == late + LEASE and renewed.generation == lock.generation
    assert section_check_in(section=section, user=alice, content=vision("ok"), base_version=0,
                            generation=lock.generation, now=late + LEASE + datetime.timedelta(minutes=1)).version == 1


@pytest.mark.django_db
def test_stale_version_is_refused_at_check_in_and_the_text_kept(iep, personas):
    section, alice = section_of(iep, "vision"), personas["team_teacher"]
    lock = section_check_out(section=section, user=alice)
    section_update(section=section, user=alice, content=vision("one"), expected_version=0)
    with pytest.raises(StaleVersion) as refused:
        section_check_in(section=section, user=alice, content=vision("two"), base_version=0,
                         generation=lock.generation)
    assert refused.value.draft.content == vision("two")
    section.refresh_from_db()
    assert section.version == 1 and SectionLock.objects.get(section=section).holder == alice


@pytest.mark.django_db
def test_break_needs_a_reason_keeps_the_draft_records_who_and_why_and_tells_the_holder(iep, personas):
    section, alice, chair = section_of(iep, "vision"), personas["team_teacher"], personas["team_chair"]
    lock = section_check_out(section=section, user=alice)
    section_save_draft(section=section, user=alice, content=vision("mine"), base_version=0,
                       generation=lock.generation)
    with pytest.raises(InvalidContent):
        section_break_lock(section=section, user=chair, reason="  ")
    section_break_lock(section=section, user=chair, reason="Alice is out sick")
    with pytest.raises(NotLocked):
        section_break_lock(section=section, user=chair, reason="again")
    event = SectionLockEvent.objects.get(section=section, kind="broken")
    assert (event.user, event.previous_holder, event.reason) == (chair, alice, "Alice is out sick")
    assert SectionDraft.objects.get(section=section, user=alice).content == vision("mine")
    assert "Alice is out sick" in LockNotice.objects.get(user=alice).message
    with pytest.raises(SectionNotHeld):
        section_check_in(section=section, user=alice, content=vision("mine"), base_version=0,
                         generation=lock.generation)


@pytest.mark.django_db
def test_discard_releases_and_deletes_only_the_users_draft(iep, personas):
    section, alice = section_of(iep, "vision"), personas["team_teacher"]
    lock = section_check_out(section=section, user=alice)
    section_save_draft(section=section, user=alice, content=vision("x"), base_version=0, generation=lock.generation)
    assert section_discard(section=section, user=alice, generation=lock.generation) is True
    assert not SectionDraft.objects.exists() and SectionLock.objects.get(section=section).holder is None


# -- races on PostgreSQL --------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_exactly_one_of_twenty_racers_wins_every_time(require_postgres, iep):
    users = UserFactory.create_batch(20)
    for _round in range(5):
        section = Section.objects.create(iep=iep, kind="goal", order=10, position=100 + _round)
        start = threading.Barrier(len(users))

        def race(user, section=section, start=start):
            start.wait()
            try:
                section_check_out(section=section, user=user)
                return True
            except SectionLocked:
                return False
            finally:
                connection.close()

        with ThreadPoolExecutor(len(users)) as pool:
            assert list(pool.map(race, users)).count(True) == 1
        assert SectionLock.objects.get(section=section).generation == 1


class Clock:
    """A shared fake clock; `expire` jumps it past the lease (an injected pause longer than the lease)."""

    def __init__(self):
        self.now, self.mutex = T0, threading.Lock()

    def read(self):
        with self.mutex:
            return self.now

    def jump(self, delta):
        with self.mutex:
            self.now += delta


@pytest.mark.django_db(transaction=True)
def test_randomized_run_keeps_the_invariants(require_postgres, iep):
    """LOCK_FUZZ_OPS operations (default 2,000) from 20 client threads on 3 sections."""
    ops_total, clients = int(os.environ.get("LOCK_FUZZ_OPS", "2000")), 20
    sections = [Section.objects.create(iep=iep, kind="goal", order=10, position=200 + i) for i in range(3)]
    for section in sections:  # goals validate their content: start from a valid one
        section.content = {"area": "Reading", "baseline": "b", "target": "t"}
        section.save()
    users = UserFactory.create_batch(clients)
    clock, seq, log, log_mutex = Clock(), count(), [], threading.Lock()
    remaining = iter(range(ops_total))
    remaining_mutex = threading.Lock()

    def record(**entry):
        with log_mutex:
            log.append(entry)

    def client(index):
        rng, user = random.Random(index), users[index]
        held: dict[int, int] = {}  # section pk -> generation I believe I hold
        pending: dict[int, dict] = {}  # section pk -> my latest text not checked in / discarded
        try:
            while True:
                with remaining_mutex:
                    if next(remaining, None) is None:
                        return pending
                section = rng.choice(sections)
                op = rng.choices(["check_out", "heartbeat", "save", "check_in", "discard", "break", "expire"],
                                 [30, 10, 25, 20, 5, 3, 2])[0]
                now, start = clock.read(), next(seq)
                generation = held.get(section.pk, rng.randint(0, 3))
                text = {"area": f"c{index}-{start}", "baseline": "b", "target": "t"}
                ok, result = True, None
                try:
                    if op == "check_out":
                        result = section_check_out(section=section, user=user, now=now).generation
                        held[section.pk] = result
                    elif op == "heartbeat":
                        section_heartbeat(section=section, user=user, generation=generation, now=now)
                    elif op == "save":
                        pending[section.pk] = text
                        section_save_draft(section=section, user=user, content=text, base_version=0,
                                           generation=generation, now=now)
                    elif op == "check_in":
                        current = Section.objects.values_list("version", flat=True).get(pk=section.pk)
                        pending[section.pk] = text
                        result = section_check_in(section=section, user=user, content=text, base_version=current,
                                                  generation=generation, now=now).version
                        pending.pop(section.pk)
                        held.pop(section.pk, None)
                    elif op == "discard":
                        section_discard(section=section, user=user, generation=held.pop(section.pk, None), now=now)
                        pending.pop(section.pk, None)
                    elif op == "break":
                        result = section_break_lock(section=section, user=user, reason="fuzz", now=now).generation
                    else:
                        clock.jump(LEASE + datetime.timedelta(minutes=1))
                except (SectionLocked, SectionNotHeld, StaleVersion, NotLocked):
                    ok = False
                    if op in ("heartbeat", "save", "check_in"):
                        held.pop(section.pk, None)
                record(op=op, client=index, section=section.pk, generation=generation if op in (
                    "heartbeat", "save", "check_in") else result, ok=ok, start=start, end=next(seq), text=text,
                    version=result if op == "check_in" else None)
        finally:
            connection.close()

    with ThreadPoolExecutor(clients) as pool:
        pendings = list(pool.map(client, range(clients)))

    by_section = {s.pk: [e for e in log if e["section"] == s.pk] for s in sections}
    for pk, entries in by_section.items():
        checkouts = [e for e in entries if e["op"] == "check_out" and e["ok"]]
        # one holder per generation: every successful check-out got a distinct generation
        assert len({e["generation"] for e in checkouts}) == len(checkouts)
        assert SectionLock.objects.get(section_id=pk).generation == len(checkouts)
        owner = {e["generation"]: e["client"] for e in checkouts}
        breaks = [e for e in entries if e["op"] == "break" and e["ok"]]
        for write in (e for e in entries if e["op"] in ("heartbeat", "save", "check_in") and e["ok"]):
            # fencing: accepted only with a generation this client was given, and never after a newer
            # check-out (takeover) or a break of that generation had completed
            assert owner.get(write["generation"]) == write["client"]
            assert not any(c["generation"] > write["generation"] and c["end"] < write["start"] for c in checkouts)
            assert not any(b["generation"] == write["generation"] and b["end"] < write["start"] for b in breaks)
        checkins = [e for e in entries if e["op"] == "check_in" and e["ok"]]
        history = {(h.version, h.content.get("area"), h.history_user_id)
                   for h in Section.history.filter(id=pk)}
        for e in checkins:  # every check-in's content is in the section's history, by its user
            assert (e["version"], e["text"]["area"], users[e["client"]].pk) in history
        assert Section.objects.get(pk=pk).version == len(checkins)
    for index, pending in enumerate(pendings):  # no draft lost
        for section_pk, text in pending.items():
            assert SectionDraft.objects.get(section_id=section_pk, user=users[index]).content == text
    refused = [e for e in log if e["op"] in ("save", "check_in") and not e["ok"]]
    tally = {f"{e['op']}_{'ok' if e['ok'] else 'refused'}": 0 for e in log}
    for e in log:
        tally[f"{e['op']}_{'ok' if e['ok'] else 'refused'}"] += 1
    print(f"lock fuzz: {len(log)} operations, {tally}")
    assert len(log) == ops_total
    assert ops_total < 200 or (refused and tally.get("check_in_ok") and tally.get("expire_ok"))


# -- the API, by persona --------------------------------------------------------------------------------------


@pytest.fixture
def api_client():
    return APIClient()


def as_(api_client, personas, who):
    api_client.force_authenticate(personas[who])
    return api_client


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "status"), [("team_teacher", 200), ("team_chair", 200),
                                                 ("same_school_teacher", 404), ("building_admin", 403),
                                                 ("district_admin", 403), ("other_district_admin", 404)])
def test_check_out_through_the_api(api_client, personas, iep, persona, status):
    section = section_of(iep, "vision")
    response = as_(api_client, personas, persona).post(f"/api/sections/{section.pk}/check-out/")
    assert response.status_code == status
    if status == 200:
        assert response.json()["lock"]["holder_id"] == personas[persona].pk


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "status"), [("team_chair", 200), ("building_admin", 200),
                                                 ("district_admin", 200), ("team_teacher", 403),
                                                 ("same_school_teacher", 404), ("other_school_admin", 404)])
def test_break_through_the_api(api_client, personas, iep, persona, status):
    section = section_of(iep, "vision")
    section_check_out(section=section, user=personas["team_sped"])
    url = f"/api/sections/{section.pk}/break/"
    client = as_(api_client, personas, persona)
    if status == 200:
        assert client.post(url, {}, format="json").json() == {"reason": ["This field is required."]}
    response = client.post(url, {"reason": "Needed for the meeting"}, format="json")
    assert response.status_code == status
    assert SectionLock.objects.get(section=section).holder_id == (None if status == 200 else personas["team_sped"].pk)


@pytest.mark.django_db
def test_the_whole_cycle_through_the_api(api_client, personas, iep):
    section = section_of(iep, "vision")
    url = f"/api/sections/{section.pk}/"
    sped = as_(APIClient(), personas, "team_sped")
    teacher = as_(api_client, personas, "team_teacher")
    generation = teacher.post(f"{url}check-out/").json()["lock"]["generation"]
    busy = sped.post(f"{url}check-out/")
    assert busy.status_code == 409 and busy.json()["code"] == "section_locked"
    assert busy.json()["holder"] == personas["team_teacher"].get_full_name()
    assert busy.json()["since"] and busy.json()["expires"]
    assert sped.get(f"{url}lock/").json()["lock"]["holder"] == personas["team_teacher"].get_full_name()
    assert sped.put(url, {"content": vision("sneak"), "version": 0}, format="json").status_code == 409
    beat = teacher.post(f"{url}heartbeat/", {"generation": generation}, format="json", HTTP_X_IEP_HEARTBEAT="1")
    assert beat.status_code == 200
    assert teacher.post(f"{url}draft/", {"content": vision("wip"), "version": 0, "generation": generation},
                        format="json").status_code == 200
    assert teacher.get(f"{url}lock/").json()["draft"]["content"] == vision("wip")
    assert sped.get(f"{url}lock/").json()["draft"] is None  # drafts are private
    stale = teacher.post(f"{url}check-in/", {"content": vision("done"), "version": 5, "generation": generation},
                         format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    done = teacher.post(f"{url}check-in/", {"content": vision("done"), "version": 0, "generation": generation},
                        format="json")
    assert done.status_code == 200 and done.json()["version"] == 1
    assert teacher.get(f"{url}history/").json()[0]["user"] == str(personas["team_teacher"])


@pytest.mark.django_db
def test_a_lapsed_save_through_the_api_returns_the_text_and_what_happened(api_client, personas, iep):
    section = section_of(iep, "vision")
    url = f"/api/sections/{section.pk}/"
    lock = section_check_out(section=section, user=personas["team_teacher"], now=T0)
    section_check_out(section=section, user=personas["team_sped"], now=T0 + LEASE + datetime.timedelta(seconds=1))
    teacher = as_(api_client, personas, "team_teacher")
    refused = teacher.post(f"{url}draft/", {"content": vision("my words"), "version": 0,
                                            "generation": lock.generation}, format="json")
    body = refused.json()
    assert refused.status_code == 409 and body["code"] == "not_held"
    assert body["holder"] == personas["team_sped"].get_full_name()
    assert body["draft"]["content"] == vision("my words") and "kept as your draft" in body["detail"]
    notices = teacher.get(f"{url}lock/").json()["notices"]
    assert len(notices) == 1 and "ran out" in notices[0]["message"]


@pytest.mark.django_db
def test_schema_documents_the_lock_conflicts(client):
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/sections/{id}/check-out/", "/api/sections/{id}/check-in/", "/api/sections/{id}/break/",
                 "/api/sections/{id}/heartbeat/", "/api/sections/{id}/draft/", "/api/sections/{id}/discard/"):
        assert path in schema
    assert "LockConflict" in schema and "'409'" in schema or '"409"' in schema
