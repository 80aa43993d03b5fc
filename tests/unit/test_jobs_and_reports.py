"""The job state machine and the report rules (BR-001, permissions)."""

from datetime import timedelta

import pytest

from domain.errors import InvalidJobTransition, PermissionDenied, ReportNotAsynchronous
from domain.job_results import StoredResult
from domain.job_status import JobStatus
from domain.jobs import ABANDONED_REASON, Job
from domain.principal import ADMIN_SCOPE, GENERATE_SCOPE, Principal
from domain.reports import (
    DeliveryChannel,
    DeliveryMode,
    DeliveryTarget,
)
from tests.builders import ASYNC_API, EMAIL, SYNC_API, analyst, queued_job, report
from tests.fakes import FakeClock

RESULT = StoredResult("k.csv", "report-123-k.csv", "text/csv", 12, "ab" * 32, 3)
LEASE = timedelta(minutes=2)


def running_job(clock: FakeClock) -> Job:
    job = queued_job(clock.now())
    job.start(clock.now(), clock.now() + LEASE)
    return job


def test_job_runs_from_queued_to_succeeded_with_its_result() -> None:
    clock = FakeClock()
    job = running_job(clock)
    assert (job.status, job.attempts) == (JobStatus.RUNNING, 1)
    assert job.lease_expires_at == clock.now() + LEASE
    clock.advance(5)
    job.succeed(RESULT, clock.now(), clock.now() + timedelta(hours=24))
    assert job.status is JobStatus.SUCCEEDED
    assert (job.result, job.rows_written, job.progress_percent) == (RESULT, 3, 100.0)
    assert job.lease_expires_at is None
    assert job.finished_at is not None
    assert job.started_at is not None
    assert job.finished_at > job.started_at
    assert job.result_is_available(clock.now())
    clock.advance(24 * 3600)
    assert not job.result_is_available(clock.now())


def test_failed_job_keeps_its_reason_and_has_no_result() -> None:
    clock = FakeClock()
    job = running_job(clock)
    job.fail("The data source did not answer.", clock.now())
    assert (job.status, job.error) == (JobStatus.FAILED, "The data source did not answer.")
    assert not job.result_is_available(clock.now())


def test_progress_renews_the_lease_and_caps_the_percentage() -> None:
    clock = FakeClock()
    job = running_job(clock)
    clock.advance(60)
    job.record_progress(150, 100.04, clock.now() + LEASE)
    assert (job.rows_written, job.progress_percent) == (150, 100.0)
    assert job.lease_expires_at == clock.now() + LEASE


def test_requeued_job_starts_again_as_a_new_attempt() -> None:
    clock = FakeClock()
    job = running_job(clock)
    job.record_progress(10, 50.0, clock.now())
    job.requeue()
    assert (job.status, job.lease_expires_at) == (JobStatus.QUEUED, None)
    job.start(clock.now(), clock.now() + LEASE)
    assert (job.attempts, job.rows_written, job.progress_percent) == (2, 0, None)


def test_expired_result_is_discarded_but_the_job_stays_succeeded() -> None:
    clock = FakeClock()
    job = running_job(clock)
    job.succeed(RESULT, clock.now(), clock.now() + timedelta(seconds=1))
    job.discard_result()
    assert (job.status, job.result) == (JobStatus.SUCCEEDED, None)
    assert not job.result_is_available(clock.now())


@pytest.mark.parametrize("final", ["succeed", "cancel", "fail"])
def test_finished_job_cannot_move_again(final: str) -> None:
    clock = FakeClock()
    job = running_job(clock)
    {
        "succeed": lambda: job.succeed(RESULT, clock.now(), clock.now()),
        "cancel": lambda: job.cancel(clock.now()),
        "fail": lambda: job.fail("x", clock.now()),
    }[final]()
    assert job.status.is_finished
    with pytest.raises(InvalidJobTransition):
        job.start(clock.now(), clock.now())
    with pytest.raises(InvalidJobTransition):
        job.requeue()


def test_queued_job_cannot_succeed_without_running() -> None:
    clock = FakeClock()
    with pytest.raises(InvalidJobTransition, match="Queued job cannot become Succeeded"):
        queued_job(clock.now()).succeed(RESULT, clock.now(), clock.now())


def test_only_the_owner_and_administrators_see_a_job() -> None:
    job = queued_job(requested_by="alice")
    assert job.is_visible_to(analyst("alice"))
    assert not job.is_visible_to(analyst("bob"))
    assert job.is_visible_to(Principal("root", scopes=frozenset({ADMIN_SCOPE})))


def test_only_an_async_api_response_target_allows_generation() -> None:
    assert ASYNC_API.is_async_api_response
    assert not SYNC_API.is_async_api_response
    assert not EMAIL.is_async_api_response
    email_async = DeliveryTarget(DeliveryChannel.EMAIL, DeliveryMode.ASYNC)
    assert not email_async.is_async_api_response
    report(targets=(EMAIL, ASYNC_API)).ensure_supports_async_generation()
    with pytest.raises(ReportNotAsynchronous):
        report(targets=(EMAIL, SYNC_API)).ensure_supports_async_generation()
    with pytest.raises(ReportNotAsynchronous):
        report(targets=()).ensure_supports_async_generation()


def test_admin_scope_alone_does_not_grant_generation() -> None:
    admin = Principal("root", scopes=frozenset({ADMIN_SCOPE}))
    assert admin.is_admin
    with pytest.raises(PermissionDenied, match=GENERATE_SCOPE):
        admin.ensure_may_generate()
    admin.ensure_may_read_jobs()
    admin.ensure_admin()


def test_caller_with_one_of_the_allowed_roles_may_generate() -> None:
    analyst().ensure_may_generate()
    report().ensure_roles_allow(analyst())
    report(roles=frozenset()).ensure_roles_allow(Principal("anyone"))
    with pytest.raises(PermissionDenied, match="roles"):
        report().ensure_roles_allow(Principal("sam", roles=frozenset({"sales"})))
    assert not analyst().is_admin
    with pytest.raises(PermissionDenied, match=ADMIN_SCOPE):
        analyst().ensure_admin()


def test_a_caller_without_a_scope_may_read_no_jobs() -> None:
    with pytest.raises(PermissionDenied, match=GENERATE_SCOPE):
        Principal("alice", roles=frozenset({"analyst"})).ensure_may_read_jobs()


def test_the_operator_at_the_machine_is_an_administrator_named_after_the_user() -> None:
    operator = Principal.operator("ops")
    assert (operator.subject, operator.is_admin, operator.may_generate) == (
        "operator:ops",
        True,
        False,
    )


def test_an_abandoned_job_is_requeued_until_it_runs_out_of_attempts() -> None:
    clock = FakeClock()
    job = running_job(clock)
    assert not job.is_abandoned(clock.now())
    with pytest.raises(InvalidJobTransition, match="not abandoned"):
        job.recover_abandoned(clock.now(), max_attempts=3)
    clock.advance(LEASE.total_seconds())
    assert job.is_abandoned(clock.now())
    job.recover_abandoned(clock.now(), max_attempts=3)
    assert (job.status, job.lease_expires_at) == (JobStatus.QUEUED, None)
    for _ in range(2):  # attempts 2 and 3 die too
        job.start(clock.now(), clock.now() + LEASE)
        clock.advance(LEASE.total_seconds())
        job.recover_abandoned(clock.now(), max_attempts=3)
    assert (job.status, job.attempts) == (JobStatus.FAILED, 3)
    assert job.error == ABANDONED_REASON


def test_a_transient_failure_requeues_until_the_job_runs_out_of_attempts() -> None:
    clock = FakeClock()
    job = running_job(clock)
    later = clock.now() + timedelta(seconds=5)
    job.retry_later("The data source is unavailable.", clock.now(), max_attempts=2, due_at=later)
    assert (job.status, job.due_at) == (JobStatus.QUEUED, later)
    assert not job.is_due(clock.now())
    clock.advance(5)
    assert job.is_due(clock.now())
    job.start(clock.now(), clock.now() + LEASE)
    assert job.due_at is None
    job.retry_later("The data source is unavailable.", clock.now(), max_attempts=2, due_at=later)
    assert (job.status, job.error) == (
        JobStatus.FAILED,
        "The data source is unavailable. Gave up after 2 attempts.",
    )
