"""The composition root: the one place that picks concrete adapters for the ports.

The HTTP app, the arq worker and the CLI each build this container from the
same ``Settings``; tests override single providers. Every production value
comes from ``Settings``.
"""

from collections.abc import Callable
from typing import Any, ClassVar

from dependency_injector import containers, providers

from adapters.announcements.local import LocalJobChanges, change_addresses
from adapters.announcements.postgres import PostgresJobChanges
from adapters.announcements.redis import RedisJobChanges, changes_channel
from adapters.arq.scheduler import ArqJobScheduler, create_redis
from adapters.clock import SystemClock
from adapters.embedded.periodic import PeriodicTask
from adapters.embedded.runner import EmbeddedJobRunner
from adapters.embedded.scheduler import EmbeddedJobScheduler
from adapters.embedded.wakeup import WakeUpSender, wake_addresses
from adapters.jwt.cache import CachedTokenVerifier
from adapters.rendering.renderer import FileReportRenderer
from adapters.sqlalchemy.data_sources import SqlAlchemyReportQueries
from adapters.sqlalchemy.engine import SqlAlchemyDatabase, create_engine
from adapters.sqlalchemy.report_catalog import SqlAlchemyReportCatalog
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from adapters.sqlalchemy.write_gate import write_gate
from application.common.readiness import CheckReadinessUseCase
from application.jobs.admission import AdmissionPolicy
from application.jobs.cancel_job import CancelJobUseCase
from application.jobs.download_result import DownloadResultUseCase
from application.jobs.follow_job import FollowJobUseCase
from application.jobs.generate_report import GenerateReportUseCase
from application.jobs.get_job import GetJobUseCase
from application.jobs.intake import JobIntake
from application.jobs.list_jobs import ListJobsUseCase
from application.jobs.ports import JobRunWatcher
from application.jobs.report_file_maker import ReportFileMaker
from application.jobs.run_next_job import RunNextJobUseCase
from application.jobs.run_report_job import RunReportJobUseCase
from application.jobs.sweep_jobs import SweepJobsUseCase
from application.jobs.wait_for_job import WaitForJobUseCase
from application.reports.create_report import CreateReportUseCase
from application.reports.delete_report import DeleteReportUseCase
from application.reports.get_report import GetReportUseCase
from application.reports.list_reports import ListReportsUseCase
from application.reports.read_report_history import ReadReportHistoryUseCase
from application.reports.replace_report import ReplaceReportUseCase
from application.webhooks.deliver_job_callback import CallbackAttempt, DeliverJobCallbackUseCase
from application.webhooks.read_job_deliveries import ReadJobDeliveriesUseCase
from entrypoints.composition import (
    build_result_store,
    build_token_issuer,
    build_token_verifier,
    each_time_fresh,
)
from entrypoints.http.job_documents import JsonJobDocuments
from entrypoints.settings import Settings
from entrypoints.tracing import run_tracer as traced_runs
from entrypoints.webhooks import build_callback_dispatcher, build_webhook_sender


class Container(containers.DeclarativeContainer):
    """Every adapter and use case of reportgen, wired."""

    settings = providers.Dependency(instance_of=Settings)
    _timeouts = settings.provided.timeouts
    _database_seconds = _timeouts.database.total_seconds.call()
    _queue_seconds = _timeouts.queue.total_seconds.call()
    _jobs = settings.provided.jobs
    _limits = settings.provided.limits

    clock = providers.Singleton(SystemClock)
    engine = providers.Singleton(
        create_engine,
        settings.provided.database_url,
        timeout_seconds=_database_seconds,
        command_timeout_seconds=_database_seconds,
    )
    database = providers.Singleton(SqlAlchemyDatabase, engine, timeout_seconds=_database_seconds)
    redis = providers.Singleton(
        create_redis, settings.provided.redis_url, timeout_seconds=_queue_seconds
    )
    #: Job changes, announced after each commit and heard by ``?wait=N`` and event streams.
    job_changes = providers.Selector(
        settings.provided.job_changes_backend,
        redis=providers.Singleton(
            RedisJobChanges,
            redis,
            providers.Callable(changes_channel, settings.provided.database_url),
        ),
        postgres=providers.Singleton(
            PostgresJobChanges,
            engine,
            settings.provided.database_url,
            timeout_seconds=_database_seconds,
        ),
        local=providers.Singleton(
            LocalJobChanges,
            providers.Callable(change_addresses, settings.provided.database_url),
        ),
    )
    unit_of_work = providers.Factory(
        SqlAlchemyUnitOfWork,
        engine,
        providers.Singleton(write_gate, engine, timeout_seconds=_database_seconds),
        job_changes,
    )

    token_verifier = providers.Singleton(
        CachedTokenVerifier,
        providers.Singleton(build_token_verifier, settings),
        max_tokens=_limits.token_cache_size,
    )
    token_issuer = providers.Singleton(build_token_issuer, settings)

    report_queries = providers.Singleton(
        SqlAlchemyReportQueries,
        settings.provided.data_sources,
        timeout_seconds=_timeouts.data_source.total_seconds.call(),
    )
    renderer = providers.Singleton(FileReportRenderer)
    result_store = providers.Singleton(build_result_store, settings)
    file_maker = providers.Factory(
        ReportFileMaker,
        queries=report_queries,
        renderer=renderer,
        store=result_store,
        batch_rows=_jobs.batch_rows,
    )
    #: Completion webhooks: sent in the background of the process where a job ends.
    deliver_job_callback = providers.Factory(
        DeliverJobCallbackUseCase,
        unit_of_work=unit_of_work,
        clock=clock,
        sender=providers.Singleton(build_webhook_sender, settings),
        documents=providers.Singleton(JsonJobDocuments, clock),
        hold=settings.provided.webhooks.hold,
    )
    #: Told of each webhook attempt: the worker's metrics, when ``reportgen worker`` serves them.
    callback_watcher: providers.Provider[Callable[[CallbackAttempt], object] | None] = (
        providers.Object(None)
    )
    callback_dispatcher = providers.Singleton(
        build_callback_dispatcher, settings, deliver_job_callback.provider, callback_watcher
    )
    #: Told when a run starts: the worker's metrics, when ``reportgen worker`` serves them.
    job_run_watcher: providers.Provider[JobRunWatcher | None] = providers.Object(None)
    #: Traces runs when the ``OTEL_*`` variables ask for traces; None otherwise.
    run_tracer = providers.Singleton(traced_runs, settings.provided.tracing)
    run_report_job = providers.Factory(
        RunReportJobUseCase,
        unit_of_work=unit_of_work,
        clock=clock,
        file_maker=file_maker,
        policy=_jobs,
        watcher=job_run_watcher,
        tracer=run_tracer,
        callbacks=callback_dispatcher,
    )

    run_next_job = providers.Factory(
        RunNextJobUseCase,
        unit_of_work=unit_of_work,
        clock=clock,
        run_job=run_report_job.provider,
        look_ahead=_limits.embedded_concurrency,
    )
    #: The API side of the embedded mode: it commits jobs and wakes the worker processes.
    embedded_wake_addresses = providers.Callable(
        wake_addresses, settings.provided.database_url, _limits.embedded_workers
    )
    scheduler = providers.Selector(
        settings.provided.scheduler_backend,
        redis=providers.Singleton(
            ArqJobScheduler, redis, timeout_seconds=_queue_seconds, abandoned_after=_jobs.lease
        ),
        in_process=providers.Singleton(
            EmbeddedJobScheduler, providers.Singleton(WakeUpSender, embedded_wake_addresses)
        ),
    )
    sweep_jobs = providers.Factory(
        SweepJobsUseCase,
        unit_of_work=unit_of_work,
        clock=clock,
        scheduler=scheduler,
        store=result_store,
        policy=_jobs,
        sweep=settings.provided.sweep,
        callbacks=callback_dispatcher,
    )
    #: The worker side of the embedded mode (``entrypoints.embedded_worker``).
    embedded_runner = providers.Singleton(
        EmbeddedJobRunner,
        providers.Callable(each_time_fresh, run_next_job.provider),
        concurrency=_limits.embedded_concurrency,
        poll_interval=_timeouts.embedded_poll,
    )
    embedded_sweeper = providers.Singleton(
        PeriodicTask,
        providers.Callable(each_time_fresh, sweep_jobs.provider),
        settings.provided.sweep.interval,
    )

    #: What the app and the worker start (in this order) and stop (in reverse).
    services = providers.List(database, report_queries, scheduler, job_changes)
    check_readiness = providers.Factory(
        CheckReadinessUseCase,
        probes=providers.Dict(database=database, scheduler=scheduler),
        timeout=_timeouts.readiness,
    )

    report_catalog = providers.Singleton(
        SqlAlchemyReportCatalog,
        engine,
        refresh_seconds=_timeouts.report_refresh.total_seconds.call(),
    )
    job_intake = providers.Singleton(
        JobIntake,
        unit_of_work=unit_of_work.provider,
        scheduler=scheduler,
        max_batch=_limits.intake_batch,
        clock=clock,
        policy=providers.Factory(
            AdmissionPolicy,
            rate_per_minute=_limits.generate_rate_per_minute,
            max_unfinished=_limits.max_unfinished_jobs_per_caller,
        ),
    )
    generate_report = providers.Factory(
        GenerateReportUseCase,
        reports=report_catalog,
        intake=job_intake,
        clock=clock,
        callback_hosts=settings.provided.webhooks.allow_list,
    )
    get_job = providers.Factory(GetJobUseCase, unit_of_work=unit_of_work)
    wait_for_job = providers.Factory(
        WaitForJobUseCase, unit_of_work=unit_of_work, changes=job_changes
    )
    follow_job = providers.Factory(FollowJobUseCase, unit_of_work=unit_of_work, changes=job_changes)
    list_jobs = providers.Factory(
        ListJobsUseCase, unit_of_work=unit_of_work, max_page_size=_limits.max_page_size
    )
    cancel_job = providers.Factory(
        CancelJobUseCase,
        unit_of_work=unit_of_work,
        clock=clock,
        store=result_store,
        callbacks=callback_dispatcher,
    )
    read_job_deliveries = providers.Factory(ReadJobDeliveriesUseCase, unit_of_work=unit_of_work)
    download_result = providers.Factory(
        DownloadResultUseCase, unit_of_work=unit_of_work, store=result_store, clock=clock
    )

    list_reports = providers.Factory(
        ListReportsUseCase, unit_of_work=unit_of_work, max_page_size=_limits.max_page_size
    )
    get_report = providers.Factory(GetReportUseCase, unit_of_work=unit_of_work)
    _saving_reports: ClassVar[dict[str, providers.Provider[Any]]] = {
        "unit_of_work": unit_of_work,
        "clock": clock,
        "catalog": report_catalog,
    }
    create_report = providers.Factory(
        CreateReportUseCase, queries=report_queries, **_saving_reports
    )
    replace_report = providers.Factory(
        ReplaceReportUseCase, queries=report_queries, **_saving_reports
    )
    delete_report = providers.Factory(DeleteReportUseCase, **_saving_reports)
    read_report_history = providers.Factory(ReadReportHistoryUseCase, unit_of_work=unit_of_work)


def build_container(settings: Settings) -> Container:
    """A container for ``settings``; nothing connects until first use."""
    return Container(settings=settings)
