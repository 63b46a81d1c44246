"""Bench: check-out / save / check-in latency under 50 concurrent clients vs a trivial authenticated endpoint.

    DATABASE_URL=postgres://... [REDIS_URL=redis://...] python -m bench.locks [--clients 50] [--rounds 10]
        [--workers 4] [--threads 2]

Starts the app under gunicorn on 127.0.0.1 (a free port) against PostgreSQL with DATABASE_POOL=true, creates one
student (with a draft IEP) per client, each client a Team member of its own student, logs each client in (session
cookie), then every client runs `rounds` of: check out, save draft, check in its own section, each followed by a
GET /api/ping/. Prints p50/p95 per operation, throughput, and the ratio of check-in p95 to ping p95; the last line
is JSON. Bounded: clients × rounds × 6 requests, a 300 s deadline, loopback only; the rows it made are deleted.
"""

import argparse
import datetime
import http.client
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-" + secrets.token_hex(8)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def setup_rows(clients: int):
    """One district/school, `clients` students each with a draft IEP and one Team member; returns (ids, cleanup)."""
    from accounts.models import User
    from accounts.services import team_membership_add
    from iep.services.sections import iep_create
    from students.disabilities import Disability, Grade
    from students.models import District, School, Student

    tag, digits = secrets.token_hex(4), f"{secrets.randbelow(10**6):06d}"
    district = District.objects.create(name=f"Bench district {tag}", org_code=f"99{digits}")
    school = School.objects.create(district=district, name=f"Bench school {tag}", code=f"98{digits}")
    users, sections = [], []
    for n in range(clients):
        user = User.objects.create_user(username=f"bench-{tag}-{n}", password=PASSWORD, district=district)
        student = Student.objects.create(district=district, school=school, first_name="Bench", last_name=f"S{n}",
                                         date_of_birth=datetime.date(2014, 1, 1), sasid=f"{digits}{n:04d}",
                                         grade=Grade.values[5], primary_disability=Disability.values[0])
        team_membership_add(student=student, user=user)
        iep = iep_create(student=student, user=user, start_date=datetime.date(2026, 9, 1))
        users.append(user.username)
        sections.append(iep.sections.get(kind="vision").pk)

    def cleanup():
        Student.objects.filter(district=district).delete()
        User.objects.filter(username__startswith=f"bench-{tag}-").delete()
        school.delete()
        district.delete()

    return users, sections, cleanup


class Client:
    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | str | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        if isinstance(body, dict):
            body, headers["Content-Type"] = json.dumps(body), "application/json"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            self.conn.close()  # the server closed an idle keep-alive connection: reconnect once
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        data = response.read()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def login(self, username: str) -> None:
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        form = f"csrfmiddlewaretoken={token}&username={username}&password={PASSWORD}"
        status, _ = self.request("POST", "/accounts/login/", form, {"Content-Type": "application/x-www-form-urlencoded",
                                                                     "Referer": "http://127.0.0.1/accounts/login/"})
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"login failed for a bench user (status {status})")


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=10)
    # A few workers with few threads each (2 cores): requests wait their turn in the workers' queues instead of
    # all sharing the CPU at once, so each request's latency is its wait plus its own work, as in production.
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    os.environ["DATABASE_POOL"] = "true"  # what the server below runs with (and this process, harmlessly)
    os.environ.setdefault("DATABASE_POOL_MAX", str(args.threads + 2))
    from bench.setup import django_ready

    if not django_ready("locks"):
        return 2
    users, sections, cleanup = setup_rows(args.clients)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}",
                               "-w", str(args.workers), "--threads", str(args.threads), "--keep-alive", "120",
                               "--log-level", "warning"],
                              cwd=ROOT, env={**os.environ, "DEBUG": "false", "SECRET_KEY": secrets.token_hex(16),
                                             "ALLOWED_HOSTS": "127.0.0.1"})
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        times: dict[str, list[float]] = {"checkout": [], "save": [], "checkin": [], "trivial": []}
        errors: list[str] = []
        mutex, deadline = threading.Lock(), time.monotonic() + 300
        clients = [Client(port) for _ in users]
        for client, username in zip(clients, users, strict=True):
            client.login(username)
        start = threading.Barrier(len(clients))

        def timed(kind, client, method, path, body=None, headers=None):
            began = time.perf_counter()
            status, data = client.request(method, path, body, headers)
            elapsed = (time.perf_counter() - began) * 1000
            with mutex:
                times[kind].append(elapsed)
                if status != 200:
                    errors.append(f"{kind} {status} {data[:200]!r}")
            return json.loads(data) if status == 200 else {}

        def run(client, section):
            url, version = f"/api/sections/{section}/", 0
            start.wait()
            for n in range(args.rounds):
                if time.monotonic() > deadline:
                    return
                generation = timed("checkout", client, "POST", f"{url}check-out/")["lock"]["generation"]
                timed("trivial", client, "GET", "/api/ping/")
                content = {"learn_this_year": f"Round {n}"}
                timed("save", client, "POST", f"{url}draft/", {"content": content, "version": version,
                                                               "generation": generation})
                timed("trivial", client, "GET", "/api/ping/")
                version = timed("checkin", client, "POST", f"{url}check-in/",
                                {"content": content, "version": version, "generation": generation})["version"]
                timed("trivial", client, "GET", "/api/ping/")

        began = time.perf_counter()
        threads = [threading.Thread(target=run, args=(c, s)) for c, s in zip(clients, sections, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - began
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        cleanup()
    total = sum(len(v) for v in times.values())
    for kind, values in times.items():
        print(f"{kind:9s} n={len(values):5d}  p50={statistics.median(values):7.1f} ms  p95={pct(values, 95):7.1f} ms")
    trivial_rps = len(times["trivial"]) / wall
    print(f"{total} requests in {wall:.1f} s: {total / wall:.0f} req/s overall, trivial endpoint {trivial_rps:.0f}/s;"
          f" errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    result = {"clients": len(clients), "rounds": args.rounds, "requests": total, "wall_s": round(wall, 2),
              "rps": round(total / wall, 1), "errors": len(errors),
              **{f"{k}_p50_ms": round(statistics.median(v), 1) for k, v in times.items()},
              **{f"{k}_p95_ms": round(pct(v, 95), 1) for k, v in times.items()},
              "trivial_rps": round(trivial_rps, 1),
              "ratio_checkin_to_trivial": round(pct(times["checkin"], 95) / pct(times["trivial"], 95), 2)}
    print(json.dumps(result))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
