"""The large-report benchmark still runs end to end on a few rows, with its sqlite3 reference
(its figures are not judged)."""

import re
import time

import pytest

from benchmarks.large_report import main

pytestmark = pytest.mark.redis


def test_large_report_benchmark_prints_throughput_and_peak_memory(
    redis_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()

    assert main(["--rows", "5000", "--redis-url", redis_url]) == 0

    printed = capsys.readouterr().out
    assert re.search(r"^rows\s+5,000 \(csv\)$", printed, re.MULTILINE), printed
    assert re.search(r"^rows/s\s+[\d,]+ ", printed, re.MULTILINE), printed
    assert re.search(r"^peak RSS\s+[\d.]+ MiB$", printed, re.MULTILINE), printed
    assert re.search(r"^sqlite3\s+[\d.]+ s \(sqlite3 -csv ", printed, re.MULTILINE), printed
    assert re.search(r"^ratio\s+[\d.]+x sqlite3 -csv \(csv, ", printed, re.MULTILINE), printed
    assert time.monotonic() - started < 30
