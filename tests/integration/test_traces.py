"""Traces with real processes: ``reportgen serve`` (its API and embedded worker processes)
sends its spans by OTLP/HTTP to a collector, and a job's run is a child of the generate
request that created it, in the same trace, though another process ran it."""

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from tests.integration.console import clean_env, reportgen
from tests.integration.test_cli_serve import free_port, job_status, serving

SPAN_WAIT_SECONDS = 20


class Collector:
    """An OTLP/HTTP trace receiver on 127.0.0.1: it keeps every span with its service."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, Span]] = []
        self._lock = threading.Lock()
        collector = self

        class Receive(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                collector.keep(self.path, body)
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Receive)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def keep(self, path: str, body: bytes) -> None:
        assert path == "/v1/traces", path
        request = ExportTraceServiceRequest.FromString(body)
        with self._lock:
            for resource_spans in request.resource_spans:
                attributes = {
                    a.key: a.value.string_value for a in resource_spans.resource.attributes
                }
                for scope_spans in resource_spans.scope_spans:
                    for span in scope_spans.spans:
                        self.spans.append((attributes.get("service.name", ""), span))

    def named(self, name: str) -> list[tuple[str, Span]]:
        with self._lock:
            return [(service, span) for service, span in self.spans if span.name == name]

    def __enter__(self) -> "Collector":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def attribute(span: Span, key: str) -> str:
    return next(a.value.string_value for a in span.attributes if a.key == key)


@pytest.fixture
def collector() -> Iterator[Collector]:
    with Collector() as running:
        yield running


def test_a_jobs_run_is_a_child_of_its_generate_request_in_one_trace(
    tmp_path: Path, collector: Collector
) -> None:
    tracing = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": collector.url,
        "OTEL_BSP_SCHEDULE_DELAY": "100",  # milliseconds: spans leave at once
    }
    env = clean_env(tmp_path, **tracing)
    for command in (("db", "upgrade"), ("demo", "seed")):
        assert reportgen(*command, env=env).returncode == 0
    token = reportgen("token", "--sub", "alice", "--role", "analyst", env=env).stdout.strip()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"

    with serving(tmp_path, port, **tracing):
        accepted = httpx.post(
            f"{base_url}/api/v1/reports/report-123/generate",
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        assert accepted.status_code == 202, accepted.text
        job_id = accepted.json()["jobId"]
        deadline = time.monotonic() + SPAN_WAIT_SECONDS
        runs: list[tuple[str, Span]] = []
        while time.monotonic() < deadline and not runs:
            runs = [
                (service, span)
                for service, span in collector.named("reportgen job run")
                if attribute(span, "reportgen.job.id") == job_id
            ]
            time.sleep(0.1)
        assert job_status(base_url, job_id, token) == "Succeeded"

    assert runs, f"no span of the job's run reached the collector: {collector.spans}"
    [(run_service, run)] = runs
    hand_over_service, hand_over = parent_of(collector, run)
    request_service, request = parent_of(collector, hand_over)
    assert (request_service, hand_over_service, run_service) == (
        "reportgen-api",
        "reportgen-api",
        "reportgen-worker",
    )
    assert hand_over.name == "reportgen job hand-over"
    assert request.kind == Span.SPAN_KIND_SERVER
    assert request.name.startswith("POST /api/v1/reports/")
    assert request.name.endswith("/generate")
    assert attribute(run, "reportgen.report.id") == "report-123"


def parent_of(collector: Collector, child: Span) -> tuple[str, Span]:
    """The span ``child`` was made in, from the same trace; fails if none was received."""
    parents = [
        (service, span)
        for service, span in collector.spans
        if span.trace_id == child.trace_id and span.span_id == child.parent_span_id
    ]
    assert len(parents) == 1, f"the parent of {child.name} did not reach the collector"
    return parents[0]
