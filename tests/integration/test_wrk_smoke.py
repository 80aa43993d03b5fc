"""The wrk benchmark end to end, short: under 64 connections no generate fails and every 202
has its job record and its queued job. Its timings are not judged here."""

import os
import re
import shutil

import pytest

from benchmarks.generate_wrk import main

pytestmark = pytest.mark.redis


def test_64_concurrent_generates_all_succeed_each_with_its_record_and_queued_job(
    redis_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if shutil.which("wrk") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("wrk is not installed")
        pytest.skip("wrk is not installed")

    outcome = main(
        ["--redis-url", redis_url, "--connections", "64", "--duration", "2", "--warmup", "1"]
    )

    printed = capsys.readouterr().out
    [row] = re.findall(r"^\| 64 \|.*$", printed, re.MULTILINE)
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    errors, accepted, records, queued = (int(cell) for cell in cells[5:9])
    assert errors == 0, row
    assert accepted > 0, row
    assert records >= accepted, row
    assert queued == records, row
    assert outcome == 0
