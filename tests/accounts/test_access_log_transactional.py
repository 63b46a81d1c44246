"""Transactional tests end with a flush; on SQLite that flush must get past the append-only trigger, and the
purge flag it opens must be closed again for the next test. (pytest-django runs these after the others.)"""

import pytest
from django.db import DatabaseError, transaction

from accounts.models import AccessLogEntry
from accounts.services import access_log_record

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_transactional_test_that_leaves_log_entries_can_be_flushed(personas):
    access_log_record(user=personas["team_teacher"], student=personas["student"], part="record")


def test_after_a_flush_the_log_is_append_only_again(personas):
    assert not AccessLogEntry.objects.exists()
    access_log_record(user=personas["team_teacher"], student=personas["student"], part="record")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogEntry.objects.all().delete()
