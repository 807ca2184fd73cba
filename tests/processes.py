"""Helpers for tests that start real processes (a worker, beat, a web server)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


def wait_for(check: Callable[[], Any], what: str, log: Path, timeout: float = 90.0) -> Any:
    """Poll ``check`` until it returns something true; on time-out fail with the log's tail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.5)
    pytest.fail(f"Timed out waiting for {what}; log:\n{log.read_text()[-4000:]}")


def stop(process: subprocess.Popen) -> None:
    """Terminate a process started by a test, and kill it if it will not go."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
