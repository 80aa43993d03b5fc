"""The worker's metrics adapter: runs counted by report and outcome, timed and sized;
sweep actions; webhook attempts; the queue's depth read at each scrape."""

from datetime import timedelta

from adapters.prometheus.job_metrics import PrometheusJobMetrics
from application.jobs.ports import JobOutcome, JobRun
from application.jobs.sweep_jobs import SweepSummary
from application.webhooks.deliver_job_callback import CallbackAttempt
from domain.callbacks import CallbackState


def value(metrics: PrometheusJobMetrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


def test_runs_are_counted_by_report_and_outcome_timed_and_sized() -> None:
    metrics = PrometheusJobMetrics()
    metrics.run_started("sales")
    metrics.delivered(JobRun(JobOutcome.SUCCEEDED, report_id="sales", rows=120), 0.3)
    metrics.run_started("sales")
    metrics.delivered(JobRun(JobOutcome.FAILED, report_id="sales", rows=0), 2.0)

    assert value(metrics, "reportgen_worker_jobs_started_total", report="sales") == 2
    ended = "reportgen_worker_jobs_ended_total"
    assert value(metrics, ended, report="sales", outcome="succeeded") == 1
    assert value(metrics, ended, report="sales", outcome="failed") == 1
    assert value(metrics, "reportgen_worker_job_duration_seconds_count", report="sales") == 2
    assert value(metrics, "reportgen_worker_job_duration_seconds_sum", report="sales") == 2.3
    # Only a successful run's rows are a report's size.
    assert value(metrics, "reportgen_worker_job_rows_count", report="sales") == 1
    assert value(metrics, "reportgen_worker_job_rows_sum", report="sales") == 120


def test_deliveries_that_ran_no_report_are_counted_only_as_deliveries() -> None:
    metrics = PrometheusJobMetrics()
    metrics.delivered(JobRun(JobOutcome.ALREADY_HANDLED), 0.01)
    metrics.delivered(JobRun(JobOutcome.DROPPED), 0.01)

    deliveries = "reportgen_worker_deliveries_total"
    assert value(metrics, deliveries, outcome="already_handled") == 1
    assert value(metrics, deliveries, outcome="dropped") == 1
    assert metrics.registry.get_sample_value("reportgen_worker_jobs_ended_total") is None


def test_each_sweep_adds_what_it_did_by_action() -> None:
    metrics = PrometheusJobMetrics()
    metrics.swept(SweepSummary(requeued=2, expired=3))
    metrics.swept(SweepSummary(requeued=1, unqueued=4))
    metrics.swept(None)

    actions = "reportgen_worker_sweep_actions_total"
    assert value(metrics, actions, action="requeued") == 3
    assert value(metrics, actions, action="expired") == 3
    assert value(metrics, actions, action="unqueued") == 4
    assert value(metrics, actions, action="failed") is None


def test_the_queue_depth_is_read_at_each_scrape_and_left_out_when_it_cannot_be() -> None:
    depths = iter([7, 2])
    metrics = PrometheusJobMetrics(queue_depth=lambda: next(depths))
    assert value(metrics, "reportgen_queue_depth") == 7
    assert value(metrics, "reportgen_queue_depth") == 2

    def down() -> int:
        raise ConnectionError("Redis is down")

    assert value(PrometheusJobMetrics(queue_depth=down), "reportgen_queue_depth") is None


def test_webhook_attempts_are_counted_by_where_they_left_the_callback() -> None:
    metrics = PrometheusJobMetrics()
    metrics.webhook_attempted(CallbackAttempt(True, CallbackState.PENDING, timedelta(seconds=5)))
    metrics.webhook_attempted(CallbackAttempt(True, CallbackState.DELIVERED))
    metrics.webhook_attempted(CallbackAttempt(True, CallbackState.PENDING, timedelta(seconds=30)))
    metrics.webhook_attempted(CallbackAttempt(True, CallbackState.FAILED))

    attempts = "reportgen_worker_webhook_attempts_total"
    assert value(metrics, attempts, outcome="retrying") == 2
    assert value(metrics, attempts, outcome="delivered") == 1
    assert value(metrics, attempts, outcome="given_up") == 1
