"""The rule of who sees a job, shared by every use case that reads one."""

from application.ports import UnitOfWork
from domain.errors import JobNotFound
from domain.jobs import Job
from domain.principal import Principal


async def visible_job(uow: UnitOfWork, principal: Principal, job_id: str) -> Job:
    """The job, if ``principal`` may see it; else ``JobNotFound``, as for an unknown id."""
    job = await uow.jobs.get(job_id)
    if job is None or not job.is_visible_to(principal):
        raise JobNotFound()
    return job
