"""Fixtures of the fault tests: a Redis of the test's own as the broker of real workers."""

from __future__ import annotations

import pytest

from tests.processes import point_celery_at, redis_server


@pytest.fixture
def broker():
    """A private redis-server; this process publishes its tasks there (not in-process)."""
    with redis_server() as url:
        restore = point_celery_at(url)
        try:
            yield url
        finally:
            restore()
