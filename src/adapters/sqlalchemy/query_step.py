"""One step of a report query read through SQLAlchemy (starting it, a fetch), bounded in time."""

import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sqlalchemy.data_source_errors import query_timed_out, translated_errors
from adapters.sqlalchemy.read_only import time_limit
from application.common.errors import DataSourceUnavailable

#: The data source's own statement timeout stops a step first; this much later the
#: client gives up on it too (a data source that does not enforce it, or cannot answer).
_CLIENT_MARGIN_SECONDS = 1.0


class QueryStep:
    """``step()`` wraps one step: database errors become the port's, and a step that
    outlasts ``timeout`` (stopped by the data source or, just after, by the client)
    raises ``ReportLimitExceeded``."""

    def __init__(self, connection: AsyncConnection, data_source: str, timeout: float | None):
        self._connection = connection
        self._data_source = data_source
        self._timeout = timeout

    def __call__(self) -> AbstractAsyncContextManager[None]:
        return self._step()

    @asynccontextmanager
    async def _step(self) -> AsyncIterator[None]:
        timeout = self._timeout
        if timeout is None:
            with translated_errors(self._data_source):
                yield
            return
        started = time.monotonic()
        try:
            with translated_errors(self._data_source, query_timeout=timeout):
                async with time_limit(self._connection, timeout + _CLIENT_MARGIN_SECONDS):
                    yield
        except (TimeoutError, DataSourceUnavailable) as error:
            if time.monotonic() - started < timeout:
                raise
            raise query_timed_out(timeout) from error
