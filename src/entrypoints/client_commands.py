"""What ``reportgen run``, ``jobs ...`` and ``reports ...`` do, given a connected client."""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import msgspec

from entrypoints.client import Job, Report, ReportgenClient
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


def perform(args: argparse.Namespace, client: ReportgenClient) -> int:
    """Carry out the parsed command."""
    if args.command == "run":
        return _run(args, client)
    if args.command == "reports":
        if args.action == "list":
            return _print(client.list_reports(), args.json, _report_line)
        return _print(client.get_report(args.report), args.json, _report_details)
    if args.action == "list":
        jobs = client.list_jobs(status=args.status, report_id=args.report, limit=args.limit)
        return _print(list(jobs), args.json, _job_line)
    job = client.cancel(args.job) if args.action == "cancel" else client.status(args.job)
    return _print(job, args.json, _job_details)


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
    accepted = client.generate(args.report, params, args.format, args.idempotency_key)
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


def _print(value: Any, as_json: bool, text: Any) -> int:
    if as_json:
        sys.stdout.write(msgspec.json.encode(value).decode() + "\n")
    elif isinstance(value, list):
        for item in value:
            print(text(item))
    else:
        print(text(value))
    return 0


def _job_line(job: Job) -> str:
    created = job.created_at.strftime("%Y-%m-%d %H:%M:%S")
    rows = job.progress.rows_written
    return f"{job.job_id}  {job.report_id:<16} {job.status:<9} {rows:>9} rows  {created}"


def _job_details(job: Job) -> str:
    lines = [
        f"job:       {job.job_id}",
        f"report:    {job.report_id} ({job.format})",
        f"status:    {job.status}",
        f"rows:      {job.progress.rows_written}",
        f"created:   {job.created_at.isoformat()}",
    ]
    if job.finished_at:
        lines.append(f"finished:  {job.finished_at.isoformat()}")
    if job.error:
        lines.append(f"error:     {job.error}")
    if job.result:
        lines.append(f"file:      {job.result.file_name}, {job.result.size_bytes} bytes")
        lines.append(f"sha256:    {job.result.sha256}")
    return "\n".join(lines)


def _report_line(report: Report) -> str:
    delivery = "async" if report.runs_async else "not async"
    return f"{report.id:<24} {','.join(report.formats):<14} {delivery:<9}  {report.name}"


def _report_details(report: Report) -> str:
    lines = [f"report:      {report.id}", f"name:        {report.name}"]
    if report.description:
        lines.append(f"description: {report.description}")
    lines.append(f"formats:     {', '.join(report.formats)}")
    lines.append(f"async:       {'yes' if report.runs_async else 'no'}")
    for spec in report.parameters:
        need = "required" if spec.required else "optional"
        lines.append(f"parameter:   {spec.name} ({spec.type}, {need}) {spec.description}".rstrip())
    return "\n".join(lines)
