"""The container wires Settings into the adapters, and starts and stops its services."""

import logging
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from dependency_injector import providers

from entrypoints.container import build_container
from entrypoints.lifecycle import start_services, stop_services
from entrypoints.settings import Settings, SettingsError
from entrypoints.worker import worker_settings


def settings(tmp_path: Path, **variables: str) -> Settings:
    return Settings.from_env({"REPORTGEN_DATA_DIR": str(tmp_path), **variables})


async def test_the_database_timeout_bounds_the_sqlite_busy_wait(
    tmp_path: Path,
) -> None:
    container = build_container(settings(tmp_path, REPORTGEN_DATABASE_TIMEOUT_SECONDS="0.75"))
    engine = container.engine()
    try:
        async with engine.connect() as connection:
            busy = await connection.scalar(sa.text("PRAGMA busy_timeout"))
        assert busy == 750
    finally:
        await engine.dispose()


def test_the_worker_sweeps_and_limits_jobs_as_configured(tmp_path: Path) -> None:
    configured = settings(
        tmp_path,
        REPORTGEN_REDIS_URL="redis://127.0.0.1:6379/0",
        REPORTGEN_SWEEP_INTERVAL_SECONDS="20",
        REPORTGEN_JOB_TIMEOUT_SECONDS="900",
    )

    worker = worker_settings(configured)

    [sweep] = worker["cron_jobs"]
    assert (sweep.second, sweep.minute) == ({0, 20, 40}, None)
    assert worker["job_timeout"] == timedelta(seconds=900 + 30).total_seconds()


class Recording:
    """A service that records its starts and stops; it may fail to stop."""

    def __init__(self, name: str, events: list[str], *, fail_to_stop: bool = False) -> None:
        self.name, self.events, self.fail_to_stop = name, events, fail_to_stop

    async def start(self) -> None:
        self.events.append(f"start {self.name}")

    async def stop(self) -> None:
        self.events.append(f"stop {self.name}")
        if self.fail_to_stop:
            raise OSError("the connection was already gone")


async def test_services_start_in_order_and_stop_in_reverse_even_when_one_fails(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    container = build_container(settings(tmp_path))
    events: list[str] = []
    services = [
        Recording("database", events),
        Recording("queries", events, fail_to_stop=True),
        Recording("scheduler", events),
    ]
    container.services.override(providers.Object(services))
    caplog.set_level(logging.ERROR)

    await start_services(container)
    await stop_services(container)

    assert events == [
        "start database",
        "start queries",
        "start scheduler",
        "stop scheduler",
        "stop queries",
        "stop database",
    ]
    assert "Recording did not stop cleanly." in caplog.messages


def test_a_public_key_file_that_is_not_a_key_stops_the_program_naming_it(tmp_path: Path) -> None:
    key_file = tmp_path / "idp.pem"
    key_file.write_text("-----BEGIN PUBLIC KEY-----\nnot a key\n")
    container = build_container(settings(tmp_path, REPORTGEN_JWT_PUBLIC_KEY_FILE=str(key_file)))

    with pytest.raises(SettingsError, match="REPORTGEN_JWT_PUBLIC_KEY_FILE"):
        container.token_verifier()
    with pytest.raises(SettingsError, match="signs HS256 tokens only"):
        container.token_issuer()
