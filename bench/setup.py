"""The one set-up every bench runs first: Django on the database in DATABASE_URL, migrated.

A bench prepares its own data there when it is missing (each seeds at the size it needs), so it must also bring
an empty database up to the current schema: `python -m bench.NAME` on a new database works without any other step.
"""

import os
import sys


def django_ready(name: str, *, postgres: bool = True) -> bool:
    """Set Django up and migrate its database; False (with a one-line message) when PostgreSQL is needed but
    DATABASE_URL names another database, so the bench can exit 2."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if postgres and connection.vendor != "postgresql":
        print(f"bench.{name} needs PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
        return False
    call_command("migrate", verbosity=0, interactive=False)
    return True
