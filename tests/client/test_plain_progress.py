"""``reportgen run``'s progress lines off a terminal: each new status, rows now and then."""

import io

import msgspec

from entrypoints.client import Job
from entrypoints.client_progress import PlainProgress
from tests.client.fake_server import job


def state(status: str, rows: int) -> Job:
    return msgspec.convert(job(status, rows), Job)


def test_a_line_for_each_status_and_for_rows_at_most_every_few_seconds() -> None:
    now = [0.0]
    output = io.StringIO()
    progress = PlainProgress("2b6f0c1e-4d0a", output, every=5, clock=lambda: now[0])

    for moment, status, rows in [
        (0, "Queued", 0),
        (1, "Running", 0),
        (2, "Running", 100),  # too soon
        (7, "Running", 900),
        (8, "Succeeded", 1000),
    ]:
        now[0] = moment
        progress.update(state(status, rows))

    assert output.getvalue().splitlines() == [
        "job 2b6f0c1e…: Queued, 0 rows",
        "job 2b6f0c1e…: Running, 0 rows",
        "job 2b6f0c1e…: Running, 900 rows",
        "job 2b6f0c1e…: Succeeded, 1000 rows",
    ]
