"""The last active district administrator of a district cannot be deactivated: not through the service, the
manage page or the API, and not while another administrator's role is being removed at the same moment."""

import threading
import time

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client

from accounts.models import Role, RoleAssignment
from accounts.services import role_assignment_add, role_assignment_remove, user_deactivate
from tests.factories import UserFactory


@pytest.mark.django_db
def test_the_service_refuses_to_deactivate_the_last_active_district_administrator(personas):
    only = personas["district_admin"]
    with pytest.raises(ValidationError) as refused:
        user_deactivate(user=only)
    assert "last active district administrator" in refused.value.message_dict["is_active"][0]
    only.refresh_from_db()
    assert only.is_active
    other = UserFactory(district=personas["district"])
    role_assignment_add(user=other, role=Role.DISTRICT_ADMIN, district=personas["district"])
    user_deactivate(user=other)  # another administrator remains: allowed
    other.refresh_from_db()
    assert not other.is_active
    user_deactivate(user=personas["team_teacher"])  # not an administrator: allowed


def _wait_until_a_query_waits_for_a_lock(seconds=20):
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                           "AND datname = current_database()")
            if cursor.fetchone():
                return
            time.sleep(0.05)
    # Without the lock (or a door that does not take it) nothing waits: let the race run to its end.


def _race(personas, door):
    """Administrator `first` is removing `second`'s administrator role in an open transaction when `second` asks a
    door to deactivate `first`: the door must wait for the district lock, then see it would leave no
    administrator, and refuse."""
    first = personas["district_admin"]
    second = UserFactory(district=personas["district"])
    role_assignment_add(user=second, role=Role.DISTRICT_ADMIN, district=personas["district"])
    client = Client()
    client.force_login(second)  # before the race: signing in records an event that references the district row
    started, release, answer = threading.Event(), threading.Event(), {}

    def hold():
        try:
            with transaction.atomic():
                role_assignment_remove(assignment=RoleAssignment.objects.get(user=second, role=Role.DISTRICT_ADMIN),
                                       by=first)  # not yet committed
                started.set()
                release.wait(10)
        finally:
            connection.close()

    def ask():
        try:
            answer["response"] = door(client, first)  # second deactivates first meanwhile
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert started.wait(10)
    asker = threading.Thread(target=ask)
    asker.start()
    _wait_until_a_query_waits_for_a_lock()  # the door is blocked on the district lock
    release.set()
    holder.join(10)
    asker.join(10)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_active  # the district keeps an administrator
    assert RoleAssignment.objects.filter(user=first, role=Role.DISTRICT_ADMIN).exists()
    assert not RoleAssignment.objects.filter(user=second, role=Role.DISTRICT_ADMIN).exists()
    return answer["response"]


@pytest.mark.django_db(transaction=True)
def test_the_manage_page_refuses_with_a_message_when_the_other_admins_role_goes_at_once(require_postgres, personas):

    def door(client, target):
        return client.post(f"/manage/users/{target.pk}/deactivate/")

    response = _race(personas, door)
    assert response.status_code == 302
    shown = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("last active district administrator" in message for message in shown), shown


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_400_with_a_field_error_when_the_other_admins_role_goes_at_once(require_postgres, personas):

    def door(client, target):
        return client.post(f"/api/manage/users/{target.pk}/deactivate/")

    response = _race(personas, door)
    assert response.status_code == 400
    assert "last active district administrator" in response.json()["is_active"][0]
