"""The load script (locust): credit controllers working the work list, customer cards,
search and logging calls, against gunicorn on the benchmark data. Run by bench/load.sh.

Each simulated user signs in as one of the benchmark's controllers (bench_gbp_ctl01...,
password bench-pass-123), reads the ids of the customers visible to them once, then
repeats, with a second or two of thought between steps: the work list, a customer card,
a search of the customer list, and now and then a call logged through the API (what the
browser's form does with the same service).
"""

from __future__ import annotations

import itertools
import random

from locust import HttpUser, between, task

PASSWORD = "bench-pass-123"
CONTROLLERS = [f"bench_{c}_ctl{n:02d}" for c in ("gbp", "eur") for n in range(1, 9)]
_next = itertools.count()
TERMS = ["ltd", "gmbh", "north", "trading", "sup", "12", "leeds", "berlin"]


class Controller(HttpUser):
    wait_time = between(1, 2)

    def on_start(self):
        self.username = CONTROLLERS[next(_next) % len(CONTROLLERS)]
        self.client.get("/login/", name="sign in")
        token = self.client.cookies.get("csrftoken", "")
        self.client.post("/login/", {"username": self.username, "password": PASSWORD,
                                     "csrfmiddlewaretoken": token},
                         headers={"Referer": self.host + "/login/"}, name="sign in")  # fmt: skip
        listed = self.client.get("/api/v1/customers/?page_size=200", name="api customers").json()
        self.customers = [row["id"] for row in listed.get("results", [])] or [1]

    @task(4)
    def work_list(self):
        self.client.get("/", name="work list")

    @task(4)
    def customer_card(self):
        self.client.get(f"/customers/{random.choice(self.customers)}/", name="customer card")

    @task(3)
    def search(self):
        self.client.get(f"/customers/?q={random.choice(TERMS)}", name="customer search")

    @task(1)
    def log_call(self):
        self.client.post(
            "/api/v1/communications/",
            json={"customer": random.choice(self.customers), "communication_type": "telephone",
                  "contact_type": "telephone_made", "subject": "Chased the overdue invoices"},
            headers={"X-CSRFToken": self.client.cookies.get("csrftoken", ""),
                     "Referer": self.host + "/"},
            name="log a call",
        )  # fmt: skip
