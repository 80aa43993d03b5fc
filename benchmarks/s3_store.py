"""Time and memory to store and read back one file of ``--mib`` MiB in S3: reportgen's
obstore store against boto3 (the library aioboto3 wraps) doing the same job.

The job is the store's: spool the file to a temporary file, hash it, upload it in
8 MiB parts (four at a time), then stream it back and check its SHA-256. Both talk
to one private moto server on loopback, each round in a fresh process that imports
only its own library (so its peak RSS is its own), alternating ``--rounds`` times.

    python -m benchmarks.s3_store --mib 50 --rounds 3
"""

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PART = 8 * 1024 * 1024
CHUNK = 256 * 1024


def obstore_round(env: dict[str, str], bucket: str, source: Path) -> str:
    import asyncio
    from datetime import timedelta

    from adapters.results.s3 import ObstoreResultStore

    async def run() -> str:
        store = ObstoreResultStore(
            bucket, "bench", environment=env, timeout=timedelta(seconds=120), part_bytes=PART
        )
        async with store.create("obstore.bin") as upload:
            with source.open("rb") as file:
                shutil.copyfileobj(file, upload.file, CHUNK)
            await upload.commit()
        digest = hashlib.sha256()
        async for chunk in store.read("obstore.bin"):
            digest.update(chunk)
        return digest.hexdigest()

    return asyncio.run(run())


def boto3_round(env: dict[str, str], bucket: str, source: Path) -> str:
    import boto3
    from boto3.s3.transfer import TransferConfig

    client = boto3.client(
        "s3",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env["AWS_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    config = TransferConfig(multipart_chunksize=PART, multipart_threshold=PART, max_concurrency=4)
    with tempfile.TemporaryFile() as spool, source.open("rb") as file:
        shutil.copyfileobj(file, spool, CHUNK)
        spool.seek(0)
        hashlib.file_digest(spool, "sha256")
        spool.seek(0)
        client.upload_fileobj(spool, bucket, "bench/boto3.bin", Config=config)
    digest = hashlib.sha256()
    body = client.get_object(Bucket=bucket, Key="bench/boto3.bin")["Body"]
    for chunk in body.iter_chunks(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def child(kind: str, endpoint: str, bucket: str, source: str) -> None:
    """One timed round in this process: prints seconds, the SHA-256 read back, peak RSS."""
    env = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "reportgen-test",
        "AWS_SECRET_ACCESS_KEY": "not-a-secret",
    }
    started = time.perf_counter()
    round_ = obstore_round if kind == "obstore" else boto3_round
    digest = round_(env, bucket, Path(source))
    seconds = time.perf_counter() - started
    # VmHWM, not ru_maxrss: the latter keeps the forking parent's size across exec.
    status = Path("/proc/self/status").read_text()
    peak = int(status.split("VmHWM:")[1].split()[0]) / 1024
    print(f"{seconds:.3f} {digest} {peak:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(*arguments.child)
        return
    from tests.support.moto_server import MotoServer

    with tempfile.TemporaryDirectory() as directory:
        server = MotoServer(Path(directory))
        server.start()
        try:
            bucket = server.new_bucket()
            source = Path(directory) / "source.bin"
            source.write_bytes(os.urandom(arguments.mib * 1024 * 1024))
            expected = hashlib.sha256(source.read_bytes()).hexdigest()
            results: dict[str, list[tuple[float, float]]] = {"obstore": [], "boto3": []}
            for _ in range(arguments.rounds):
                for kind, rounds in results.items():
                    command = [sys.executable, "-m", "benchmarks.s3_store", "--child", kind]
                    command += [server.endpoint, bucket, str(source)]
                    out = subprocess.run(command, capture_output=True, text=True, check=True)
                    seconds, digest, peak = out.stdout.split()
                    assert digest == expected, f"{kind} read back other bytes"
                    rounds.append((float(seconds), float(peak)))
            for kind, rounds in results.items():
                seconds = statistics.median(s for s, _ in rounds)
                peak = max(p for _, p in rounds)
                print(
                    f"{kind}: {arguments.mib} MiB stored and read back, median {seconds:.2f} s "
                    f"of {arguments.rounds}, peak RSS {peak:.0f} MiB"
                )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
