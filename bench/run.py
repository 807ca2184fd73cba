"""Measure the pages and endpoints against the benchmark database, at the server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/creditcontrol_bench .venv/bin/python bench/run.py
        [--repeat 5] [--warmup 1] [--only SUBSTRING] [--no-sync] [--keep-sync]
        [--explain | --explain-all] [--out bench/out]

Requests go through Django's test ``Client`` in-process (``DEBUG=False``, signed in
with ``force_login``; the API with the integrator's token), so the figures are the
server's time: URL routing, middleware, queries, template rendering, no network.
Each measurement is a warm-up, then ``--repeat`` timed requests (median and max),
then one more request under ``CaptureQueriesContext`` for the number of queries and
the slowest one. ``--explain`` runs ``EXPLAIN (ANALYZE, BUFFERS)`` of the slowest
query of every measurement over its target (``--explain-all``: of every one) and
writes the plans to ``bench/out/``. Results are printed as a table and written as
JSON to ``bench/out/``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/creditcontrol_bench"

PAGE_TARGET_MS = 300
API_TARGET_MS = 200
REPORT_TARGET_MS = 1000  # a report's API page and its deferred totals
AGED_TARGET_MS = 500  # Aged receivables in any sort, today and back-dated (issue 16)
DASHBOARD_TARGET_MS = 500  # the dashboard with its ledger cache empty (issue 16)
CSV_TARGET_MS = 60_000  # a whole CSV, streamed; its memory is the point (see measure_csv)
SYNC_TARGET_MS = 10_000
SYNC_ROWS = 10_000

# The customer list's sortable columns, when the page's own links do not say.
SORT_COLUMNS = (
    "account_code", "name", "city", "postcode", "controller", "currency", "credit_limit",
    "balance", "overdue", "on_hold", "debtor_rating",
)  # fmt: skip
SYNC_PREFIX = "BENCHSYNC"


@dataclasses.dataclass
class Result:
    name: str
    method: str
    url: str
    target_ms: float
    group: str
    status: int | None = None
    available: bool = True
    note: str = ""
    times_ms: list[float] = dataclasses.field(default_factory=list)
    queries: int | None = None
    slowest_query_ms: float | None = None
    slowest_query_sql: str | None = None
    sql_ms: float | None = None
    top_queries: list[dict] = dataclasses.field(default_factory=list)
    explain: str | None = None

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.times_ms) if self.times_ms else None

    @property
    def max_ms(self) -> float | None:
        return max(self.times_ms) if self.times_ms else None

    @property
    def verdict(self) -> str:
        if not self.available:
            return "N/A"
        if not self.times_ms or (self.status or 0) >= 400:
            return "ERROR"
        return "PASS" if self.max_ms <= self.target_ms else "FAIL"

    def as_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data.update(median_ms=self.median_ms, max_ms=self.max_ms, verdict=self.verdict)
        return data


def setup_django() -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ["DEBUG"] = "False"
    # Keep the one connection for the whole run, as a production worker does.
    os.environ.setdefault("CONN_MAX_AGE", "3600")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "creditcontrol.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import warnings

    import django

    # whitenoise warns once per process when collectstatic has not been run: not our concern.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.conf import settings

    if "*" not in settings.ALLOWED_HOSTS and "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


class Bench:
    def __init__(self, args: argparse.Namespace):
        from django.contrib.auth import get_user_model
        from django.test import Client
        from rest_framework.authtoken.models import Token

        self.args = args
        self.results: list[Result] = []
        User = get_user_model()
        try:
            self.manager = User.objects.get(username="bench_manager")
            self.integrator = User.objects.get(username="bench_integrator")
        except User.DoesNotExist:
            sys.exit("No bench_manager/bench_integrator: is DATABASE_URL the generated bench "
                     "database? Run bench/generate.py first.")  # fmt: skip
        self.browser = Client(raise_request_exception=False)
        self.browser.force_login(self.manager)
        token, _ = Token.objects.get_or_create(user=self.integrator)
        self.api = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {token.key}")

    # ------------------------------------------------------------------ measuring

    def measure(self, name: str, url: str, *, target_ms: float, group: str, client=None,
                method: str = "get", body: Any = None, repeat: int | None = None,
                warmup: int | None = None) -> Result:  # fmt: skip
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        if self.args.only and self.args.only not in name and self.args.only not in url:
            return None
        client = client or self.browser
        repeat = self.args.repeat if repeat is None else repeat
        warmup = self.args.warmup if warmup is None else warmup
        result = Result(name=name, method=method.upper(), url=url, target_ms=target_ms, group=group)

        def call():
            if method == "get":
                return client.get(url, secure=True)
            return client.post(url, data=json.dumps(body), content_type="application/json",
                               secure=True)  # fmt: skip

        try:
            for _ in range(warmup):
                response = call()
                if not self._available(response, result):
                    return self._keep(result)
            for _ in range(repeat):
                started = time.perf_counter()
                response = call()
                result.times_ms.append((time.perf_counter() - started) * 1000)
                result.status = response.status_code
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = call()
                captured_ms = (time.perf_counter() - started) * 1000
            if not repeat:
                result.times_ms.append(captured_ms)
            if not self._available(response, result):
                return self._keep(result)
            result.status = response.status_code
            if response.status_code >= 400:
                result.note = f"HTTP {response.status_code}: {_body_excerpt(response)}"
            result.queries = len(ctx.captured_queries)
            if ctx.captured_queries:
                by_time = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))
                result.sql_ms = sum(float(q["time"]) for q in by_time) * 1000
                result.top_queries = [
                    {"ms": float(q["time"]) * 1000, "sql": q["sql"][:2000]} for q in by_time[:5]
                ]
                result._selects = [
                    (float(q["time"]) * 1000, q["sql"])
                    for q in by_time
                    if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
                ][:2]
                slowest = by_time[0]
                result.slowest_query_ms = float(slowest["time"]) * 1000
                result.slowest_query_sql = slowest["sql"]
            self.last_response = response
        except Exception as exc:  # a broken page is a finding, not the end of the run
            result.note = f"{type(exc).__name__}: {exc}"[:300]
            result.times_ms = []
        return self._keep(result)

    def _available(self, response, result: Result) -> bool:
        result.status = response.status_code
        stub = response.status_code == 200 and not response.content.strip()
        if response.status_code in (404, 405, 501) or stub:
            result.available = False
            result.note = "not available" + (" (empty stub page)" if stub else
                                             f" (HTTP {response.status_code})")  # fmt: skip
            result.times_ms = []
            return False
        return True

    def _keep(self, result: Result) -> Result:
        self.results.append(result)
        self._print_row(result)
        if (result.verdict == "FAIL" and self.args.explain) or self.args.explain_all:
            self._explain(result)
        return result

    def _explain(self, result: Result) -> None:
        """EXPLAIN (ANALYZE, BUFFERS) the two slowest SELECTs of the captured request."""
        from django.db import connection

        plans = []
        for n, (ms, sql) in enumerate(getattr(result, "_selects", []), 1):
            with connection.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(row[0] for row in cur.fetchall())
            plans.append(f"-- #{n}: {ms:.1f} ms in the request\n{sql}\n\n{plan}\n")
        if not plans:
            return
        result.explain = "\n".join(plans)
        out = self.out_dir / f"explain-{_slug(result.name)}.txt"
        out.write_text(f"-- {result.name}: {result.method} {result.url}\n{result.explain}")
        print(f"      EXPLAIN (ANALYZE, BUFFERS) of its slowest SELECTs -> {out}")

    # ------------------------------------------------------------------ the runs

    def run(self) -> None:
        from django.db import connection

        self.out_dir = Path(self.args.out)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM ledger_customer")
            self.n_customers = cur.fetchone()[0]
            cur.execute("SELECT count(*) FROM ledger_ledgerentry WHERE remaining <> 0")
            self.n_open = cur.fetchone()[0]
            cur.execute(
                "SELECT customer_id, count(*) FROM ledger_ledgerentry WHERE remaining <> 0 "
                "GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
            )
            self.largest, self.largest_count = cur.fetchone()
            cur.execute("SELECT version()")
            self.pg_version = cur.fetchone()[0]
        print(f"{self.n_customers:,} customers, {self.n_open:,} open entries; largest customer "
              f"{self.largest} ({self.largest_count:,} open entries). repeat={self.args.repeat}, "
              f"warm-up={self.args.warmup}\n")  # fmt: skip
        self._header()
        self.measure("work list / (extra)", "/", target_ms=PAGE_TARGET_MS, group="page-extra")
        self.search_and_work_list()
        self.customer_list()
        self.customer_card()
        self.api_lists()
        self.reports()
        self.dashboard()
        if not self.args.no_sync:
            self.sync()

    def search_and_work_list(self) -> None:
        """The header's global search as the box asks it (htmx fragment) and the work list
        with its filters (issue 13). The terms are taken from the data: a document number,
        a customer's name and account code, an external reference, a contact's email and
        phone, a two-letter query (the widest) and one that matches nothing."""
        from urllib.parse import quote

        from django.db import connection
        from django.test import Client

        htmx = Client(raise_request_exception=False, HTTP_HX_REQUEST="true")
        htmx.force_login(self.manager)
        with connection.cursor() as cur:
            cur.execute("SELECT document_no FROM ledger_ledgerentry ORDER BY id DESC LIMIT 1")
            document_no = cur.fetchone()[0]
            cur.execute("SELECT name, account_code FROM ledger_customer ORDER BY id LIMIT 1")
            name, code = cur.fetchone()
            cur.execute("SELECT external_ref FROM ledger_customer WHERE external_ref <> '' "
                        "ORDER BY id DESC LIMIT 1")  # fmt: skip
            ref = (cur.fetchone() or [""])[0]
            cur.execute("SELECT email, phone FROM ledger_contact WHERE email <> '' AND phone <> '' "
                        "ORDER BY id DESC LIMIT 1")  # fmt: skip
            email, phone = cur.fetchone() or ("", "")
            cur.execute("SELECT controller_id FROM ledger_customer WHERE controller_id IS NOT NULL "
                        "LIMIT 1")  # fmt: skip
            controller = (cur.fetchone() or [""])[0]
            cur.execute("SELECT id FROM ledger_company ORDER BY code LIMIT 1")
            company = (cur.fetchone() or [""])[0]
        terms = [
            ("document number", document_no), ("customer name", name.split()[0]),
            ("account code", code), ("external ref", ref), ("contact email", email),
            ("contact phone", phone[-6:]), ("three letters", "lee"), ("two letters: not searched", "le"), ("no match", "zqxjv"),
        ]  # fmt: skip
        for label, text in terms:
            if text:
                self.measure(f"search: {label} (extra)", f"/search/?q={quote(text)}",
                             target_ms=PAGE_TARGET_MS, group="page-extra", client=htmx)  # fmt: skip
        # Each filter of the work list on its own, then the combinations a controller uses.
        for label, query in (
            ("company", f"company={company}"),
            ("level=2", "level=2"),
            ("channel=email", "channel=email"),
            ("channel=letter", "channel=letter"),
            ("channel=manual", "channel=manual"),
            ("controller", f"controller={controller}"),
            ("min_total=5000", "min_total=5000"),
            ("on_hold=true", "on_hold=true"),
            ("on_hold=false", "on_hold=false"),
            ("automatic=true", "automatic=true"),
            ("automatic=false", "automatic=false"),
            ("level=1&min_total=1000", "level=1&min_total=1000"),
            (
                "on_hold=false&automatic=false, compact",
                "on_hold=false&automatic=false&density=compact",
            ),
            ("channel=email&controller", f"channel=email&controller={controller}"),
            ("mine, level=3", "mine=1&level=3"),
            (
                "company&level=2&min_total=1000&on_hold=false",
                f"company={company}&level=2&min_total=1000&on_hold=false",
            ),
            ("page 2", "page=2"),
        ):
            self.measure(f"work list: {label} (extra)", f"/?{query}", target_ms=PAGE_TARGET_MS,
                         group="page-extra")  # fmt: skip

    def customer_list(self) -> None:
        first = self.measure("list: default", "/customers/", target_ms=PAGE_TARGET_MS, group="page")
        columns = list(SORT_COLUMNS)
        if first is not None and first.available and getattr(self, "last_response", None):
            found = []
            for col in re.findall(r"[?&;]sort=-?([A-Za-z_]+)", self.last_response.content.decode()):
                if col not in found:
                    found.append(col)
            extra = [c for c in found if c not in columns]
            missing = [c for c in columns if c not in found]
            if found:
                print(f"      sort links on the page: {', '.join(found)}"
                      + (f"; not offered: {', '.join(missing)}" if missing else ""))  # fmt: skip
            columns += extra
        elif first is not None and not first.available:
            return
        for col in columns:
            for sort in (col, f"-{col}"):
                self.measure(f"list: sort={sort}", f"/customers/?sort={sort}",
                             target_ms=PAGE_TARGET_MS, group="page")  # fmt: skip
        # Not in the brief's list, but a controller does them every day.
        self.measure("list: search q=leeds (extra)", "/customers/?q=leeds",
                     target_ms=PAGE_TARGET_MS, group="page-extra")  # fmt: skip
        self.measure("list: page 1000 (extra)", "/customers/?page=1000",
                     target_ms=PAGE_TARGET_MS, group="page-extra")  # fmt: skip

    def customer_card(self) -> None:
        pk = self.largest
        for name, url in (
            ("card: details", f"/customers/{pk}/"),
            ("card: entries (open)", f"/customers/{pk}/entries/"),
            ("card: entries ?show=all", f"/customers/{pk}/entries/?show=all"),
            ("card: communications", f"/customers/{pk}/communications/"),
            ("card: timeline", f"/customers/{pk}/timeline/"),
        ):
            self.measure(name, url, target_ms=PAGE_TARGET_MS, group="page")
        self.measure("card: contacts (extra)", f"/customers/{pk}/contacts/",
                     target_ms=PAGE_TARGET_MS, group="page-extra")  # fmt: skip
        self.measure("card: entries last page (extra)", f"/customers/{pk}/entries/?page=50",
                     target_ms=PAGE_TARGET_MS, group="page-extra")  # fmt: skip

    def api_lists(self) -> None:
        for name, url, group in (
            ("api: customers", "/api/v1/customers/", "api"),
            ("api: ledger-entries", "/api/v1/ledger-entries/", "api"),
            ("api: communications", "/api/v1/communications/", "api"),
            ("api: todos ?show=open", "/api/v1/todos/?show=open", "api"),
            (
                "api: customers ?ordering=-balance_lcy",
                "/api/v1/customers/?ordering=-balance_lcy",
                "api",
            ),
            (
                "api: customers ?ordering=balance_lcy",
                "/api/v1/customers/?ordering=balance_lcy",
                "api",
            ),
            (
                "api: customers ?ordering=-overdue_lcy",
                "/api/v1/customers/?ordering=-overdue_lcy",
                "api",
            ),
            (
                "api: ledger-entries of largest, open (extra)",
                f"/api/v1/ledger-entries/?customer={self.largest}&is_open=true",
                "api-extra",
            ),
            ("api: contacts (extra)", "/api/v1/contacts/", "api-extra"),
        ):
            self.measure(name, url, target_ms=API_TARGET_MS, group=group, client=self.api)

    def dashboard(self) -> None:
        """The manager's dashboard of each company with its ledger cache emptied before
        every request (the figure a manager gets first thing in the morning)."""
        from django.core.cache import cache

        from ledger.models import Company

        for company in Company.objects.order_by("code"):
            url = f"/reports/dashboard/?company={company.pk}"
            name = f"dashboard uncached: {company.code}"
            if self.args.only and self.args.only not in name and self.args.only not in url:
                continue
            original = self.browser.get

            def uncached(*args, _get=original, **kwargs):
                cache.clear()
                return _get(*args, **kwargs)

            self.browser.get = uncached
            try:
                self.measure(name, url, target_ms=DASHBOARD_TARGET_MS, group="page")
            finally:
                self.browser.get = original

    def reports(self) -> None:
        """Every report of the catalogue: its first page in every sort (at the page target;
        Aged receivables at its own, today and three months back), its API page, and its
        whole CSV."""
        from django.urls import reverse

        from reports.catalogue import CATALOGUE

        for report in CATALOGUE:
            page = reverse(f"reports:{report.slug}")
            api = f"/api/v1/reports/{report.url_path}/"
            query = ""
            if report.slug == "aged-receivables-entries":
                query = "?bucket=days_over_90"
                self.measure("report: aged entries of largest", f"{page}?customer={self.largest}",
                             target_ms=PAGE_TARGET_MS, group="report")  # fmt: skip
            aged = report.slug == "aged-receivables"
            target = AGED_TARGET_MS if aged else PAGE_TARGET_MS
            self.measure(f"report: {report.slug}", page + query, target_ms=target, group="report")
            for key in report.sorts:
                for sort in (key, f"-{key}"):
                    self.measure(f"report: {report.slug} sort={sort}", f"{page}?sort={sort}",
                                 target_ms=target, group="report")  # fmt: skip
            if aged:
                back = (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=92)).isoformat()
                for key in report.sorts:
                    for sort in (key, f"-{key}"):
                        self.measure(f"report: aged-receivables as_of -92 days sort={sort}",
                                     f"{page}?as_of={back}&sort={sort}", target_ms=target,
                                     group="report")  # fmt: skip
            if report.defer_totals:
                self.measure(f"report totals: {report.slug}",
                             f"{page}{query or '?'}{'&' if query else ''}part=totals",
                             target_ms=REPORT_TARGET_MS, group="report")  # fmt: skip
            self.measure(f"report api: {report.slug}", api + query, target_ms=API_TARGET_MS,
                         group="report-api", client=self.api)  # fmt: skip
            self.measure_csv(
                f"report csv: {report.slug}", reverse(f"reports:{report.slug}-csv") + query
            )
        if not self.args.only or "as_of" in self.args.only or "aged" in self.args.only:
            back = (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=92)).isoformat()
            self.measure("report: aged-receivables as_of -92 days",
                         f"/reports/aged-receivables/?as_of={back}",
                         target_ms=AGED_TARGET_MS, group="report")  # fmt: skip

    def measure_csv(self, name: str, url: str) -> Result | None:
        """Stream a whole CSV once, timed, then once more under ``tracemalloc``: the peak
        of Python allocations while streaming must stay flat (a few MB) whatever the rows."""
        import tracemalloc

        if self.args.only and self.args.only not in name and self.args.only not in url:
            return None
        result = Result(name=name, method="GET", url=url, target_ms=CSV_TARGET_MS, group="csv")
        try:
            started = time.perf_counter()
            response = self.browser.get(url, secure=True)
            result.status = response.status_code
            if response.status_code != 200 or not response.streaming:
                result.available = response.status_code not in (404, 405, 501)
                result.note = f"HTTP {response.status_code}, not a stream"
                return self._keep(result)
            lines = sum(chunk.count("\n") if isinstance(chunk, str) else chunk.count(b"\n")
                        for chunk in response.streaming_content)  # fmt: skip
            result.times_ms.append((time.perf_counter() - started) * 1000)
            tracemalloc.start()
            response = self.browser.get(url, secure=True)
            size = sum(len(chunk) for chunk in response.streaming_content)
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            result.note = (f"{lines - 1:,} rows, {size / 1e6:.1f} MB; Python peak while "
                           f"streaming {peak / 1e6:.1f} MB")  # fmt: skip
        except Exception as exc:
            result.note = f"{type(exc).__name__}: {exc}"[:300]
            result.times_ms = []
        return self._keep(result)

    def sync(self) -> None:
        from django.db import connection

        from ledger.models import Company

        company = Company.objects.filter(code="BENCH-GBP").first() or Company.objects.first()
        with connection.cursor() as cur:
            cur.execute("SELECT coalesce(max(id), 0) FROM ledger_ledgerentry")
            max_entry = cur.fetchone()[0]
            cur.execute("SELECT coalesce(max(id), 0) FROM ledger_auditevent")
            max_audit = cur.fetchone()[0]
            cur.execute("SELECT external_ref, currency FROM ledger_customer WHERE company_id = %s "
                        "AND external_ref <> '' ORDER BY id", [company.pk])  # fmt: skip
            customers = cur.fetchall()
        rows = sync_rows(customers, SYNC_ROWS, today=company.today(), lcy=company.base_currency)
        body = {"company": company.pk, "rows": rows}
        url = "/api/v1/ledger-entries/sync/"
        try:
            first = self.measure(f"sync: {SYNC_ROWS:,} new entries", url,
                                 target_ms=SYNC_TARGET_MS, group="sync", client=self.api,
                                 method="post", body=body, repeat=0, warmup=0)  # fmt: skip
            if first is not None and first.available:
                self._sync_outcome(first)
                again = self.measure(f"sync: same {SYNC_ROWS:,} again", url,
                                     target_ms=SYNC_TARGET_MS, group="sync", client=self.api,
                                     method="post", body=body, repeat=0, warmup=0)  # fmt: skip
                if again is not None:
                    self._sync_outcome(again)
        finally:
            if not self.args.keep_sync:
                self._remove_sync(max_entry, max_audit)

    def _sync_outcome(self, result: Result) -> None:
        response = getattr(self, "last_response", None)
        if response is None or not result.times_ms:
            return
        try:
            data = response.json()
        except ValueError:
            return
        summary = {k: data[k] for k in ("created", "updated", "unchanged") if k in data}
        if summary:
            result.note = (result.note + " " if result.note else "") + json.dumps(summary)
            print(f"      answer: {summary}")

    def _remove_sync(self, max_entry: int, max_audit: int) -> None:
        """Put the bench database back as generated, so that runs stay comparable."""
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("DELETE FROM ledger_auditevent WHERE id > %s", [max_audit])
            cur.execute("DELETE FROM ledger_ledgerentry WHERE id > %s", [max_entry])
            removed = cur.rowcount
            cur.execute("VACUUM ANALYZE ledger_ledgerentry")
            cur.execute("VACUUM ANALYZE ledger_auditevent")
        if removed:
            print(f"      removed the {removed:,} synced entries again (--keep-sync keeps them)")

    # ------------------------------------------------------------------ output

    def _header(self) -> None:
        print(f"{'measurement':<46} {'median':>8} {'max':>8} {'target':>8} {'SQL':>4} "
              f"{'SQL time':>8} {'slowest':>8}  verdict")  # fmt: skip
        print("-" * 110)

    def _print_row(self, r: Result) -> None:
        def ms(value):
            return f"{value:7.0f}ms" if value is not None else f"{'-':>9}"

        if not r.available or not r.times_ms:
            print(f"{r.name:<46} {'':>8} {'':>8} {r.target_ms:6.0f}ms {'':>4} {'':>8} {'':>8}  "
                  f"{r.verdict}  {r.note}")  # fmt: skip
            return
        queries = f"{r.queries:>4}" if r.queries is not None else f"{'-':>4}"
        print(f"{r.name:<46}{ms(r.median_ms)}{ms(r.max_ms)} {r.target_ms:6.0f}ms {queries}"
              f"{ms(r.sql_ms)}{ms(r.slowest_query_ms)}  {r.verdict}"
              + (f"  {r.note[:200]}" if r.note else ""))  # fmt: skip

    def write(self) -> Path:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        data = {
            "when": stamp,
            "database": _safe_url(os.environ.get("DATABASE_URL", "")),
            "postgres": self.pg_version,
            "customers": self.n_customers,
            "open_entries": self.n_open,
            "largest_customer": {"id": self.largest, "open_entries": self.largest_count},
            "repeat": self.args.repeat,
            "warmup": self.args.warmup,
            "targets_ms": {"page": PAGE_TARGET_MS, "api": API_TARGET_MS, "sync": SYNC_TARGET_MS},
            "pg_settings": self.args.pg_set,
            "results": [r.as_json() for r in self.results],
        }
        path = self.out_dir / f"results-{stamp}.json"
        path.write_text(json.dumps(data, indent=2, default=str))
        (self.out_dir / "latest.json").write_text(json.dumps(data, indent=2, default=str))
        return path


# Units of the company's currency for one unit of a foreign one (sync rows need a rate).
SYNC_RATES = {("GBP", "EUR"): "0.861234", ("GBP", "USD"): "0.790123",
              ("EUR", "GBP"): "1.161234", ("EUR", "USD"): "0.920123"}  # fmt: skip


def sync_rows(
    customers: list[tuple[str, str]], n: int, *, today: dt.date, lcy: str, seed: int = 7
) -> list[dict]:
    """``n`` new entries (invoices, some credit notes) for existing customers given as
    (external_ref, currency), with fresh external references and document numbers;
    foreign-currency customers' entries carry their currency and exchange rate."""
    rng = random.Random(seed)
    run = dt.datetime.now(dt.UTC).strftime("%y%m%d%H%M%S")
    rows = []
    for i in range(n):
        credit = rng.random() < 0.05
        cents = rng.randint(1_000, 2_000_000)
        document = today - dt.timedelta(days=rng.randint(0, 60))
        ref, currency = rng.choice(customers)
        row = {
            "external_ref": f"{SYNC_PREFIX}-{run}-{i:05d}",
            "customer_ref": ref,
            "entry_type": "credit_note" if credit else "invoice",
            "document_no": f"S{run}{i:05d}",
            "document_date": document.isoformat(),
            "due_date": (document + dt.timedelta(days=0 if credit else 30)).isoformat(),
            "amount": f"{'-' if credit else ''}{cents // 100}.{cents % 100:02d}",
            "description": f"Bench sync {i}",
        }
        if currency != lcy:
            row.update(currency=currency, exchange_rate=SYNC_RATES.get((lcy, currency), "1.0"))
        rows.append(row)
    return rows


def apply_pg_settings(pairs: list[str]) -> None:
    """SET each NAME=VALUE on every new database connection of the app (for A/B runs)."""
    from django.db import connection
    from django.db.backends.signals import connection_created

    statements = []
    for pair in pairs:
        name, _, value = pair.partition("=")
        if not re.fullmatch(r"[a-z_.]+", name) or not re.fullmatch(r"[A-Za-z0-9_.']+", value):
            sys.exit(f"--pg-set {pair!r}: expected NAME=VALUE such as jit=off")
        statements.append(f"SET {name} = {value}")

    def apply(sender, connection, **kwargs):
        with connection.cursor() as cur:
            for statement in statements:
                cur.execute(statement)

    connection_created.connect(apply, weak=False)
    if connection.connection is not None:
        apply(None, connection)
    print(f"PostgreSQL settings for this run: {'; '.join(statements)}")


def _body_excerpt(response) -> str:
    return re.sub(r"\s+", " ", response.content[:300].decode(errors="replace"))


def _slug(text: str) -> str:
    text = text.replace("=-", "=desc-")
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:80]


def _safe_url(url: str) -> str:
    return re.sub(r"//([^:@/]+):[^@/]+@", r"//\1:***@", url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--only", default="", help="only measurements whose name or URL has this")
    parser.add_argument("--no-sync", action="store_true", help="skip the sync batch")
    parser.add_argument("--keep-sync", action="store_true",
                        help="keep the synced entries (default: delete them after the run)")  # fmt: skip
    parser.add_argument("--explain", action="store_true",
                        help="EXPLAIN (ANALYZE, BUFFERS) the slowest query of each FAIL")  # fmt: skip
    parser.add_argument("--explain-all", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "bench" / "out"))
    parser.add_argument(
        "--pg-set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a PostgreSQL setting for the app's connection, to try one (e.g. jit=off)",
    )
    args = parser.parse_args(argv)

    setup_django()
    try:  # the URLconf imports every view: a half-edited module stops everything
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018
    except Exception as exc:
        sys.exit(f"The project does not import ({type(exc).__name__}: {exc}); fix it and rerun.")
    if args.pg_set:
        apply_pg_settings(args.pg_set)
    bench = Bench(args)
    bench.run()
    path = bench.write()
    verdicts = [r.verdict for r in bench.results]
    print(f"\n{verdicts.count('PASS')} pass, {verdicts.count('FAIL')} fail, "
          f"{verdicts.count('N/A')} not available, {verdicts.count('ERROR')} error. "
          f"Results: {path}")  # fmt: skip
    return 1 if "FAIL" in verdicts or "ERROR" in verdicts else 0


if __name__ == "__main__":
    sys.exit(main())
