"""Waiting in a test for something another process does: polled, and bounded in time."""

import contextlib
import time
from collections.abc import Callable

import httpx


def eventually(condition: Callable[[], bool], seconds: float) -> bool:
    """Poll ``condition`` until it holds or the time is up (a server not answering yet
    counts as not yet)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if condition():
                return True
        time.sleep(0.05)
    return False
