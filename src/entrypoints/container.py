"""The composition root: the one place that picks concrete adapters for the ports.

The HTTP app, the arq worker and the CLI each build this container from the
same ``Settings``; tests override single providers.
"""

from dependency_injector import containers, providers

from adapters.arq.scheduler import ArqJobScheduler, create_redis
from adapters.clock import SystemClock
from adapters.inprocess.scheduler import InProcessJobScheduler
from adapters.local_operator import LocalOperatorVerifier
from adapters.rendering.renderer import FileReportRenderer
from adapters.results.local import LocalResultStore
from adapters.sqlalchemy.data_sources import SqlAlchemyReportQueries
from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork, create_session_factory
from application.cancel_job import CancelJobUseCase
from application.create_report import CreateReportUseCase
from application.delete_report import DeleteReportUseCase
from application.generate_report import GenerateReportUseCase
from application.get_job import GetJobUseCase
from application.get_job_result import GetJobResultUseCase
from application.get_report import GetReportUseCase
from application.list_jobs import ListJobsUseCase
from application.list_reports import ListReportsUseCase
from application.render_report import ReportFileMaker
from application.replace_report import ReplaceReportUseCase
from application.report_history import ReportHistoryUseCase
from application.run_report_job import JobRunPolicy, RunReportJobUseCase
from application.sweep_jobs import SweepJobsUseCase
from entrypoints.composition import build_token_issuer, build_token_verifier
from entrypoints.http.downloads import ResultDownloads
from entrypoints.http.job_bodies import JobPresenter
from entrypoints.http.links import LinkBuilder
from entrypoints.jobs import SWEEP_INTERVAL, in_process_handler, sweep_action
from entrypoints.periodic import PeriodicTask
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

    report_queries = providers.Singleton(SqlAlchemyReportQueries, settings.provided.data_sources)
    renderer = providers.Singleton(FileReportRenderer)
    result_store = providers.Singleton(LocalResultStore, settings.provided.results_directory)
    file_maker = providers.Factory(
        ReportFileMaker, queries=report_queries, renderer=renderer, store=result_store
    )
    job_policy = providers.Singleton(JobRunPolicy, result_ttl=settings.provided.result_ttl)
    run_report_job = providers.Factory(
        RunReportJobUseCase,
        unit_of_work=unit_of_work,
        clock=clock,
        file_maker=file_maker,
        policy=job_policy,
    )

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

    sweep_jobs = providers.Factory(
        SweepJobsUseCase,
        unit_of_work=unit_of_work,
        clock=clock,
        scheduler=scheduler,
        store=result_store,
        policy=job_policy,
    )
    create_report = providers.Factory(
        CreateReportUseCase,
        unit_of_work=unit_of_work,
        token_verifier=token_verifier,
        queries=report_queries,
        clock=clock,
    )
    operator_create_report = providers.Factory(
        CreateReportUseCase,
        unit_of_work=unit_of_work,
        token_verifier=providers.Singleton(LocalOperatorVerifier),
        queries=report_queries,
        clock=clock,
    )
    replace_report = providers.Factory(
        ReplaceReportUseCase,
        unit_of_work=unit_of_work,
        token_verifier=token_verifier,
        queries=report_queries,
        clock=clock,
    )
    delete_report = providers.Factory(
        DeleteReportUseCase, unit_of_work=unit_of_work, token_verifier=token_verifier, clock=clock
    )
    report_history = providers.Factory(
        ReportHistoryUseCase, unit_of_work=unit_of_work, token_verifier=token_verifier
    )
    list_reports = providers.Factory(
        ListReportsUseCase, unit_of_work=unit_of_work, token_verifier=token_verifier
    )
    get_report = providers.Factory(
        GetReportUseCase, unit_of_work=unit_of_work, token_verifier=token_verifier
    )
    get_job = providers.Factory(
        GetJobUseCase, unit_of_work=unit_of_work, token_verifier=token_verifier
    )
    list_jobs = providers.Factory(
        ListJobsUseCase, unit_of_work=unit_of_work, token_verifier=token_verifier
    )
    cancel_job = providers.Factory(
        CancelJobUseCase, unit_of_work=unit_of_work, token_verifier=token_verifier, clock=clock
    )
    get_job_result = providers.Factory(
        GetJobResultUseCase, unit_of_work=unit_of_work, token_verifier=token_verifier, clock=clock
    )

    in_process_sweeper = providers.Singleton(
        PeriodicTask, providers.Callable(sweep_action, sweep_jobs.provider), SWEEP_INTERVAL
    )

    links = providers.Singleton(LinkBuilder, settings.provided.public_base_url)
    job_presenter = providers.Singleton(JobPresenter, links, clock)
    result_downloads = providers.Singleton(ResultDownloads, result_store)


def build_container(settings: Settings) -> Container:
    """A container for ``settings``; nothing connects until first use."""
    return Container(settings=settings)
