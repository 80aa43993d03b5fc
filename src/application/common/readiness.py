"""Whether the service can do its work: the use case behind ``GET /health/ready``."""

import asyncio
from collections.abc import Mapping
from datetime import timedelta

from application.common.errors import ServiceUnavailable
from application.common.ports import Probe

#: What a probe that answered says.
READY = "ok"


class CheckReadinessUseCase:
    """Ask every dependency at once whether it answers.

    Business rules:
    - Each dependency (``database``, ``scheduler``) answers ``ok`` or says why
      it does not; one that says nothing within ``timeout`` did not answer.
    - The service is ready when every dependency answers.
    """

    def __init__(self, *, probes: Mapping[str, Probe], timeout: timedelta) -> None:
        self._probes = dict(probes)
        self._timeout = timeout.total_seconds()

    async def execute(self) -> dict[str, str]:
        """Each dependency's answer, by name."""
        names = list(self._probes)
        answers = await asyncio.gather(*(self._ask(self._probes[name]) for name in names))
        return dict(zip(names, answers, strict=True))

    async def _ask(self, probe: Probe) -> str:
        try:
            async with asyncio.timeout(self._timeout):
                await probe.ping()
        except ServiceUnavailable as exc:
            return exc.message
        except TimeoutError:
            return "No answer in time."
        return READY
