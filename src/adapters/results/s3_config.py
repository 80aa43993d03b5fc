"""How the S3 result store reaches its bucket, and how its failures reach the use cases."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING

from obstore.exceptions import BaseError, NotFoundError

from application.common.errors import ResultMissing, ResultStoreUnavailable

if TYPE_CHECKING:
    from obstore.store import ClientConfig, RetryConfig, S3Config

#: The standard variables every S3 tool reads, in order of preference.
_VARIABLES = {
    "endpoint": ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"),
    "region": ("AWS_REGION", "AWS_DEFAULT_REGION"),
    "access_key_id": ("AWS_ACCESS_KEY_ID",),
    "secret_access_key": ("AWS_SECRET_ACCESS_KEY",),
    "session_token": ("AWS_SESSION_TOKEN",),
}


def s3_client_config(
    environment: Mapping[str, str], timeout: timedelta
) -> tuple["S3Config", "ClientConfig", "RetryConfig"]:
    """obstore's configuration from the ``AWS_*`` variables, each request bounded by
    ``timeout`` (connecting within a fifth of it, at most 5 s), retried twice."""
    config: S3Config = {}
    for option, names in _VARIABLES.items():
        value = next((environment[name] for name in names if environment.get(name)), None)
        if value is not None:
            config[option] = value  # type: ignore[literal-required]
    client: ClientConfig = {
        "timeout": timeout,
        "connect_timeout": min(timeout / 5, timedelta(seconds=5)),
        # A plain-HTTP endpoint (MinIO or moto on a private network) is the operator's choice.
        "allow_http": config.get("endpoint", "").startswith("http://"),
    }
    retry: RetryConfig = {
        "max_retries": 2,
        "retry_timeout": timeout,
        "backoff": {
            "init_backoff": timedelta(milliseconds=100),
            "max_backoff": timedelta(seconds=2),
            "base": 2,
        },
    }
    return config, client, retry


@contextmanager
def s3_store_errors(action: str, *, missing: str | None = None) -> Iterator[None]:
    """obstore's and the network's errors as the port's: ``ResultMissing`` for an absent
    object (when ``missing`` names its key), else ``ResultStoreUnavailable``. The message
    names the action only: no endpoint, bucket or credentials."""
    try:
        yield
    except (NotFoundError, FileNotFoundError):
        if missing is None:
            raise ResultStoreUnavailable(
                f"The result store is unavailable ({action}: not found)."
            ) from None
        raise ResultMissing(missing) from None
    except (BaseError, OSError) as exc:
        raise ResultStoreUnavailable(f"The result store is unavailable ({action}).") from exc
