"""The latency benchmark still runs end to end (a few requests; its timings are not judged here)."""

import re

import pytest

from benchmarks.generate_latency import main


def test_latency_benchmark_runs_and_reports_p95(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--requests", "20", "--concurrency", "2"]) == 0
    printed = capsys.readouterr().out
    assert re.search(r"^generate\s+n=20\s+.*p95=\s*[\d.]+ ms", printed, re.MULTILINE)
    assert re.search(r"^generate/health P95 ratio: [\d.]+$", printed, re.MULTILINE)
