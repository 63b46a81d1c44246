"""The working day as Locust users, for `python -m bench.load` (which writes the plan this file reads).

Each simulated staff member signs in with their own account and, of every 100 actions: 25 open an IEP (its page or
its at-a-glance page), 20 list or search their students, 15 open, check out, save and check in a section, 10 open a
timeline, 10 open their caseload or their district's dashboard, 10 record a timeline event, 5 request a PDF and 5
do something else (the dashboard index, their account page). Pauses of 0.5-1.5 s between actions, or none when
BENCH_LOAD_PACED=0 (to find the saturation throughput).

The app runs with the production settings behind no proxy: requests say `X-Forwarded-Proto: https` as the proxy
would, and the session cookie (marked Secure) is sent by hand.
"""

import json
import os
import random
import re
from datetime import date, timedelta

from locust import HttpUser, between, constant, task

PLAN = json.loads(open(os.environ["BENCH_LOAD_PLAN"]).read())
ACCOUNTS = PLAN["accounts"]
PASSWORD = PLAN["password"]
_next = iter(range(10**9))


class Staff(HttpUser):
    wait_time = between(0.5, 1.5) if os.environ.get("BENCH_LOAD_PACED", "1") == "1" else constant(0)

    def on_start(self):
        self.me = ACCOUNTS[next(_next) % len(ACCOUNTS)]
        self.cookies: dict[str, str] = {}
        self.version: dict[int, int] = {int(k): v for k, v in self.me["versions"].items()}
        page = self._get("/accounts/login/", name="sign-in page")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        with self.client.post("/accounts/login/", data={"csrfmiddlewaretoken": token, "username": self.me["username"],
                                                        "password": PASSWORD},
                              headers=self._headers(), allow_redirects=False, name="sign in",
                              catch_response=True) as response:
            self._keep_cookies(response)
            if response.status_code != 302 or "sessionid" not in self.cookies:
                response.failure(f"sign-in refused ({response.status_code})")

    # ------------------------------------------------------------------ plumbing
    def _headers(self, extra: dict | None = None) -> dict:
        headers = {"X-Forwarded-Proto": "https", "Referer": f"https://{self.host.split('://', 1)[1]}/"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        return {**headers, **(extra or {})}

    def _keep_cookies(self, response) -> None:
        for name in ("sessionid", "csrftoken"):
            if name in response.cookies:
                self.cookies[name] = response.cookies[name]

    def _get(self, path: str, name: str):
        with self.client.get(path, headers=self._headers(), name=name, catch_response=True) as response:
            self._keep_cookies(response)
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
            return response

    def _post(self, path: str, body: dict, name: str, ok=(200, 201, 202)):
        with self.client.post(path, json=body, headers=self._headers(), name=name, catch_response=True) as response:
            self._keep_cookies(response)
            if response.status_code not in ok:
                response.failure(f"{response.status_code}: {response.text[:200]}")
            return response

    # ------------------------------------------------------------------ the working day
    @task(25)
    def open_iep(self):
        iep = random.choice(self.me["ieps"])
        if random.random() < 0.6:
            self._get(f"/ieps/{iep}/", name="IEP page")
        else:
            self._get(f"/ieps/{iep}/glance/", name="IEP at a glance")

    @task(20)
    def list_students(self):
        if random.random() < 0.5:
            self._get("/students/", name="student list")
        else:
            self._get(f"/students/?q={random.choice(self.me['names'])}", name="student search")

    @task(15)
    def edit_section(self):
        if not self.me["sections"]:
            return self.list_students()
        section = random.choice(self.me["sections"])
        url = f"/api/sections/{section}/"
        opened = self._get(url, name="section open")  # what the editor loads first: the current version
        if opened.status_code == 200:
            self.version[section] = opened.json().get("version", self.version[section])
        lock = self._post(f"{url}check-out/", {}, name="section check-out").json()
        generation = (lock.get("lock") or {}).get("generation")
        version = self.version[section]
        content = {"learn_this_year": f"Worked on at {random.randint(1, 10**6)}"}
        self._post(f"{url}draft/", {"content": content, "version": version, "generation": generation},
                   name="section save")
        done = self._post(f"{url}check-in/", {"content": content, "version": version, "generation": generation},
                          name="section check-in")
        if done.status_code == 200:
            self.version[section] = done.json().get("version", version)

    @task(10)
    def timeline(self):
        self._get(f"/students/{random.choice(self.me['students'])}/timeline/", name="timeline")

    @task(10)
    def caseload_or_dashboard(self):
        self._get(self.me["dashboard"], name="caseload or dashboard")

    @task(10)
    def record_event(self):
        day = date.today() - timedelta(days=random.randint(0, 20))
        self._post("/api/timeline-events/", {"student": random.choice(self.me["students"]), "key": "records_requested",
                                             "date": day.isoformat(), "note": "bench"}, name="record an event")

    @task(5)
    def request_pdf(self):
        self._post(f"/api/ieps/{random.choice(self.me['ieps'])}/documents/", {"kind": "summary"},
                   name="PDF request")

    @task(5)
    def other(self):
        self._get("/dashboard/", name="other (dashboard index)")
