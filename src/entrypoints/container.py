"""The composition root: the one place that picks concrete adapters for the ports.

The HTTP app, the arq worker and the CLI each build this container from the
same ``Settings``; tests override single providers.
"""

from dependency_injector import containers, providers

from adapters.arq.scheduler import ArqJobScheduler, create_redis
from adapters.clock import SystemClock
from adapters.inprocess.scheduler import InProcessJobScheduler
from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork, create_session_factory
from application.generate_report import GenerateReportUseCase
from application.run_report_job import RunReportJobUseCase
from entrypoints.composition import build_token_issuer, build_token_verifier
from entrypoints.http.links import LinkBuilder
from entrypoints.jobs import in_process_handler
from entrypoints.settings import Settings


class Container(containers.DeclarativeContainer):
    """Every adapter and use case of reportgen, wired."""

    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    engine = providers.Singleton(
        create_engine, settings.provided.database_url, command_timeout_seconds=2.0
    )
    session_factory = providers.Singleton(create_session_factory, engine)
    unit_of_work = providers.Factory(SqlAlchemyUnitOfWork, session_factory)

    token_verifier = providers.Singleton(build_token_verifier, settings)
    token_issuer = providers.Singleton(build_token_issuer, settings)

    run_report_job = providers.Factory(RunReportJobUseCase, unit_of_work=unit_of_work, clock=clock)

    redis = providers.Singleton(create_redis, settings.provided.redis_url)
    scheduler = providers.Selector(
        settings.provided.scheduler_backend,
        redis=providers.Singleton(ArqJobScheduler, redis),
        in_process=providers.Singleton(
            InProcessJobScheduler,
            handler=providers.Callable(in_process_handler, run_report_job.provider),
        ),
    )

    generate_report = providers.Factory(
        GenerateReportUseCase,
        unit_of_work=unit_of_work,
        scheduler=scheduler,
        token_verifier=token_verifier,
        clock=clock,
    )

    links = providers.Singleton(LinkBuilder, settings.provided.public_base_url)


def build_container(settings: Settings) -> Container:
    """A container for ``settings``; nothing connects until first use."""
    return Container(settings=settings)
