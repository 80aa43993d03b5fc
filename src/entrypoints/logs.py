"""The one logging set-up of every reportgen process: JSON lines or text, on stderr.

JSON lines (one object a line: ``time``, ``level``, ``logger``, ``message``, then
``request_id`` and ``job_id`` when set, and ``exception`` when there is one) suit
a log collector; text suits a person at a terminal. ``REPORTGEN_LOG_FORMAT``
chooses (``auto``: text on a terminal, else JSON). The same configuration is
given to uvicorn, so its server processes log the same way.

Whatever a message holds, a bearer token and the password of a URL are masked
before it is written: the log calls never pass either, this is the safety net.
"""

import logging
import logging.config
import re
import sys
from datetime import UTC, datetime
from typing import Any

import msgspec

from application.common.log_context import log_fields
from entrypoints.settings import Settings

_CONTEXT = ("request_id", "job_id")
_SECRETS = re.compile(r"(?i)(bearer\s+)[\w\-.~+/=]+|(://[^/\s:@]*:)[^@\s/]+(@)")
_json = msgspec.json.Encoder()


def redact(text: str) -> str:
    """``text`` with bearer tokens and URL passwords replaced by ``***``."""
    return _SECRETS.sub(lambda m: f"{m[1]}***" if m[1] else f"{m[2]}***{m[3]}", text)


def _context(record: logging.LogRecord) -> dict[str, str]:
    """The request and job of a line: given with ``extra=``, else the running context's."""
    fields = log_fields()
    for name in _CONTEXT:
        if (value := getattr(record, name, None)) is not None:
            fields[name] = str(value)
    return fields


class JsonLines(logging.Formatter):
    """One JSON object per log line."""

    def format(self, record: logging.LogRecord) -> str:
        """The line as JSON, without a line break."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            **_context(record),
        }
        if record.exc_info:
            line["exception"] = redact(self.formatException(record.exc_info))
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return _json.encode(line).decode()


class TextLines(logging.Formatter):
    """``time LEVEL logger message request_id=... job_id=...``, then any traceback."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        """The first line, with the context fields after the message."""
        fields = "".join(f" {name}={value}" for name, value in _context(record).items())
        return super().formatMessage(record) + fields

    def format(self, record: logging.LogRecord) -> str:
        """The whole entry, secrets masked."""
        return redact(super().format(record))


def logging_config(settings: Settings) -> dict[str, Any]:
    """The ``logging.config.dictConfig`` of ``settings``: one handler on stderr."""
    chosen = settings.log_format
    if chosen == "auto":
        chosen = "text" if sys.stderr.isatty() else "json"
    formatter = JsonLines if chosen == "json" else TextLines
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"reportgen": {"()": f"{__name__}.{formatter.__name__}"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "reportgen",
            }
        },
        "root": {"level": settings.log_level, "handlers": ["stderr"]},
        "loggers": {"alembic.runtime.plugins": {"level": "WARNING"}},
    }


def configure_logging(settings: Settings) -> None:
    """Set up this process's logging; called once, first thing after the settings."""
    logging.config.dictConfig(logging_config(settings))
