"""A real container on a migrated SQLite file holding the demo reports, for the job tests."""

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import sqlalchemy as sa

from adapters.sqlalchemy.demo_data import load_demo_sales
from adapters.sqlalchemy.migrate import upgrade_database
from adapters.sqlalchemy.tables import job_execution_log
from application.jobs.generate_report import GenerateReportCommand, JobAccepted
from domain.principal import GENERATE_SCOPE, Principal
from entrypoints.container import Container, build_container
from entrypoints.demo import DEMO_REPORTS
from entrypoints.lifecycle import stop_services
from entrypoints.settings import Settings

#: Enough demo sales for a real report run, few enough to load in a blink.
SALES_ROWS = 500


@asynccontextmanager
async def seeded_container(
    data_dir: Path, env: Mapping[str, str] | None = None
) -> AsyncIterator[Container]:
    """The service's container for ``env``, with the demo reports and a small demo data set.

    Its services are stopped on the way out.
    """
    settings = Settings.from_env({"REPORTGEN_DATA_DIR": str(data_dir), **(env or {})})
    container = build_container(settings)
    try:
        await upgrade_database(settings.database_url)
        async with container.unit_of_work() as uow:
            for report in DEMO_REPORTS:
                await uow.reports.add(report)
            await uow.commit()
        await load_demo_sales(settings.data_sources["demo"], rows=SALES_ROWS)
        yield container
    finally:
        await stop_services(container)


async def generate(container: Container, report_id: str = "report-123") -> JobAccepted:
    """Ask for a report through the real use case, as analyst ``alice``."""
    alice = Principal("alice", roles=frozenset({"analyst"}), scopes=frozenset({GENERATE_SCOPE}))
    command = GenerateReportCommand(principal=alice, report_id=report_id)
    return await container.generate_report().execute(command)


async def job_rows(container: Container) -> list[dict[str, object]]:
    """Every row of ``JobExecutionLog``, read straight from the database."""
    async with container.engine().connect() as connection:
        result = await connection.execute(sa.select(job_execution_log))
        return [dict(row) for row in result.mappings()]
