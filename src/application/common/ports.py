"""The ports every feature uses: the clock, the verifier of tokens, the unit of work.

Each is implemented by an adapter named for its technology and, in tests, by a
hand-written fake in ``tests/fakes.py``.
"""

from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self

from domain.principal import Principal

if TYPE_CHECKING:
    from application.jobs.admission_ports import AdmissionLedger
    from application.jobs.ports import JobRepository
    from application.reports.ports import ReportHistory, ReportRepository
    from application.webhooks.ports import CallbackRepository


class Clock(Protocol):
    """The current time, always timezone-aware UTC."""

    def now(self) -> datetime:
        """Now, in UTC."""
        ...


class TokenVerifier(Protocol):
    """Turns a bearer token into the principal it vouches for (used once, at the edge)."""

    def verify(self, token: str) -> Principal:
        """Return the token's principal; raise ``AuthenticationFailed`` if it is not valid."""
        ...


class Probe(Protocol):
    """Something the service depends on that can say whether it answers."""

    async def ping(self) -> None:
        """Return when it answers; raise ``ServiceUnavailable`` when it does not."""
        ...


class UnitOfWork(Protocol):
    """One transaction: rolled back on leaving unless ``commit`` was called.

    Every method raises ``StorageUnavailable`` when the database fails.
    """

    @property
    def reports(self) -> "ReportRepository":
        """The report configurations, in this transaction."""
        ...

    @property
    def jobs(self) -> "JobRepository":
        """The jobs, in this transaction."""
        ...

    @property
    def admission(self) -> "AdmissionLedger":
        """Idempotency keys and callers' job counts, in this transaction."""
        ...

    @property
    def callbacks(self) -> "CallbackRepository":
        """Jobs' completion callbacks and their deliveries, in this transaction."""
        ...

    @property
    def history(self) -> "ReportHistory":
        """The audit trail of report configurations, in this transaction."""
        ...

    async def __aenter__(self) -> Self:
        """Begin the transaction."""
        ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed, and release the connection."""
        ...

    async def commit(self) -> None:
        """Make the staged work durable and visible."""
        ...
