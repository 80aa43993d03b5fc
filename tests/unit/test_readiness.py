"""CheckReadinessUseCase with fake probes: every dependency asked at once, each bounded."""

import asyncio
from datetime import timedelta

from application.common.errors import SchedulerUnavailable
from application.common.readiness import READY, CheckReadinessUseCase


class Answers:
    async def ping(self) -> None:
        pass


class Refuses:
    async def ping(self) -> None:
        raise SchedulerUnavailable("The job queue does not answer.")


class Hangs:
    async def ping(self) -> None:
        await asyncio.Event().wait()


async def test_each_dependency_says_ok_or_why_not_and_a_silent_one_times_out() -> None:
    use_case = CheckReadinessUseCase(
        probes={"database": Answers(), "scheduler": Refuses(), "store": Hangs()},
        timeout=timedelta(seconds=0.05),
    )

    async with asyncio.timeout(1):  # all at once: one silent probe costs one timeout
        answers = await use_case.execute()

    assert answers == {
        "database": READY,
        "scheduler": "The job queue does not answer.",
        "store": "No answer in time.",
    }
