"""Completion webhooks from a real ``reportgen serve`` to a real receiver on loopback."""

import time
from pathlib import Path

import httpx
import pytest
from standardwebhooks import Webhook

from entrypoints.cli import main
from tests.integration.console import clean_env, reportgen
from tests.integration.test_cli_serve import (
    JOB_SECONDS,
    free_port,
    seeded_data_dir,  # noqa: F401 - the fixture
    serving,
)
from tests.support.webhook_receiver import WEBHOOK_SECRET, loopback_webhooks, webhook_receiver


def test_serve_posts_the_signed_document_of_a_finished_job_to_the_receiver(
    seeded_data_dir: Path,  # noqa: F811 - the fixture
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["token", "--sub", "alice", "--role", "analyst"]) == 0
    headers = {"Authorization": f"Bearer {capsys.readouterr().out.strip()}"}
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    webhooks = loopback_webhooks()
    with webhook_receiver(204) as receiver, serving(seeded_data_dir, port, **webhooks) as server:
        accepted = httpx.post(
            f"{base_url}/api/v1/reports/report-123/generate",
            json={"parameters": {"region": "North"}, "callbackUrl": receiver.url},
            headers=headers,
            timeout=5,
        )
        job_id = accepted.json()["jobId"]
        deadline = time.monotonic() + JOB_SECONDS
        while not receiver.received and time.monotonic() < deadline and server.poll() is None:
            time.sleep(0.1)
        deliveries = httpx.get(
            f"{base_url}/api/v1/jobs/{job_id}/deliveries", headers=headers, timeout=5
        ).json()
    log = (seeded_data_dir / "serve.log").read_text()
    assert accepted.status_code == 202, accepted.text
    assert len(receiver.received) == 1, log[-3000:]
    [post] = receiver.received
    document = Webhook(WEBHOOK_SECRET).verify(post.body, post.headers)
    assert document["jobId"] == job_id
    assert document["status"] == "Succeeded"
    # The worker process had no request: the links come from the generate's own.
    assert document["resultUrl"] == f"{base_url}/api/v1/jobs/{job_id}/result"
    assert [d["outcome"] for d in deliveries["deliveries"]] == ["delivered"]


CALLBACK_JOBS = 24


def test_serve_sends_at_most_its_webhook_concurrency_of_callbacks_at_once(
    seeded_data_dir: Path,  # noqa: F811 - the fixture
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["token", "--sub", "alice", "--role", "analyst"]) == 0
    headers = {"Authorization": f"Bearer {capsys.readouterr().out.strip()}"}
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    variables = loopback_webhooks(
        REPORTGEN_WEBHOOK_CONCURRENCY="3", REPORTGEN_EMBEDDED_CONCURRENCY="4"
    )
    # A slow receiver: jobs of no rows end faster than their callbacks are answered.
    with (
        webhook_receiver(204, delay=0.5) as receiver,
        serving(seeded_data_dir, port, **variables) as server,
        httpx.Client(base_url=base_url, headers=headers, timeout=10) as client,
    ):
        body = {"parameters": {"region": "nowhere"}, "callbackUrl": receiver.url}
        accepted = [
            client.post("/api/v1/reports/report-123/generate", json=body)
            for _ in range(CALLBACK_JOBS)
        ]
        deadline = time.monotonic() + 60
        while (
            len(receiver.received) < CALLBACK_JOBS
            and time.monotonic() < deadline
            and server.poll() is None
        ):
            time.sleep(0.1)
    log = (seeded_data_dir / "serve.log").read_text()
    assert {answer.status_code for answer in accepted} == {202}
    assert len(receiver.received) == CALLBACK_JOBS, log[-3000:]  # every one sent, in turn
    assert receiver.most_in_flight <= 3, receiver.most_in_flight  # 17 without the bound
    assert "could not be delivered" not in log


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"REPORTGEN_WEBHOOK_ALLOWED_HOSTS": "hooks.example.com"}, "REPORTGEN_WEBHOOK_SECRET"),
        (
            {"REPORTGEN_WEBHOOK_ALLOWED_HOSTS": "a.example", "REPORTGEN_WEBHOOK_SECRET": "short"},
            "REPORTGEN_WEBHOOK_SECRET must be",
        ),
        (
            {"REPORTGEN_WEBHOOK_ALLOWED_HOSTS": "a b", "REPORTGEN_WEBHOOK_SECRET": WEBHOOK_SECRET},
            "REPORTGEN_WEBHOOK_ALLOWED_HOSTS: 'a b'",
        ),
    ],
)
def test_serve_stops_at_start_with_one_line_naming_a_bad_webhook_setting(
    tmp_path: Path, variables: dict[str, str], named: str
) -> None:
    done = reportgen("serve", "--port", str(free_port()), env=clean_env(tmp_path, **variables))
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert named in lines[0]
