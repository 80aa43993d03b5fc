"""The service's settings: read once from ``REPORTGEN_*`` variables into one typed object."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from application.jobs.policy import JobPolicy, SweepPolicy
from entrypoints.tuning import Limits, SettingsError, Timeouts, read_tuning
from entrypoints.webhook_settings import WebhookSettings, read_webhook_settings

__all__ = ["PREFIX", "Settings", "SettingsError"]

PREFIX = "REPORTGEN_"
MIN_SECRET_BYTES = 32
_S3_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
#: The standard variables of S3 tools that configure an ``s3://`` result store.
AWS_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
)
_DATA_SOURCE = re.compile(r"REPORTGEN_DATA_SOURCE_([A-Z0-9_]+)_URL")
_DATABASE_SCHEMES = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Everything the service reads from its environment, checked."""

    data_dir: Path
    database_url: str
    redis_url: str | None = None
    jwt_secret: str | None = field(default=None, repr=False)
    jwt_previous_secret: str | None = field(default=None, repr=False)
    """An HS256 key still accepted beside ``jwt_secret`` while the key is rotated."""
    jwt_public_key_file: Path | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    public_base_url: str | None = None
    allowed_hosts: tuple[str, ...] | None = None
    results_url: str = ""
    aws_environment: Mapping[str, str] = field(default_factory=dict, repr=False)
    """The ``AWS_*`` variables (credentials among them: never shown) for an s3:// store."""
    access_log: bool = False
    log_format: str = "auto"
    """``json``, ``text``, or ``auto``: text when stderr is a terminal, else JSON."""
    log_level: str = "INFO"
    tracing: str | None = None
    """The OpenTelemetry span exporter (``otlp``, ``console``) the ``OTEL_*`` variables ask
    for; None: no traces."""
    worker_metrics_address: tuple[str, int] | None = None
    """Where ``reportgen worker`` serves its Prometheus metrics (host, port); None: nowhere."""
    data_sources: Mapping[str, str] = field(default_factory=dict)
    timeouts: Timeouts = field(default_factory=Timeouts)
    jobs: JobPolicy = field(default_factory=JobPolicy)
    sweep: SweepPolicy = field(default_factory=SweepPolicy)
    limits: Limits = field(default_factory=Limits)
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)

    @property
    def uses_redis(self) -> bool:
        """Jobs go to arq workers through Redis; otherwise they run in-process."""
        return self.redis_url is not None

    @property
    def scheduler_backend(self) -> str:
        """``redis`` (arq workers) when a Redis URL is set, else ``in_process``."""
        return "redis" if self.uses_redis else "in_process"

    @property
    def job_changes_backend(self) -> str:
        """How job changes reach waiting callers: ``redis`` pub/sub with Redis, else
        ``postgres`` (NOTIFY) on PostgreSQL, else ``local`` sockets (SQLite)."""
        if self.uses_redis:
            return "redis"
        return "postgres" if self.database_url.startswith("postgresql") else "local"

    @property
    def results_directory(self) -> Path:
        """The directory of the local result store."""
        return Path(self.results_url)

    @property
    def results_bucket(self) -> tuple[str, str] | None:
        """The bucket and key prefix of an ``s3://bucket/prefix`` result store, else ``None``."""
        if not self.results_url.startswith("s3://"):
            return None
        bucket, _, prefix = self.results_url.removeprefix("s3://").partition("/")
        return bucket, prefix.strip("/")

    @property
    def dev_secret_file(self) -> Path:
        """Where the generated HS256 secret lives when no key is configured."""
        return self.data_dir / "jwt-secret"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Settings":
        """Read and check the ``REPORTGEN_*`` variables; ``SettingsError`` names the bad one."""

        def get(name: str) -> str | None:
            value = env.get(PREFIX + name, "").strip()
            return value or None

        data_dir = Path(get("DATA_DIR") or "./var").resolve()
        secret = get("JWT_SECRET")
        key_file = get("JWT_PUBLIC_KEY_FILE")
        if secret and key_file:
            raise SettingsError(
                "REPORTGEN_JWT_SECRET and REPORTGEN_JWT_PUBLIC_KEY_FILE are both set: choose one."
            )
        if secret is not None and len(secret.encode()) < MIN_SECRET_BYTES:
            raise SettingsError(f"REPORTGEN_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes.")
        if key_file is not None and not Path(key_file).is_file():
            raise SettingsError(f"REPORTGEN_JWT_PUBLIC_KEY_FILE: no such file: {key_file}")
        previous = _previous_secret(get("JWT_PREVIOUS_SECRET"), secret)
        data_sources = {"demo": f"sqlite+aiosqlite:///{data_dir / 'demo.sqlite3'}"}
        for name, value in env.items():
            if match := _DATA_SOURCE.fullmatch(name):
                data_sources[match.group(1).lower()] = _database_url(name, value)
        return cls(
            data_dir=data_dir,
            database_url=_database_url(
                "REPORTGEN_DATABASE_URL",
                get("DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir / 'reportgen.sqlite3'}",
            ),
            redis_url=_redis_url(get("REDIS_URL")),
            jwt_secret=secret,
            jwt_previous_secret=previous,
            jwt_public_key_file=Path(key_file) if key_file else None,
            jwt_issuer=get("JWT_ISSUER"),
            jwt_audience=get("JWT_AUDIENCE"),
            public_base_url=_base_url(get("PUBLIC_BASE_URL")),
            allowed_hosts=_allowed_hosts(get("ALLOWED_HOSTS"), get("PUBLIC_BASE_URL")),
            results_url=_results_url(get("RESULTS_URL") or str(data_dir / "results")),
            aws_environment={name: env[name] for name in AWS_VARIABLES if env.get(name)},
            access_log=_flag("REPORTGEN_ACCESS_LOG", get("ACCESS_LOG")),
            log_format=_choice("REPORTGEN_LOG_FORMAT", get("LOG_FORMAT") or "auto", LOG_FORMATS),
            log_level=_choice("REPORTGEN_LOG_LEVEL", get("LOG_LEVEL") or "INFO", LOG_LEVELS),
            tracing=_tracing(env),
            worker_metrics_address=_listen_address(
                "REPORTGEN_WORKER_METRICS_ADDRESS", get("WORKER_METRICS_ADDRESS")
            ),
            data_sources=data_sources,
            webhooks=read_webhook_settings(get),
            **read_tuning(get),
        )


LOG_FORMATS = ("auto", "json", "text")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _choice(variable: str, text: str, choices: tuple[str, ...]) -> str:
    """One of ``choices``, whatever its case (as they are spelled there)."""
    for choice in choices:
        if text.lower() == choice.lower():
            return choice
    raise SettingsError(f"{variable} must be one of {', '.join(choices)}.")


TRACE_EXPORTERS = ("otlp", "console")


def _tracing(env: Mapping[str, str]) -> str | None:
    """The span exporter the standard ``OTEL_*`` variables ask for: ``OTEL_TRACES_EXPORTER``
    (``otlp``, ``console``, ``none``), else ``otlp`` when an OTLP endpoint is set."""
    chosen = env.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if chosen == "none":
        return None
    if chosen and chosen not in TRACE_EXPORTERS:
        raise SettingsError("OTEL_TRACES_EXPORTER must be otlp, console or none.")
    endpoints = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    if not chosen and any(env.get(name, "").strip() for name in endpoints):
        return "otlp"
    return chosen or None


def _previous_secret(previous: str | None, secret: str | None) -> str | None:
    """The HS256 key accepted beside ``REPORTGEN_JWT_SECRET`` while it is rotated."""
    if previous is None:
        return None
    if secret is None:
        raise SettingsError(
            "REPORTGEN_JWT_PREVIOUS_SECRET is set without REPORTGEN_JWT_SECRET: it only "
            "accompanies the new secret while the key is rotated."
        )
    if len(previous.encode()) < MIN_SECRET_BYTES:
        raise SettingsError(
            f"REPORTGEN_JWT_PREVIOUS_SECRET must be at least {MIN_SECRET_BYTES} bytes."
        )
    return previous


def _listen_address(variable: str, text: str | None) -> tuple[str, int] | None:
    """``host:port``, or ``port`` alone (on 127.0.0.1); unset is None."""
    if not text:
        return None
    host, _, port = text.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise SettingsError(f"{variable} must be PORT or HOST:PORT, e.g. 0.0.0.0:9464.")
    return (host.strip("[]") or "127.0.0.1", int(port))


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _flag(variable: str, text: str | None) -> bool:
    """A yes/no variable; unset is no."""
    if text is None or text.lower() in _FALSE:
        return False
    if text.lower() in _TRUE:
        return True
    raise SettingsError(f"{variable} must be true or false.")


def _database_url(variable: str, url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in _DATABASE_SCHEMES:
        raise SettingsError(
            f"{variable} must be a sqlite+aiosqlite:// or postgresql+asyncpg:// URL."
        )
    return f"{_DATABASE_SCHEMES[scheme]}://{rest}"


def _results_url(url: str) -> str:
    """A directory, a ``file://`` URL (made a directory) or ``s3://bucket[/prefix]``."""
    if url.startswith("s3://"):
        bucket, _, prefix = url.removeprefix("s3://").partition("/")
        if not _S3_BUCKET.fullmatch(bucket) or "?" in prefix or "#" in prefix:
            # The URL itself is not echoed: it might carry credentials (s3://key:secret@...).
            raise SettingsError(
                "REPORTGEN_RESULTS_URL must be s3://bucket/prefix with an S3 bucket name "
                "(credentials go in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)."
            )
        return f"s3://{bucket}/{prefix.strip('/')}".rstrip("/")
    if "://" in url and not url.startswith("file://"):
        raise SettingsError(
            "REPORTGEN_RESULTS_URL must be a directory, a file:// URL or s3://bucket/prefix."
        )
    return url.removeprefix("file://")


def _redis_url(url: str | None) -> str | None:
    if url is not None and urlsplit(url).scheme not in {"redis", "rediss", "unix"}:
        raise SettingsError("REPORTGEN_REDIS_URL must be a redis://, rediss:// or unix:// URL.")
    return url


#: The hosts allowed by default: the machine itself (and, in ``AllowedHosts``, the address
#: a request came in on).
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
_HOST = re.compile(r"(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.?|[0-9a-f:.]+")


def _allowed_hosts(text: str | None, public_base_url: str | None) -> tuple[str, ...] | None:
    """The hosts a request may name; ``None``: any. Unset, any when the links come from
    ``REPORTGEN_PUBLIC_BASE_URL`` (a request's host never appears in them), else the
    machine's own names."""
    if text is None:
        return None if public_base_url else LOCAL_HOSTS
    hosts = tuple(host.strip().lower().strip("[]") for host in text.split(","))
    if "*" in hosts:
        return None
    if not all(_HOST.fullmatch(host) for host in hosts):
        raise SettingsError(
            "REPORTGEN_ALLOWED_HOSTS must be host names separated by commas "
            "(reports.example.com,*.internal,10.0.0.5), or *."
        )
    return hosts


def _base_url(url: str | None) -> str | None:
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        raise SettingsError(
            "REPORTGEN_PUBLIC_BASE_URL must be an absolute http(s) URL without query or fragment."
        )
    return url.rstrip("/")
