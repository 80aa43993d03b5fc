"""Requests held open (``?wait=N``, event streams), counted per caller on each process."""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager


class TooManyHeldRequests(Exception):
    """The caller already holds as many waiting requests as it may (answered with 429)."""

    retry_after_seconds = 5

    def __init__(self, most: int) -> None:
        self.message = (
            f"Too many requests of this caller are waiting on jobs at once (at most {most} "
            "on each server process); close some, or poll."
        )
        super().__init__(self.message)


class HeldRequests:
    """How many requests each caller holds open on this process, at most ``most``."""

    def __init__(self, most: int) -> None:
        self._most = most
        self._held: Counter[str] = Counter()

    def may_hold(self, caller: str) -> bool:
        """Whether ``caller`` may hold one more request now."""
        return self._held[caller] < self._most

    def refuse_if_full(self, caller: str) -> None:
        """``TooManyHeldRequests`` if ``caller`` holds its most already."""
        if not self.may_hold(caller):
            raise TooManyHeldRequests(self._most)

    def take(self, caller: str) -> None:
        """One more held request of ``caller``; each ``take`` is matched by a ``release``."""
        self._held[caller] += 1

    def release(self, caller: str) -> None:
        """One held request of ``caller`` fewer."""
        self._held[caller] -= 1
        if self._held[caller] <= 0:
            del self._held[caller]

    @contextmanager
    def hold(self, caller: str) -> Iterator[None]:
        """``take`` for the block, then ``release``; ``TooManyHeldRequests`` if ``caller``
        holds its most already."""
        self.refuse_if_full(caller)
        self.take(caller)
        try:
            yield
        finally:
            self.release(caller)
