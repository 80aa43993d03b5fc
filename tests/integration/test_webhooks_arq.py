"""Completion webhooks from the arq worker (Redis mode) to a real receiver on loopback."""

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from arq.worker import create_worker
from standardwebhooks import Webhook

from application.jobs.generate_report import GenerateReportCommand
from domain.principal import GENERATE_SCOPE, Principal
from entrypoints.container import Container
from entrypoints.worker import worker_settings
from tests.integration.seeded import seeded_container
from tests.support.webhook_receiver import (
    WEBHOOK_SECRET,
    loopback_webhooks,
    posts_arrived,
    webhook_receiver,
)

pytestmark = [
    pytest.mark.redis,
    pytest.mark.filterwarnings("ignore:Call to deprecated close:DeprecationWarning"),
]
BASE = "https://reports.example.com"


@pytest.fixture
async def container(tmp_path: Path, redis_url: str) -> AsyncIterator[Container]:
    env = loopback_webhooks(REPORTGEN_REDIS_URL=redis_url)
    async with seeded_container(tmp_path, env) as container:
        yield container


async def test_the_worker_that_ran_the_job_posts_its_signed_document(
    container: Container,
) -> None:
    alice = Principal("alice", roles=frozenset({"analyst"}), scopes=frozenset({GENERATE_SCOPE}))
    with webhook_receiver(204) as receiver:
        accepted = await container.generate_report().execute(
            GenerateReportCommand(
                principal=alice,
                report_id="report-123",
                callback_url=receiver.url,
                status_url_of=lambda job_id: f"{BASE}/api/v1/jobs/{job_id}",
            )
        )
        settings = worker_settings(container.settings(), container)
        worker = create_worker(settings, burst=True, poll_delay=0.05, handle_signals=False)
        try:
            async with asyncio.timeout(15):
                await worker.main()
                await posts_arrived(receiver)  # sent in the background of the worker
        finally:
            await worker.close()
    [post] = receiver.received
    document = Webhook(WEBHOOK_SECRET).verify(post.body, post.headers)
    assert document["jobId"] == accepted.job_id
    assert document["status"] == "Succeeded"
    assert document["resultUrl"] == f"{BASE}/api/v1/jobs/{accepted.job_id}/result"
    assert json.loads(post.body) == document
