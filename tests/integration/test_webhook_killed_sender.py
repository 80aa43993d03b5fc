"""A webhook whose sending process is killed with SIGKILL mid-delivery is sent again by the
sweep of the restarted service: real ``reportgen serve`` processes, a real receiver."""

import contextlib
import http.server
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from standardwebhooks import Webhook

from entrypoints.cli import main
from tests.integration.test_cli_serve import (
    free_port,
    seeded_data_dir,  # noqa: F401 - the fixture
    serving,
)
from tests.support.processes import descendants, kill_all
from tests.support.webhook_receiver import WEBHOOK_SECRET, loopback_webhooks

#: The claim of an attempt (30 s) plus the sweep, with room on a busy machine.
REDELIVERY_SECONDS = 75


class HangingFirstReceiver:
    """Holds the first POST unanswered until released; answers 204 to the others."""

    def __init__(self) -> None:
        self.posts: list[tuple[dict[str, str], bytes]] = []
        self.first_arrived = threading.Event()
        self.release = threading.Event()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"


@contextlib.contextmanager
def hanging_first_receiver() -> Iterator[HangingFirstReceiver]:
    receiver = HangingFirstReceiver()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            receiver.posts.append(({k.lower(): v for k, v in self.headers.items()}, body))
            if len(receiver.posts) == 1:
                receiver.first_arrived.set()
                receiver.release.wait(REDELIVERY_SECONDS + 30)
            self.send_response(204)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()


def kill_9_with_children(server: subprocess.Popen[bytes]) -> None:
    """SIGKILL ``serve`` and the embedded workers it started (their own sessions)."""
    kill_all([*descendants(server.pid), server.pid])
    server.wait(timeout=10)


def test_a_webhook_cut_off_by_a_kill_9_of_its_sender_is_sent_after_the_restart(
    seeded_data_dir: Path,  # noqa: F811 - the fixture
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["token", "--sub", "alice", "--role", "analyst"]) == 0
    headers = {"Authorization": f"Bearer {capsys.readouterr().out.strip()}"}
    variables = loopback_webhooks(REPORTGEN_SWEEP_INTERVAL_SECONDS="1")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with hanging_first_receiver() as receiver:
        with serving(seeded_data_dir, port, **variables) as server:
            accepted = httpx.post(
                f"{base_url}/api/v1/reports/report-123/generate",
                json={"parameters": {"region": "North"}, "callbackUrl": receiver.url},
                headers=headers,
                timeout=10,
            )
            assert accepted.status_code == 202, accepted.text
            job_id = accepted.json()["jobId"]
            assert receiver.first_arrived.wait(30), "the first delivery never came"
            kill_9_with_children(server)  # mid-delivery: its outcome is never recorded
        with serving(seeded_data_dir, port, "serve-again.log", **variables):
            deadline = time.monotonic() + REDELIVERY_SECONDS
            while len(receiver.posts) < 2 and time.monotonic() < deadline:
                time.sleep(0.2)
            deliveries = httpx.get(
                f"{base_url}/api/v1/jobs/{job_id}/deliveries", headers=headers, timeout=10
            ).json()
    assert len(receiver.posts) == 2, (seeded_data_dir / "serve-again.log").read_text()[-3000:]
    (first_headers, _), (again_headers, again_body) = receiver.posts
    assert again_headers["webhook-id"] == first_headers["webhook-id"]  # the same message
    document = Webhook(WEBHOOK_SECRET).verify(again_body, again_headers)
    assert document["jobId"] == job_id
    assert document["status"] == "Succeeded"
    assert deliveries["deliveries"][-1]["outcome"] == "delivered"
