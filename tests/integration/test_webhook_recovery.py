"""A callback whose process died before sending it is sent by the sweep, and only once."""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from standardwebhooks import Webhook

from domain.callbacks import Callback, CallbackState
from entrypoints.container import Container
from tests.builders import queued_job
from tests.integration.seeded import seeded_container
from tests.support.webhook_receiver import (
    WEBHOOK_SECRET,
    loopback_webhooks,
    posts_arrived,
    webhook_receiver,
)


@pytest.fixture
async def container(tmp_path: Path) -> AsyncIterator[Container]:
    env = loopback_webhooks()
    async with seeded_container(tmp_path, env) as container:
        yield container


async def test_the_sweep_sends_a_callback_left_pending_by_a_process_that_died(
    container: Container,
) -> None:
    now = container.clock().now()
    with webhook_receiver(204) as receiver:
        ended = queued_job(now - timedelta(minutes=5))
        ended.callback = Callback(url=receiver.url, status_url="https://r.example/api/v1/jobs/1")
        ended.cancel(now - timedelta(minutes=4))
        # Claimed by a process that died mid-attempt: its hold is over.
        held = queued_job(now - timedelta(minutes=5))
        held.callback = Callback(
            url=receiver.url, status_url="https://r.example/api/v1/jobs/2", due_at=now
        )
        held.cancel(now - timedelta(minutes=4))
        async with container.unit_of_work() as uow:
            await uow.jobs.add(ended, held)
            await uow.commit()
        summary = await container.sweep_jobs().execute()
        async with asyncio.timeout(10):
            await posts_arrived(receiver, 2)
            await container.sweep_jobs().execute()  # a second sweep finds nothing due
            await asyncio.sleep(0.3)
    assert summary.callbacks == 2
    documents = [
        Webhook(WEBHOOK_SECRET).verify(post.body, post.headers) for post in receiver.received
    ]
    assert sorted(document["jobId"] for document in documents) == sorted([ended.id, held.id])
    assert len(receiver.received) == 2
    async with container.unit_of_work() as uow:
        for job in (ended, held):
            stored = await uow.jobs.get(job.id)
            assert stored is not None
            assert stored.callback is not None
            assert stored.callback.state is CallbackState.DELIVERED
