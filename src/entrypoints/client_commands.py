"""What ``reportgen run``, ``jobs ...`` and ``reports ...`` do, given a connected client."""

import argparse
import json
from pathlib import Path
from typing import Any

from entrypoints.client import ReportgenClient
from entrypoints.client_output import job_details, job_line, report_details, report_line, show
from entrypoints.client_progress import progress_display


class UsageError(Exception):
    """A command line that cannot be carried out as written."""


class JobEnded(Exception):
    """The job ended without a file: Failed or Cancelled."""


class Interrupted(Exception):
    """The user stopped the command (Ctrl-C) while the job went on."""


def add_run_arguments(run: argparse.ArgumentParser) -> None:
    """``reportgen run``'s own arguments."""
    run.add_argument("report", metavar="REPORT", help="the report's id, e.g. report-123")
    run.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter, as text; NAME:=JSON for a number or a boolean; repeat for more "
        "(default: none)",
    )
    run.add_argument(
        "--format",
        help="csv, json or xlsx (default: the report's default, csv for the demo reports)",
    )
    run.add_argument(
        "-o", "--output", type=Path, help="where to save the file (default: its own name, here)"
    )
    run.add_argument(
        "--idempotency-key", help="send again safely with the same key (default: none)"
    )
    run.add_argument(
        "--timeout", type=float, help="give up after this many seconds (default: no limit)"
    )
    run.add_argument(
        "--callback-url", help="a webhook the service calls when the job ends (default: none)"
    )


def perform(args: argparse.Namespace, client: ReportgenClient) -> int:
    """Carry out the parsed command."""
    if args.command == "run":
        return _run(args, client)
    if args.command == "reports":
        if args.action == "list":
            return show(client.list_reports(), args.json, report_line)
        return show(client.get_report(args.report), args.json, report_details)
    if args.action == "list":
        jobs = client.list_jobs(status=args.status, report_id=args.report, limit=args.limit)
        return show(list(jobs), args.json, job_line)
    job = client.cancel(args.job) if args.action == "cancel" else client.status(args.job)
    return show(job, args.json, job_details)


def parameters(pairs: list[str]) -> dict[str, Any]:
    """``NAME=VALUE`` as text, ``NAME:=JSON`` as its JSON value."""
    values: dict[str, Any] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name or name == ":":
            raise UsageError(f"--param must be NAME=VALUE, not {pair!r}.")
        if name.endswith(":"):
            try:
                values[name[:-1]] = json.loads(value)
            except ValueError:
                raise UsageError(f"--param {name[:-1]}: {value!r} is not JSON.") from None
        else:
            values[name] = value
    return values


def _run(args: argparse.Namespace, client: ReportgenClient) -> int:
    params = parameters(args.param)
    accepted = client.generate(
        args.report, params, args.format, args.idempotency_key, args.callback_url
    )
    try:
        with progress_display(accepted.job_id) as display:
            job = client.wait(accepted.job_id, timeout=args.timeout, on_progress=display.update)
    except KeyboardInterrupt:
        raise Interrupted(
            f"interrupted: job {accepted.job_id} goes on; "
            f"'reportgen jobs cancel {accepted.job_id}' stops it."
        ) from None
    if job.status == "Failed":
        raise JobEnded(f"job {job.job_id} failed: {job.error or 'no reason given.'}")
    if job.status == "Cancelled":
        raise JobEnded(f"job {job.job_id} was cancelled.")
    path = client.download(job.job_id, args.output or Path.cwd())
    print(path.resolve())
    return 0
