"""OpenTelemetry traces, on only when an exporter is configured, as every OpenTelemetry
program is: ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``..._TRACES_ENDPOINT``) sends spans by
OTLP over HTTP; ``OTEL_TRACES_EXPORTER=console`` prints them; ``none`` or nothing set,
no span is made at all (no middleware, no tracer: no cost).

A trace holds the generate request (Litestar's OpenTelemetry middleware), and the run
of the job it created (``OpenTelemetryRunTracer``), on whichever process or host ran it.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

from adapters.opentelemetry.run_tracer import TRACER_NAME, OpenTelemetryRunTracer


def start_tracing(exporter: str | None, role: str) -> None:
    """Send this process's spans to ``exporter`` (nothing if None), as ``reportgen-<role>``
    unless ``OTEL_SERVICE_NAME`` names the service; spans still buffered are sent when the
    process exits."""
    if exporter is None:
        return
    resource = Resource.create({SERVICE_NAME: f"reportgen-{role}"})  # OTEL_SERVICE_NAME wins
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(_exporter(exporter)))
    trace.set_tracer_provider(provider)


def _exporter(name: str) -> SpanExporter:
    if name == "console":
        return ConsoleSpanExporter()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()  # its endpoint and headers from the OTEL_EXPORTER_OTLP_* variables


def http_tracing(exporter: str | None) -> list[OpenTelemetryPlugin]:
    """The app's plugins: a span for each request when tracing is on, else none."""
    if exporter is None:
        return []
    config = OpenTelemetryConfig(exclude=["/health", "/metrics"], exclude_spans=["receive", "send"])
    return [OpenTelemetryPlugin(config)]


def run_tracer(exporter: str | None) -> OpenTelemetryRunTracer | None:
    """What traces job runs: None when tracing is off."""
    return None if exporter is None else OpenTelemetryRunTracer()


def current_trace_parent() -> str | None:
    """The W3C ``traceparent`` of the span being recorded now; None when there is none
    (tracing off: the default tracer records nothing)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


@contextmanager
def job_hand_over() -> Iterator[None]:
    """Around a generate's use case (the job's row written, the job queued, the commit):
    a span ``reportgen job hand-over``, when the request is traced; nothing otherwise."""
    if not trace.get_current_span().get_span_context().is_valid:
        yield
        return
    with trace.get_tracer(TRACER_NAME).start_as_current_span("reportgen job hand-over"):
        yield
