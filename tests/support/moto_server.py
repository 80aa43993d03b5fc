"""A private S3 (moto's standalone server) on a free port of 127.0.0.1, for the S3 result store."""

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.support.redis_server import free_port

START_SECONDS = 20
#: moto takes any credentials; these only sign the requests.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "reportgen-test", "AWS_SECRET_ACCESS_KEY": "not-a-secret"}
REGION = "us-east-1"


class MotoServer:
    """``python -m moto.server`` as a subprocess, its log in ``directory``; state in memory."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        """Its URL, for ``AWS_ENDPOINT_URL``."""
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        """The ``AWS_*`` variables that point an S3 client at this server."""
        return {**CREDENTIALS, "AWS_REGION": REGION, "AWS_ENDPOINT_URL": self.endpoint}

    def client(self) -> Any:
        """A boto3 S3 client of the server (short timeouts, no retries)."""
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            config=Config(connect_timeout=2, read_timeout=10, retries={"max_attempts": 1}),
        )

    def start(self) -> None:
        """Start the server and wait until it answers."""
        command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]
        with (self._directory / "moto.log").open("ab") as log:
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_SECONDS
        client = self.client()
        while True:
            try:
                client.list_buckets()
                return
            except Exception:
                if time.monotonic() > deadline or self._process.poll() is not None:
                    self.stop()
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL): connections are refused afterwards."""
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=5)
            self._process = None

    def new_bucket(self) -> str:
        """A new, empty bucket with a unique name."""
        name = f"reportgen-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(Bucket=name)
        return name

    def pending_uploads(self, bucket: str) -> list[str]:
        """The keys of the multipart uploads started and neither completed nor aborted."""
        answer = self.client().list_multipart_uploads(Bucket=bucket)
        return [upload["Key"] for upload in answer.get("Uploads", [])]

    def keys(self, bucket: str) -> list[str]:
        """The keys of the bucket's objects."""
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    """One moto server for the session; each test takes a bucket of its own."""
    server = MotoServer(tmp_path_factory.mktemp("moto"))
    server.start()
    try:
        yield server
    finally:
        server.stop()
