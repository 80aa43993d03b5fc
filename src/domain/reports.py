"""Report configurations: what a report queries, how it is delivered, who may run it."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.errors import InvalidReportRequest, PermissionDenied, ReportNotAsynchronous
from domain.parameters import JsonScalar, ParameterSpec, resolve_parameters
from domain.principal import Principal
from domain.report_limits import ReportLimits


class DeliveryChannel(StrEnum):
    """Where a finished report goes."""

    API_RESPONSE = "api_response"
    EMAIL = "email"


class DeliveryMode(StrEnum):
    """How an API Response delivery answers: at once with the file, or with a job."""

    ASYNC = "async"
    SYNC = "sync"


class OutputFormat(StrEnum):
    """The file formats the report engine renders."""

    CSV = "csv"
    JSON = "json"
    XLSX = "xlsx"


@dataclass(frozen=True, slots=True)
class DeliveryTarget:
    """One delivery destination of a report."""

    channel: DeliveryChannel
    mode: DeliveryMode | None = None
    recipients: tuple[str, ...] = ()

    @property
    def is_async_api_response(self) -> bool:
        """BR-001: only an API Response target in asynchronous mode allows a job."""
        return self.channel is DeliveryChannel.API_RESPONSE and self.mode is DeliveryMode.ASYNC


@dataclass(frozen=True, slots=True)
class ReportRequest:
    """A generate request checked against its report: canonical parameters and a format."""

    parameters: dict[str, JsonScalar]
    format: OutputFormat


@dataclass(frozen=True, slots=True)
class ReportConfiguration:
    """A report an administrator configured: its query, parameters, formats and delivery."""

    id: str
    name: str
    data_source: str
    query: str
    formats: tuple[OutputFormat, ...]
    delivery_targets: tuple[DeliveryTarget, ...]
    parameters: tuple[ParameterSpec, ...] = ()
    allowed_roles: frozenset[str] = field(default_factory=frozenset)
    description: str = ""
    limits: ReportLimits = field(default_factory=ReportLimits)
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def supports_async_generation(self) -> bool:
        """BR-001: true when some delivery target is an asynchronous API Response."""
        return any(target.is_async_api_response for target in self.delivery_targets)

    @property
    def default_format(self) -> OutputFormat:
        """The format used when a request names none: the first one configured."""
        return self.formats[0] if self.formats else OutputFormat.CSV

    def is_visible_to(self, principal: Principal) -> bool:
        """Administrators see every report; other callers the reports they may generate."""
        return principal.is_admin or (
            principal.may_generate and principal.holds_any_role(self.allowed_roles)
        )

    def ensure_roles_allow(self, principal: Principal) -> None:
        """``PermissionDenied`` unless ``allowed_roles`` is empty or names one of the
        caller's roles (the scope to generate is the principal's own rule)."""
        if not principal.holds_any_role(self.allowed_roles):
            raise PermissionDenied("None of the caller's roles may generate this report.")

    def ensure_supports_async_generation(self) -> None:
        """BR-001: raise ``ReportNotAsynchronous`` unless a job may be created."""
        if not self.supports_async_generation:
            raise ReportNotAsynchronous()

    def prepare_request(
        self, parameters: Mapping[str, object], output_format: str | None
    ) -> ReportRequest:
        """Check a request's parameters and format against this configuration."""
        return ReportRequest(
            parameters=resolve_parameters(self.parameters, parameters),
            format=self._resolve_format(output_format),
        )

    def _resolve_format(self, requested: str | None) -> OutputFormat:
        if requested is None:
            return self.default_format
        for supported in self.formats:
            if supported.value == requested:
                return supported
        offered = ", ".join(fmt.value for fmt in self.formats)
        raise InvalidReportRequest(
            f"Format '{requested[:32]}' is not offered by this report (offered: {offered}).",
            field="format",
        )
