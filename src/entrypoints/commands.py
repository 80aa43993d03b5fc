"""What each ``reportgen`` command does, given checked settings."""

import getpass
import math
import sys

import uvicorn
from redis.exceptions import RedisError

from adapters.arq.running import run_worker
from adapters.sqlalchemy.migrate import upgrade_database
from application.common.errors import SchedulerUnavailable
from domain.principal import Principal
from entrypoints.client_deadlines import BoundedHttpToolsProtocol
from entrypoints.container import build_container
from entrypoints.demo import seed_demo
from entrypoints.embedded_serve import embedded_workers
from entrypoints.lifecycle import stop_services
from entrypoints.logs import logging_config
from entrypoints.open_files import raise_open_files_limit
from entrypoints.settings import Settings, SettingsError
from entrypoints.tracing import start_tracing
from entrypoints.worker import worker_settings


async def upgrade(settings: Settings) -> int:
    """``reportgen db upgrade``."""
    await upgrade_database(settings.database_url)
    print("Database schema is up to date.")
    return 0


async def seed(settings: Settings) -> int:
    """``reportgen demo seed``."""
    container = build_container(settings)
    try:
        added, rows = await seed_demo(container, Principal.operator(getpass.getuser()))
    finally:
        await stop_services(container)
    print(f"Demo data ready: {added} report(s) added, {rows} sales rows.")
    return 0


def serve(settings: Settings, *, host: str, port: int, workers: int) -> int:
    """``reportgen serve``: uvicorn on the app factory (each process builds its own app).

    Its access log (a line per request) is off unless ``REPORTGEN_ACCESS_LOG`` is true:
    the request metrics at ``/metrics`` count every request by route and status for
    less, and a reverse proxy usually logs requests already.

    Without Redis it first starts the embedded job workers, separate processes that
    run the jobs, and stops them after the API (``entrypoints.embedded_serve``).
    """
    if workers < 1:
        raise SettingsError("--workers must be at least 1.")
    raise_open_files_limit()  # its server and worker processes inherit it
    build_container(settings).token_verifier()  # fail now on a bad key, not at the first request
    with embedded_workers(settings):
        uvicorn.run(
            "entrypoints.asgi:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            proxy_headers=True,
            log_config=logging_config(settings),  # each server process logs like this one
            log_level=settings.log_level.lower(),
            access_log=settings.access_log,
            http=BoundedHttpToolsProtocol,
            timeout_keep_alive=settings.timeouts.keep_alive.total_seconds(),  # type: ignore[arg-type]
            # Open waits and event streams would otherwise hold a stopping server for good.
            timeout_graceful_shutdown=math.ceil(settings.timeouts.serve_grace.total_seconds()),
            h11_max_incomplete_event_size=settings.limits.max_header_bytes,
        )
    return 0


def worker(settings: Settings, *, burst: bool = False) -> int:
    """``reportgen worker [--burst]``: one arq worker; stop it with SIGINT or SIGTERM.

    With ``burst`` it processes the queued jobs, then exits. Once started it waits out
    a Redis outage. Told to stop, it waits ``REPORTGEN_WORKER_GRACE_SECONDS`` for its
    running jobs, then gives the others back to the queue.
    """
    start_tracing(settings.tracing, "worker")
    raise_open_files_limit()
    try:
        run_worker(worker_settings(settings), burst=burst, grace=settings.timeouts.worker_grace)
    except (RedisError, OSError) as error:  # arq has tried a few times already
        raise SchedulerUnavailable(
            "Redis (REPORTGEN_REDIS_URL) does not answer; the worker cannot start."
        ) from error
    return 0


def token(settings: Settings, *, sub: str, roles: list[str], scopes: list[str], ttl: int) -> int:
    """``reportgen token``: print a signed HS256 token for development and tests."""
    if ttl < 1:
        raise SettingsError("--ttl must be at least 1 second.")
    longest = settings.timeouts.jwt_max_lifetime.total_seconds()
    if ttl > longest:
        raise SettingsError(
            f"--ttl must be at most {longest:g} seconds (REPORTGEN_JWT_MAX_LIFETIME_SECONDS)."
        )
    container = build_container(settings)
    issued = container.token_issuer().issue(
        sub, roles, scopes or ["reports:generate"], ttl, container.clock().now()
    )
    sys.stdout.write(issued + "\n")
    return 0
