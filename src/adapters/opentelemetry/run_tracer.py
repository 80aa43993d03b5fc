"""A job's run as an OpenTelemetry span, a child of the request that created the job."""

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import propagate, trace

from domain.jobs import Job

#: The name of the instrumentation, as OpenTelemetry asks.
TRACER_NAME = "reportgen"


class OpenTelemetryRunTracer:
    """Opens a ``reportgen job run`` span for each run (a ``RunTracer``).

    Its parent is the span of the generate request, restored from the job's
    ``trace_parent`` (W3C trace context), so that one trace holds the request, the
    hand-over to the queue and the run, on whichever host it ran. A job created without
    a trace starts a trace of its own.
    """

    def __init__(self) -> None:
        self._tracer = trace.get_tracer(TRACER_NAME)

    @contextmanager
    def job_run(self, job: Job) -> Iterator[None]:
        """The run of ``job`` inside its span (errors recorded on it)."""
        parent = propagate.extract({"traceparent": job.trace_parent} if job.trace_parent else {})
        with self._tracer.start_as_current_span(
            "reportgen job run",
            context=parent,
            kind=trace.SpanKind.CONSUMER,
            attributes={
                "reportgen.job.id": job.id,
                "reportgen.report.id": job.report_id,
                "reportgen.job.format": job.format.value,
                "reportgen.job.attempt": job.attempts,
            },
        ):
            yield
