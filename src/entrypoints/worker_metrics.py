"""The Prometheus endpoint of ``reportgen worker``: its metrics, and what feeds them."""

import time
from collections.abc import Awaitable, Callable
from typing import Any

from dependency_injector import providers
from prometheus_client import start_http_server

from adapters.arq.queue_depth import queue_depth_reader
from adapters.prometheus.job_metrics import PrometheusJobMetrics
from application.jobs.ports import JobHandler, JobMessage, JobRun
from entrypoints.container import Container
from entrypoints.settings import Settings


class WorkerMetrics:
    """The worker's metrics: its job handler and sweep wrapped to count and time them, and
    the HTTP endpoint (``REPORTGEN_WORKER_METRICS_ADDRESS``) that serves them."""

    def __init__(
        self, address: tuple[str, int], redis_url: str, settings: Settings, container: Container
    ) -> None:
        self.address = address
        self.metrics = PrometheusJobMetrics(
            queue_depth_reader(
                redis_url,
                timeout_seconds=settings.timeouts.queue.total_seconds(),
            )
        )
        container.job_run_watcher.override(providers.Object(self.metrics))
        container.callback_watcher.override(providers.Object(self.metrics.webhook_attempted))
        self._server: Any = None

    def handler(self, run_job: JobHandler) -> JobHandler:
        """``run_job``, each delivery counted and timed."""

        async def handle(message: JobMessage) -> JobRun:
            began = time.perf_counter()
            run = await run_job(message)
            self.metrics.delivered(run, time.perf_counter() - began)
            return run

        return handle

    def sweep(self, sweep: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[object]]:
        """``sweep``, what each one did counted."""

        async def swept() -> object:
            summary = await sweep()
            self.metrics.swept(summary)
            return summary

        return swept

    def start(self) -> None:
        """Serve the metrics (a thread of the worker's process)."""
        host, port = self.address
        self._server, _ = start_http_server(port, addr=host, registry=self.metrics.registry)

    def stop(self) -> None:
        """Stop serving them."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
