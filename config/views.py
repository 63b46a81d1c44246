import logging
import time

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@login_required
@require_GET
def home(request):
    return redirect("students:list")


def _check_database() -> dict:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # report, never raise: this is the health probe
        logger.warning("healthz database_error=%s", type(exc).__name__)
        return {"ok": False, "vendor": connection.vendor, "error": type(exc).__name__}
    return {"ok": True, "vendor": connection.vendor, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _check_redis() -> dict:
    import redis

    started = time.perf_counter()
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except redis.RedisError as exc:
        logger.warning("healthz redis_error=%s", type(exc).__name__)
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _check_jobs(database_ok: bool) -> tuple[dict, dict]:
    """The outbox's open jobs (oldest age) and the last run of each nightly job; unknown while the database is down."""
    if not database_ok:
        return {"ok": None, "error": "database unavailable"}, {}
    from jobs.services import job_runs, outbox_oldest_pending

    try:
        return outbox_oldest_pending(), job_runs()
    except Exception as exc:  # report, never raise: this is the health probe
        logger.warning("healthz jobs_error=%s", type(exc).__name__)
        return {"ok": None, "error": type(exc).__name__}, {}


@never_cache
@require_GET
def healthz(request):
    """200 when every configured dependency answers, 503 otherwise, naming the part that is down. Also the outbox's
    backlog (oldest open job) and each nightly job's last run, so a monitor sees silent trouble; those warn
    (`warnings`) without turning the answer into a 503, since the web app itself still serves. Reveals no data."""
    checks = {"database": _check_database()}
    if settings.REDIS_URL:
        checks["redis"] = _check_redis()
    healthy = all(check["ok"] for check in checks.values())
    outbox, nightly = _check_jobs(checks["database"]["ok"])
    warnings = [f"{name} is down" for name, check in checks.items() if not check["ok"]]
    if outbox.get("ok") is False:
        warnings.append(f"the oldest open job waits for {outbox['oldest_age_seconds']} s")
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks, "outbox": outbox,
                         "nightly_jobs": nightly, "warnings": warnings}, status=200 if healthy else 503)


def not_found(request, exception):
    """404 for the whole site (handler404): under /api/ a JSON body, as the schema documents; else the page."""
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


DATABASE_DOWN = ("The database is unavailable for a moment. Nothing was lost; try again in a minute. "
                 "(/healthz says which part is down.)")


def _database_unavailable(exc: BaseException | None) -> bool:
    """True for a failure to reach PostgreSQL (refused, timed out, pool wait over), not for a bug in a query."""
    from django.db import InterfaceError, OperationalError

    return isinstance(exc, OperationalError | InterfaceError)


def server_error(request):
    """500 for the whole site (handler500), except that an unreachable database answers 503 with Retry-After
    within the pool's short wait (docs/resilience.md). Renders without the database: no session, no template
    context processors, so it cannot fail the same way again."""
    import sys

    from django.http import HttpResponse

    exc = sys.exc_info()[1]
    unavailable = _database_unavailable(exc)
    status = 503 if unavailable else 500
    message = DATABASE_DOWN if unavailable else "Something went wrong on our side. It was logged; try again."
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=status)
    else:
        response = HttpResponse(
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Service unavailable</title></head>'
            f'<body><main><h1>{"Service unavailable" if unavailable else "Server error"}</h1><p>{message}</p>'
            "</main></body></html>", status=status, content_type="text/html; charset=utf-8")
    if unavailable:
        response["Retry-After"] = "30"
    return response
