"""Locust users for bench/load.py (run by it; not on its own).

The configuration (accounts, organizations, queries, the run's write-token prefix) comes from the
JSON file named by LOAD_CONFIG; every write that the server acknowledged (the 302 after a valid
POST) is appended to LOAD_ACKS as "<kind> <username> <token>" so that load.py can look for each
one in the database afterwards.

Classes: PublicUser (searches, API, profiles), OrgUser (one account each, saves its annual report
draft), OfficerUser (enters credit records for organizations of 440400), PingUser (the minimal view
only: the ceiling run).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
from urllib.parse import quote

from locust import FastHttpUser, between, constant, events, task

CONFIG = json.loads(open(os.environ["LOAD_CONFIG"], encoding="utf-8").read()) if os.environ.get("LOAD_CONFIG") else {}
_ACKS: list[str] = []
_lock = threading.Lock()
_serial = itertools.count(1)
_org_accounts = itertools.count()
_officer_accounts = itertools.count()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d*)"')
THINK = between(0.5, 1.5)  # a person between clicks


def _token(kind: str) -> str:
    return f"{CONFIG['prefix']}-{kind}-{next(_serial)}"


def _ack(kind: str, username: str, token: str) -> None:
    with _lock:
        _ACKS.append(f"{kind} {username} {token}")


_env = {}


@events.init.add_listener
def _keep_environment(environment, **_kwargs):
    _env["environment"] = environment


@events.quit.add_listener
def _write_results(**_kwargs):
    """On quit, after the last user stopped (--stop-timeout lets each finish its task), so the
    statistics and the acknowledged writes cover the same requests (the CSV files can be
    flushed before the stragglers end)."""
    path = os.environ.get("LOAD_ACKS")
    if path:
        with open(path, "w", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in _ACKS))
    path = os.environ.get("LOAD_STATS")
    if not path:
        return
    stats = _env["environment"].runner.stats

    def summary(entry):
        return {"requests": entry.num_requests, "errors": entry.num_failures,
                **{f"p{p}_ms": float(entry.get_response_time_percentile(p / 100) or 0) for p in (50, 95, 99)},
                "max_ms": float(entry.max_response_time or 0), "rps": entry.total_rps}

    with open(path, "w", encoding="utf-8") as f:
        json.dump({"total": summary(stats.total),
                   "by_name": {e.name: summary(e) for e in stats.entries.values() if e.num_requests},
                   "failures": [{"name": e.name, "error": str(e.error), "count": e.occurrences}
                                for e in stats.errors.values()]}, f, ensure_ascii=False)


def _csrf(response) -> str:
    m = CSRF.search(response.text or "")
    return m.group(1) if m else ""


class _SignedIn(FastHttpUser):
    abstract = True
    wait_time = THINK
    username = ""

    def login(self) -> None:
        page = self.client.get("/accounts/login/", name="login (GET)")
        with self.client.post("/accounts/login/", data={"csrfmiddlewaretoken": _csrf(page), "username": self.username,
                                                        "password": CONFIG["password"]},
                              headers={"Referer": self.host + "/accounts/login/"}, allow_redirects=False,
                              name="login (POST)", catch_response=True) as r:
            if r.status_code != 302:
                r.failure(f"sign-in refused ({r.status_code})")

    def post_form(self, url: str, data: dict, name: str, kind: str, token: str) -> None:
        """POST a form; only the redirect after success acknowledges the write (a 200 is the form
        shown again with errors: counted as a failure, never as a write)."""
        with self.client.post(url, data=data, headers={"Referer": self.host + url}, allow_redirects=False,
                              name=name, catch_response=True) as r:
            if r.status_code in (301, 302, 303):
                _ack(kind, self.username, token)
                r.success()
            else:
                r.failure(f"write not acknowledged ({r.status_code})")


class PublicUser(FastHttpUser):
    """Anonymous visitors: the public search page, the search API and organization profiles."""

    weight = 9
    wait_time = THINK

    @task(4)
    def search_page(self):
        self.client.get(f"/orgs/?q={quote(random.choice(CONFIG['queries']))}", name="/orgs/?q=")

    @task(3)
    def search_api(self):
        self.client.get(f"/api/v1/orgs?q={quote(random.choice(CONFIG['queries']))}", name="/api/v1/orgs?q=")

    @task(4)
    def profile(self):
        self.client.get(f"/orgs/{random.choice(CONFIG['usccs'])}/", name="/orgs/<uscc>/")


class OrgUser(_SignedIn):
    """An organization's user: opens its annual report for last year and saves the draft, with
    the write's token as the activities text (the latest token must be what the report holds)."""

    weight = 1

    def on_start(self):
        accounts = CONFIG["org_accounts"]
        self.username = accounts[next(_org_accounts) % len(accounts)]
        self.login()

    @task
    def save_draft(self):
        url = f"/annual/{CONFIG['year']}/edit/"
        page = self.client.get(url, name="/annual/<year>/edit/ (GET)")
        m = VERSION.search(page.text or "")
        token = _token("draft")
        self.post_form(url, {"csrfmiddlewaretoken": _csrf(page), "version": m.group(1) if m else "",
                             "activities": token, "staff_count": "12"},
                       "/annual/<year>/edit/ (POST)", "draft", token)


class OfficerUser(_SignedIn):
    """An officer of 440400: opens an organization's credit file and enters a credit record (an
    information-only commendation; the credit rules run for the organization on commit)."""

    weight = 1

    def on_start(self):
        accounts = CONFIG["officer_accounts"]
        self.username = accounts[next(_officer_accounts) % len(accounts)]
        self.login()

    @task
    def record(self):
        uscc = random.choice(CONFIG["officer_usccs"])
        self.client.get(f"/credit/manage/orgs/{uscc}/", name="/credit/manage/orgs/<uscc>/")
        url = f"/credit/manage/orgs/{uscc}/records/new/"
        page = self.client.get(url, name="/credit/manage/orgs/<uscc>/records/new/ (GET)")
        token = _token("record")
        self.post_form(url, {"csrfmiddlewaretoken": _csrf(page), "kind": "commendation", "title": token,
                             "content": "", "source": "负载测试", "deciding_body": "珠海市民政局",
                             "occurred_on": CONFIG["today"], "valid_until": "", "is_public": "on"},
                       "/credit/manage/orgs/<uscc>/records/new/ (POST)", "record", token)


class PingUser(FastHttpUser):
    """The minimal view (bench/load_urls.py): the same server, settings and middleware, one line
    of JSON. No pause: with one, 200 users could never ask for more than ~200 req/s and the run
    would measure the offered load, not the ceiling."""

    weight = 1
    wait_time = constant(0)

    @task
    def ping(self):
        self.client.get("/bench/ping", name="/bench/ping")
