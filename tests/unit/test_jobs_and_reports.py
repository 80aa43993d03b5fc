"""The job state machine and the report rules (BR-001, permissions)."""

import pytest

from domain.errors import InvalidJobTransition, PermissionDenied, ReportNotAsynchronous
from domain.jobs import JobStatus
from domain.principal import ADMIN_SCOPE, GENERATE_SCOPE, Principal
from domain.reports import (
    DeliveryChannel,
    DeliveryMode,
    DeliveryTarget,
)
from tests.builders import ASYNC_API, EMAIL, SYNC_API, analyst, queued_job, report
from tests.fakes import FakeClock


def test_job_runs_from_queued_to_succeeded() -> None:
    clock = FakeClock()
    job = queued_job(clock.now())
    job.start(clock.now())
    clock.advance(5)
    job.succeed(clock.now())
    assert job.status is JobStatus.SUCCEEDED
    assert job.attempts == 1
    assert job.finished_at is not None
    assert job.started_at is not None
    assert job.finished_at > job.started_at


def test_failed_job_keeps_its_reason() -> None:
    clock = FakeClock()
    job = queued_job(clock.now())
    job.start(clock.now())
    job.fail("The data source did not answer.", clock.now())
    assert (job.status, job.error) == (JobStatus.FAILED, "The data source did not answer.")


@pytest.mark.parametrize("final", ["succeed", "cancel"])
def test_finished_job_cannot_move_again(final: str) -> None:
    clock = FakeClock()
    job = queued_job(clock.now())
    job.start(clock.now())
    getattr(job, final)(clock.now())
    assert job.status.is_finished
    with pytest.raises(InvalidJobTransition):
        job.start(clock.now())


def test_queued_job_cannot_succeed_without_running() -> None:
    clock = FakeClock()
    with pytest.raises(InvalidJobTransition, match="Queued job cannot become Succeeded"):
        queued_job(clock.now()).succeed(clock.now())


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
        report().ensure_can_be_generated_by(admin)


def test_caller_with_one_of_the_allowed_roles_may_generate() -> None:
    report().ensure_can_be_generated_by(analyst())
    assert not analyst().is_admin
