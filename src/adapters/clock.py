"""SystemClock: the ``Clock`` port on the machine's own clock."""

from datetime import UTC, datetime


class SystemClock:
    """The wall-clock time of this machine, as an aware UTC datetime."""

    def now(self) -> datetime:
        """Now, in UTC."""
        return datetime.now(UTC)
