"""The moment a server process begins to stop, for what holds answers open.

uvicorn lets open answers finish before it stops (for at most
``REPORTGEN_SERVE_GRACE_SECONDS``) and tells the application only afterwards, when its
lifespan ends. A held ``?wait=N`` or an event stream would keep the process, and a
rolling restart, waiting out the whole grace, then be cut off. The HTTP protocol hears
of the stop first (uvicorn calls ``shutdown`` on each open connection) and calls
``begin``; the app registers, for its lifespan, what lets its held answers go: a wait
answers with the job as it is, a stream ends, and their callers ask again, of a server
that runs.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

_hooks: list[Callable[[], None]] = []


@contextmanager
def when_stopping(hook: Callable[[], None]) -> Iterator[None]:
    """Call ``hook`` when the process begins to stop, while the block runs; ``hook`` may
    be called more than once and must return at once."""
    _hooks.append(hook)
    try:
        yield
    finally:
        _hooks.remove(hook)


def begin() -> None:
    """The process begins to stop: call every registered hook."""
    for hook in list(_hooks):
        hook()
