"""Summarise a load run: client side from locust's CSV, server side from gunicorn's
access log (time in microseconds), per page; writes summary.txt beside them."""

from __future__ import annotations

import csv
import re
import statistics
import sys
from pathlib import Path

PAGES = [
    ("work list", re.compile(r"^GET / ")),
    ("customer card", re.compile(r"^GET /customers/\d+/ ")),
    ("customer search", re.compile(r"^GET /customers/ ")),
    ("log a call", re.compile(r"^POST /api/v1/communications/ ")),
    ("api customers", re.compile(r"^GET /api/v1/customers/ ")),
    ("sign in", re.compile(r"^(GET|POST) /login/ ")),
]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def main(out: Path) -> None:
    lines = []
    stats = list(csv.DictReader((out / "locust_stats.csv").open()))
    lines.append("client side (locust): page, requests, failures, req/s, median ms, p95 ms")
    for row in stats:
        lines.append(f"  {row['Name']:<16} {row['Request Count']:>7} {row['Failure Count']:>5} "
                     f"{float(row['Requests/s']):>7.1f} {row['Median Response Time']:>6} "
                     f"{row['95%']:>6}")  # fmt: skip
    server: dict[str, list[float]] = {name: [] for name, _ in PAGES}
    statuses: dict[str, int] = {}
    for line in (out / "access.log").read_text().splitlines():
        method, path, _query, status, micros = line.split(" ")
        statuses[status] = statuses.get(status, 0) + 1
        key = f"{method} {path} "
        for name, pattern in PAGES:
            if pattern.match(key) and (name != "work list" or path == "/"):
                server[name].append(int(micros) / 1000)
                break
    lines.append("server side (gunicorn): page, requests, median ms, p95 ms")
    for name, values in server.items():
        if values:
            lines.append(f"  {name:<16} {len(values):>7} {statistics.median(values):>8.1f} "
                         f"{pct(values, 0.95):>8.1f}")  # fmt: skip
    lines.append(f"status codes: {dict(sorted(statuses.items()))}")
    text = "\n".join(lines)
    (out / "summary.txt").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
