"""Reads for reports may go to a read replica; everything else stays on the primary.

With `DATABASE_REPLICA_URL` set, settings add a `replica` database alias (a streaming replica of the primary).
Dashboards and exports read through `reporting_db()`, which names it: their aggregates over every deadline of a
district are the heaviest reads of the application, and a replica takes them off the primary that every save
needs. A replica lags its primary by a moment, so nothing that a user has just saved and must see again (a
section, a lock, a deadline list right after a recompute in the same request) reads from it; dashboards are
counts that the nightly recompute moves anyway. Without the setting, `reporting_db()` is the primary.
See docs/scaling.md ("A read replica for reports").
"""

from django.conf import settings

PRIMARY = "default"
REPLICA = "replica"


def reporting_db() -> str:
    """The alias dashboards and exports read from: the replica when one is configured, else the primary."""
    return REPLICA if REPLICA in settings.DATABASES else PRIMARY


class PrimaryReplicaRouter:
    """Writes and migrations only ever on the primary; reads where the query says (`.using(reporting_db())`),
    otherwise on the primary, and rows read from the replica follow their related rows there (Django's default)."""

    def db_for_read(self, model, **hints):
        return None  # the caller's `.using()`, or the instance's own database for related rows, or the primary

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY
