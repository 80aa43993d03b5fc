"""Builders the container calls where an adapter needs a decision from the settings."""

from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from adapters.jwt.dev_secret import load_or_create_secret
from adapters.jwt.issuer import PyJwtTokenIssuer
from adapters.jwt.verifier import PyJwtTokenVerifier
from adapters.results.local import LocalResultStore
from adapters.results.s3 import ObstoreResultStore
from application.jobs.file_ports import ResultStore
from application.jobs.ports import JobHandler, JobMessage, JobRun
from application.jobs.run_report_job import RunReportJobUseCase
from entrypoints.settings import Settings, SettingsError

_Result = TypeVar("_Result", covariant=True)


def hs256_secret(settings: Settings) -> str:
    """The configured HS256 secret, or the one generated into the data dir on first use."""
    return settings.jwt_secret or load_or_create_secret(settings.dev_secret_file)


def build_token_verifier(settings: Settings) -> PyJwtTokenVerifier:
    """RS256/ES256 with the configured public key, else HS256 with the secret."""
    leeway = round(settings.timeouts.jwt_leeway.total_seconds())
    max_lifetime = settings.timeouts.jwt_max_lifetime.total_seconds()
    if settings.jwt_public_key_file is not None:
        try:
            pem = settings.jwt_public_key_file.read_bytes()
            return PyJwtTokenVerifier.for_public_key_pem(
                pem,
                issuer=settings.jwt_issuer,
                audience=settings.jwt_audience,
                leeway_seconds=leeway,
                max_lifetime_seconds=max_lifetime,
            )
        except (OSError, ValueError) as exc:
            raise SettingsError(f"REPORTGEN_JWT_PUBLIC_KEY_FILE: {exc}") from exc
    return PyJwtTokenVerifier.for_secret(
        hs256_secret(settings),
        previous=settings.jwt_previous_secret,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        leeway_seconds=leeway,
        max_lifetime_seconds=max_lifetime,
    )


def build_result_store(settings: Settings) -> ResultStore:
    """An S3 bucket for an ``s3://`` results URL (files spooled in the data dir before
    they are sent, not in a temporary directory that may live in memory), else the local
    directory."""
    if (bucket := settings.results_bucket) is not None:
        return ObstoreResultStore(
            bucket[0],
            bucket[1],
            environment=settings.aws_environment,
            timeout=settings.timeouts.result_store,
            spool_directory=settings.data_dir / "spool",
        )
    return LocalResultStore(settings.results_directory)


def build_token_issuer(settings: Settings) -> PyJwtTokenIssuer:
    """Signs HS256 development tokens with the same key ``serve`` verifies."""
    if settings.jwt_public_key_file is not None:
        raise SettingsError(
            "REPORTGEN_JWT_PUBLIC_KEY_FILE is set: tokens come from your identity provider, "
            "`reportgen token` signs HS256 tokens only."
        )
    return PyJwtTokenIssuer(
        hs256_secret(settings), issuer=settings.jwt_issuer, audience=settings.jwt_audience
    )


def job_handler(use_case: Callable[[], RunReportJobUseCase]) -> JobHandler:
    """What a scheduler delivers a job to: a fresh ``RunReportJobUseCase`` per delivery."""

    async def handle(message: JobMessage) -> JobRun:
        return await use_case().execute(message)

    return handle


class _Execute(Protocol[_Result]):
    """A use case run without a command (the next due job, a sweep)."""

    def execute(self) -> Awaitable[_Result]:
        """Run it."""
        ...


def each_time_fresh(use_case: Callable[[], _Execute[_Result]]) -> Callable[[], Awaitable[_Result]]:
    """What an embedded runner or a sweep calls: ``execute`` of a fresh use case each time
    (``RunNextJobUseCase``, ``SweepJobsUseCase``)."""

    async def run() -> _Result:
        return await use_case().execute()

    return run
