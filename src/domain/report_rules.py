"""The rules a report configuration must follow before it is saved."""

import re
from collections.abc import Iterator

from domain.errors import InvalidReportConfiguration, InvalidReportRequest
from domain.parameters import ParameterType
from domain.reports import DeliveryChannel, ReportConfiguration

# Each is matched against the whole string (``fullmatch``): ``$`` would let a trailing
# newline through.
REPORT_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
PARAMETER_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
EMAIL = re.compile(r"[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+")
MAX_NAME_LENGTH = 200


def validate_report(report: ReportConfiguration) -> None:
    """Raise ``InvalidReportConfiguration`` at the first broken rule.

    The error names the part at fault in the domain's own terms (``data_source``,
    ``delivery_targets[0].mode``); the edge that received it says it in its own.
    """
    _check(
        bool(REPORT_ID.fullmatch(report.id)),
        "id",
        "The id must be 1 to 64 lowercase letters, digits and dashes, "
        "starting and ending with a letter or digit.",
    )
    for field, text in _texts(report):
        _check("\x00" not in text, field, "The text must not hold a NUL character.")
    _check(
        0 < len(report.name.strip()) <= MAX_NAME_LENGTH,
        "name",
        f"The name must be 1 to {MAX_NAME_LENGTH} characters.",
    )
    _check(bool(report.data_source.strip()), "data_source", "A data source is required.")
    _check(bool(report.query.strip()), "query", "A query is required.")
    _check(bool(report.formats), "formats", "At least one format is required.")
    _check(len(set(report.formats)) == len(report.formats), "formats", "A format is listed twice.")
    _check(
        bool(report.delivery_targets),
        "delivery_targets",
        "At least one delivery target is required.",
    )
    for index, target in enumerate(report.delivery_targets):
        field = f"delivery_targets[{index}]"
        if target.channel is DeliveryChannel.API_RESPONSE:
            _check(
                target.mode is not None,
                f"{field}.mode",
                "An api_response target needs a mode: async or sync.",
            )
            _check(
                not target.recipients,
                f"{field}.recipients",
                "An api_response target has no recipients.",
            )
        else:
            _check(
                bool(target.recipients),
                f"{field}.recipients",
                "An email target needs at least one recipient.",
            )
            for recipient in target.recipients:
                _check(
                    bool(EMAIL.fullmatch(recipient)),
                    f"{field}.recipients",
                    f"'{recipient[:80]}' is not an email address.",
                )
    _check_parameters(report)
    for name, why in report.limits.problems():
        _check(False, f"limits.{name}", f"A limit {why}")


def _check_parameters(report: ReportConfiguration) -> None:
    seen: set[str] = set()
    for index, spec in enumerate(report.parameters):
        field = f"parameters[{index}]"
        _check(
            bool(PARAMETER_NAME.fullmatch(spec.name)),
            f"{field}.name",
            "A parameter name is lowercase letters, digits and underscores.",
        )
        _check(
            spec.name not in seen, f"{field}.name", f"Parameter '{spec.name}' is declared twice."
        )
        seen.add(spec.name)
        if spec.type is ParameterType.ENUM:
            _check(
                bool(spec.allowed_values),
                f"{field}.allowed_values",
                "An enum parameter needs its allowed values.",
            )
        if spec.default is not None:
            try:
                spec.normalize(spec.default)
            except InvalidReportRequest as exc:
                raise InvalidReportConfiguration(
                    f"The default does not fit: {exc}", field=f"{field}.default"
                ) from exc


def _texts(report: ReportConfiguration) -> Iterator[tuple[str, str]]:
    """Every text of ``report``, with the field that holds it."""
    yield from (("id", report.id), ("name", report.name), ("description", report.description))
    yield from (("data_source", report.data_source), ("query", report.query))
    yield from (("allowed_roles", role) for role in report.allowed_roles)
    for index, target in enumerate(report.delivery_targets):
        yield from ((f"delivery_targets[{index}].recipients", r) for r in target.recipients)
    for index, spec in enumerate(report.parameters):
        field = f"parameters[{index}]"
        yield from ((f"{field}.name", spec.name), (f"{field}.description", spec.description))
        yield from ((f"{field}.allowed_values", value) for value in spec.allowed_values)
        if isinstance(spec.default, str):
            yield f"{field}.default", spec.default


def _check(ok: bool, field: str, message: str) -> None:
    if not ok:
        raise InvalidReportConfiguration(message, field=field)
