"""The worker's Prometheus metrics: its job runs, the sweeps it made, the webhooks it
sent, the queue's depth.

Kept in a registry of their own (not the process's default one), so that tests and the
API's ``/metrics`` never see them twice; ``reportgen worker`` serves them over HTTP.
"""

from collections.abc import Callable, Iterator
from dataclasses import fields

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from application.jobs.ports import JobOutcome, JobRun
from application.jobs.sweep_jobs import SweepSummary
from application.webhooks.deliver_job_callback import CallbackAttempt
from domain.callbacks import CallbackState

#: Seconds: small jobs take tens of milliseconds, exports of millions of rows minutes.
DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600)
ROW_BUCKETS = (10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000)
#: The outcomes of a run that are counted by report (the others never ran a report).
_RAN = {
    JobOutcome.SUCCEEDED: "succeeded",
    JobOutcome.FAILED: "failed",
    JobOutcome.CANCELLED: "cancelled",
    JobOutcome.RETRY_LATER: "retry_later",
}

#: An attempt's outcome, by the state it left its callback in.
_WEBHOOK_OUTCOMES = {
    CallbackState.DELIVERED: "delivered",
    CallbackState.PENDING: "retrying",
    CallbackState.FAILED: "given_up",
}


class PrometheusJobMetrics:
    """Counts and times what the worker does; ``registry`` is what its endpoint serves.

    ``queue_depth`` (when given) is asked at each scrape for the jobs waiting in the
    queue; a failure there leaves the gauge out of that scrape rather than failing it.
    """

    def __init__(self, queue_depth: Callable[[], int] | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._started = Counter(
            "reportgen_worker_jobs_started",
            "Job runs started, by report.",
            ["report"],
            registry=self.registry,
        )
        self._ended = Counter(
            "reportgen_worker_jobs_ended",
            "Job runs ended, by report and outcome (succeeded, failed, cancelled, retry_later).",
            ["report", "outcome"],
            registry=self.registry,
        )
        self._seconds = Histogram(
            "reportgen_worker_job_duration_seconds",
            "How long a job run took, claim to end, by report.",
            ["report"],
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self._rows = Histogram(
            "reportgen_worker_job_rows",
            "Rows written by a successful job run, by report.",
            ["report"],
            buckets=ROW_BUCKETS,
            registry=self.registry,
        )
        self._deliveries = Counter(
            "reportgen_worker_deliveries",
            "Deliveries of a job to this worker, by what they came to.",
            ["outcome"],
            registry=self.registry,
        )
        self._sweeps = Counter(
            "reportgen_worker_sweep_actions",
            "What the sweeps of this worker did to jobs and keys, by action.",
            ["action"],
            registry=self.registry,
        )
        self._webhooks = Counter(
            "reportgen_worker_webhook_attempts",
            "Completion webhook attempts made by this worker, by what they came to "
            "(delivered, retrying, given_up).",
            ["outcome"],
            registry=self.registry,
        )
        if queue_depth is not None:
            self.registry.register(_QueueDepth(queue_depth))

    def run_started(self, report_id: str) -> None:
        """Count a run of ``report_id`` that starts (a ``JobRunWatcher``)."""
        self._started.labels(report_id).inc()

    def delivered(self, run: JobRun, seconds: float) -> None:
        """Count one delivery, and, if it ran its report, the run's outcome, time and rows."""
        self._deliveries.labels(run.outcome.value).inc()
        outcome = _RAN.get(run.outcome)
        if run.report_id is None or outcome is None:
            return
        self._ended.labels(run.report_id, outcome).inc()
        self._seconds.labels(run.report_id).observe(seconds)
        if run.outcome is JobOutcome.SUCCEEDED and run.rows is not None:
            self._rows.labels(run.report_id).observe(run.rows)

    def webhook_attempted(self, attempt: CallbackAttempt) -> None:
        """Count one attempt to deliver a completion webhook, by where it left the callback."""
        if attempt.state is not None:
            self._webhooks.labels(_WEBHOOK_OUTCOMES[attempt.state]).inc()

    def swept(self, summary: object) -> None:
        """Add what one sweep did (a ``SweepSummary``; anything else is ignored)."""
        if not isinstance(summary, SweepSummary):
            return
        for field in fields(summary):
            if count := getattr(summary, field.name):
                self._sweeps.labels(field.name).inc(count)


class _QueueDepth(Collector):
    """``reportgen_queue_depth``: the jobs waiting in the queue, read at each scrape."""

    def __init__(self, depth: Callable[[], int]) -> None:
        self._depth = depth

    def describe(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily("reportgen_queue_depth", "Jobs waiting in the queue.")

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            depth = self._depth()
        except Exception:  # Redis down: no figure this time, the scrape still answers
            return
        yield GaugeMetricFamily("reportgen_queue_depth", "Jobs waiting in the queue.", depth)
