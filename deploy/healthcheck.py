"""Health probes of the containers: `python deploy/healthcheck.py web|beat`, exit 0 when healthy.

web: GET /healthz from gunicorn directly and expect a 200. It asks with the site's own host name (the first of
ALLOWED_HOSTS), because Django refuses other hosts, over plain HTTP inside the container, which /healthz is
allowed (SECURE_REDIRECT_EXEMPT in the settings).
beat: its schedule file was written within the last 10 minutes (beat saves it every 3 minutes while it runs).
Standard library only: a probe must not import Django.
"""

import os
import sys
import time
import urllib.request


def web() -> int:
    host = (os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip() or "localhost").lstrip(".")
    port = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").rsplit(":", 1)[-1]
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return 0 if response.status == 200 else 1
    except Exception as exc:  # refused, 503, timeout: unhealthy, with the reason for `docker inspect`
        print(f"healthz failed: {exc}", file=sys.stderr)
        return 1


def beat() -> int:
    schedule = os.path.join(os.environ.get("IEP_STATE_DIR", "var/state"), "celerybeat-schedule")
    candidates = [path for path in (schedule, schedule + ".db", schedule + ".dat") if os.path.exists(path)]
    age = time.time() - max((os.path.getmtime(path) for path in candidates), default=0)
    if age > 600:
        print(f"beat's schedule {schedule} was not written for {age:.0f} s", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit({"web": web, "beat": beat}[sys.argv[1] if len(sys.argv) > 1 else "web"]())
