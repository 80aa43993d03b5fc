"""Reading and writing job records the way every job use case must."""

from application.common.ports import UnitOfWork
from domain.errors import JobNotFound
from domain.job_status import JobStatus
from domain.jobs import Job
from domain.principal import Principal


async def visible_job(uow: UnitOfWork, principal: Principal, job_id: str) -> Job:
    """The job, if ``principal`` may read jobs (``PermissionDenied``) and see this one;
    else ``JobNotFound``, as for an unknown id."""
    principal.ensure_may_read_jobs()
    job = await uow.jobs.get(job_id)
    if job is None or not job.is_visible_to(principal):
        raise JobNotFound()
    return job


async def save_job(
    uow: UnitOfWork, job: Job, *, if_status: JobStatus, if_attempts: int | None = None
) -> bool:
    """Write ``job`` in a transaction of its own if its record is still ``if_status``
    (and at ``if_attempts`` attempts, if given).

    Returns whether it was written: ``False`` means another writer moved the job
    first (a cancellation, or another worker's claim).
    """
    async with uow:
        saved = await uow.jobs.save(job, if_status=if_status, if_attempts=if_attempts)
        await uow.commit()
    return saved
