"""The timings and limits of running and sweeping jobs.

``Settings`` fills them from ``REPORTGEN_*`` variables (see the README's
configuration table); the defaults here are the documented ones.
"""

from dataclasses import dataclass
from datetime import timedelta

from domain.report_limits import ReportLimits


@dataclass(frozen=True, slots=True, kw_only=True)
class JobPolicy:
    """How jobs run: their lease, retries, batches and how long results are kept."""

    lease: timedelta = timedelta(minutes=2)
    """A running job's worker holds it this long unless it renews the lease."""
    heartbeat_interval: timedelta = timedelta(seconds=1)
    """How often a running job records its progress, which renews the lease."""
    max_attempts: int = 3
    """Attempts before a job that keeps failing transiently (or losing its worker) fails."""
    first_retry: timedelta = timedelta(seconds=5)
    """The backoff after the first transient failure; it doubles with each attempt."""
    max_retry: timedelta = timedelta(minutes=5)
    """The longest backoff."""
    storage_retry: timedelta = timedelta(seconds=5)
    """A delivery that finds the database down is tried again this much later."""
    row_grace_period: timedelta = timedelta(seconds=30)
    """How long a delivered job whose record is not visible yet is looked for."""
    missing_row_retry: timedelta = timedelta(seconds=1)
    """How soon such a job is looked for again."""
    result_ttl: timedelta = timedelta(hours=24)
    """How long a result can be downloaded before the sweep deletes it."""
    batch_rows: int = 5_000
    """Rows read, rendered and reported as progress at a time."""
    runtime_limit: timedelta = timedelta(hours=1)
    """A job still running after this long is stopped by its worker and fails."""
    query_timeout: timedelta = timedelta(minutes=5)
    """The longest a report's query may compute a batch of rows (a report may set less)."""
    max_rows: int = 100_000_000
    """The most rows a report's file may hold (a report may set less)."""
    max_bytes: int = 50 * 2**30
    """The largest a report's file may grow (a report may set less)."""

    def limits_of(self, own: ReportLimits) -> ReportLimits:
        """A report's limits, each at most the operator's (which apply where it sets none)."""
        ceiling = ReportLimits(self.query_timeout.total_seconds(), self.max_rows, self.max_bytes)
        return own.within(ceiling)

    def retry_delay(self, attempts: int) -> timedelta:
        """Exponential backoff after ``attempts`` failed attempts, capped."""
        delay: timedelta = self.first_retry * 2 ** max(attempts - 1, 0)
        return min(delay, self.max_retry)


@dataclass(frozen=True, slots=True, kw_only=True)
class SweepPolicy:
    """How the housekeeping sweep keeps jobs moving and results bounded."""

    interval: timedelta = timedelta(minutes=1)
    """How often the sweep runs (an arq cron job, or a task of the embedded runner)."""
    redeliver_after: timedelta = timedelta(minutes=5)
    """A job ``Queued`` this long is handed to the scheduler again."""
    batch: int = 100
    """Jobs each step of one sweep handles at most."""
