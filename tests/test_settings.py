"""The one settings module: an embedded default with nothing set, PostgreSQL and Redis by URL.

Each case imports the settings in a fresh interpreter with a clean environment, so
neither the developer's shell nor pytest's own settings leak in.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    (ROOT / ".env").exists(), reason="a .env file sets variables these tests expect unset"
)

READ_SETTINGS = """
import json
import re
from django.conf import settings
from creditcontrol.celery import app
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST", ""),
    "conn_max_age": db.get("CONN_MAX_AGE"),
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION", ""),
    "broker": app.conf.broker_url, "eager": app.conf.task_always_eager,
    "email": settings.EMAIL_BACKEND, "debug": settings.DEBUG,
    "health_checks": db.get("CONN_HEALTH_CHECKS", False),
    "connect_timeout": db.get("OPTIONS", {}).get("connect_timeout"),
    "transport": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    "acks_late": settings.CELERY_TASK_ACKS_LATE,
    "prefetch": settings.CELERY_WORKER_PREFETCH_MULTIPLIER,
}))
"""


def clean_env(**variables: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "creditcontrol.settings",
        **variables,
    }


def read_settings(**variables: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", READ_SETTINGS],
        env=clean_env(**variables),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_with_nothing_set_it_runs_on_sqlite_a_serverless_queue_and_email_to_files():
    found = read_settings()
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["name"] == str(ROOT / "db.sqlite3")
    # Tasks go to a queue in files that `make demo`'s worker (with embedded beat) takes.
    assert found["eager"] is False
    assert found["broker"] == "filesystem://"
    assert found["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert found["email"] == "django.core.mail.backends.filebased.EmailBackend"
    assert found["debug"] is True


def test_setting_secret_key_marks_a_deployment_with_debug_off():
    assert read_settings(SECRET_KEY=secrets.token_urlsafe(50))["debug"] is False


def test_database_url_and_redis_url_switch_to_postgresql_and_redis():
    found = read_settings(
        DATABASE_URL="postgres://cc:secret@db.internal:5432/creditcontrol",
        REDIS_URL="redis://cache.internal:6379/0",
    )
    assert found["engine"] == "django.db.backends.postgresql"
    assert (found["name"], found["host"]) == ("creditcontrol", "db.internal")
    assert found["conn_max_age"] == 60
    assert found["eager"] is False
    assert found["broker"] == "redis://cache.internal:6379/0"
    # Django's Redis cache, degrading to local memory while Redis is down.
    assert found["cache"] == "creditcontrol.cache.FallbackRedisCache"
    assert found["cache_location"] == "redis://cache.internal:6379/0"


def test_a_dead_workers_task_comes_back_in_minutes_and_the_database_is_reconnected():
    """A task a killed worker held is redelivered after the visibility timeout, which fits
    the longest task (an engine run at a million entries takes under 30 s, an outbox
    delivery stops itself at 240 s), and kombu looks for such tasks every 10 s instead of
    every 100 (tests/faults/ kill real workers). A kept PostgreSQL connection is checked
    before use, and connecting gives up after a bound (tests/faults/test_postgres_restart)."""
    from followups.tasks import DELIVERY_SECONDS

    found = read_settings(DATABASE_URL="postgres://cc:secret@db.internal:5432/creditcontrol",
                          REDIS_URL="redis://cache.internal:6379/0")  # fmt: skip
    transport = found["transport"]
    assert DELIVERY_SECONDS < transport["visibility_timeout"] <= 900
    assert transport["unacked_restore_interval"] * transport["unacked_restore_throttle"] <= 10
    assert found["acks_late"] is True and found["prefetch"] == 1
    assert found["health_checks"] is True and 0 < found["connect_timeout"] <= 10


def test_check_deploy_passes_with_a_production_environment():
    env = clean_env(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="credit.example.com",
        CSRF_TRUSTED_ORIGINS="https://credit.example.com",
        DATABASE_URL="postgres://cc:secret@db.internal:5432/creditcontrol",
        REDIS_URL="redis://cache.internal:6379/0",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_without_a_secret_key():
    # No SECRET_KEY means the embedded default, whose HTTPS hardening is off.
    env = clean_env(DEBUG="false", ALLOWED_HOSTS="credit.example.com")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "security." in result.stderr


def test_readme_configuration_table_lists_every_variable_the_settings_read():
    source = (ROOT / "creditcontrol" / "settings.py").read_text()
    read = set(re.findall(r'env(?:\.[a-z]+)?\(\s*"([A-Z][A-Z0-9_]*)"', source))
    read |= set(re.findall(r'"([A-Z][A-Z0-9_]*)" in env\.ENVIRON', source))
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= read
    readme = (ROOT / "README.md").read_text()
    table = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", readme, re.MULTILINE))
    assert read - table == set(), "add these to the configuration table in README.md"
