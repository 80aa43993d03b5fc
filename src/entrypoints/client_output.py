"""How the client commands print jobs and reports: lines for people, or JSON."""

import sys
from typing import Any

import msgspec

from entrypoints.client import Job, Report


def show(value: Any, as_json: bool, text: Any) -> int:
    """Print ``value`` (a job, a report, or a list of them) as JSON or through ``text``."""
    if as_json:
        sys.stdout.write(msgspec.json.encode(value).decode() + "\n")
    elif isinstance(value, list):
        for item in value:
            print(text(item))
    else:
        print(text(value))
    return 0


def job_line(job: Job) -> str:
    """A job on one line of a table."""
    created = job.created_at.strftime("%Y-%m-%d %H:%M:%S")
    rows = job.progress.rows_written
    return f"{job.job_id}  {job.report_id:<16} {job.status:<9} {rows:>9} rows  {created}"


def job_details(job: Job) -> str:
    """A job, a line per fact."""
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


def report_line(report: Report) -> str:
    """A report on one line of a table."""
    delivery = "async" if report.runs_async else "not async"
    return f"{report.id:<24} {','.join(report.formats):<14} {delivery:<9}  {report.name}"


def report_details(report: Report) -> str:
    """A report, a line per fact and per parameter."""
    lines = [f"report:      {report.id}", f"name:        {report.name}"]
    if report.description:
        lines.append(f"description: {report.description}")
    lines.append(f"formats:     {', '.join(report.formats)}")
    lines.append(f"async:       {'yes' if report.runs_async else 'no'}")
    for spec in report.parameters:
        need = "required" if spec.required else "optional"
        lines.append(f"parameter:   {spec.name} ({spec.type}, {need}) {spec.description}".rstrip())
    return "\n".join(lines)
