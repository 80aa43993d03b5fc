"""The JSON bodies of the HTTP API, as msgspec Structs (camelCase on the wire)."""

from typing import Any

import msgspec


class GenerateReportBody(msgspec.Struct, forbid_unknown_fields=True, rename="camel"):
    """Optional body of ``POST /api/v1/reports/{reportId}/generate``."""

    parameters: dict[str, Any] = msgspec.field(default_factory=dict)
    format: str | None = None


class JobAcceptedBody(msgspec.Struct, rename="camel"):
    """The 202 answer: the job's id and the absolute URL to poll."""

    job_id: str
    status_url: str


class ErrorBody(msgspec.Struct):
    """Every error answer: one human-readable sentence."""

    error: str


class HealthBody(msgspec.Struct, omit_defaults=True):
    """Liveness and readiness answers; ``error`` says what is not ready."""

    status: str
    checks: dict[str, str] = msgspec.field(default_factory=dict)
    error: str | None = None
