"""The client commands of ``reportgen``: ``run``, ``jobs`` and ``reports``, over the HTTP API.

They talk to a running service through ``entrypoints.client`` and never read the server's
settings, so they work on any machine that can reach the service.
"""

import argparse
import sys
from collections.abc import Mapping
from typing import TypeAlias

from entrypoints import client_commands
from entrypoints.client import (
    ChecksumMismatch,
    ReportgenClient,
    ReportgenError,
    ServerUnreachable,
    TimedOut,
)

COMMANDS = frozenset({"run", "jobs", "reports"})
DEFAULT_URL = "http://127.0.0.1:8000"
REQUEST_TIMEOUT_SECONDS = 30.0

EXIT_JOB_FAILED = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_UNREACHABLE = 4
EXIT_CHECKSUM = 5
EXIT_INTERRUPTED = 130  # as a shell reports a command stopped by SIGINT

EXIT_CODES = f"""exit codes of the client commands (run, jobs, reports):
  0  done
  {EXIT_JOB_FAILED}  the job ended Failed or Cancelled
  {EXIT_USAGE}  bad usage or settings: no token, a malformed --param, a file that cannot be written
  {EXIT_REFUSED}  the service refused the request (401, 403, 404, 409, 422, 429, 5xx)
  {EXIT_UNREACHABLE}  the service could not be reached, or did not answer or finish in time
  {EXIT_CHECKSUM}  the downloaded file's SHA-256 is not the job's (nothing is kept)
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C); the job goes on"""


Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def add_client_commands(commands: Subcommands) -> None:
    """Add ``run``, ``jobs ...`` and ``reports ...`` to the ``reportgen`` parser."""
    service = argparse.ArgumentParser(add_help=False)
    service.add_argument(
        "--url", help=f"the service's base URL (default: $REPORTGEN_URL, else {DEFAULT_URL})"
    )
    service.add_argument("--token", help="the bearer token (default: $REPORTGEN_TOKEN)")
    shown = argparse.ArgumentParser(add_help=False, parents=[service])
    shown.add_argument("--json", action="store_true", help="print JSON (default: a table)")

    run = _command(commands, "run", "generate a report, follow it, download it", service)
    client_commands.add_run_arguments(run)

    jobs = _command(commands, "jobs", "your jobs").add_subparsers(dest="action", required=True)
    listed = _command(jobs, "list", "your jobs, newest first", shown)
    listed.add_argument("--status", help="only this status, e.g. Running (default: any)")
    listed.add_argument("--report", help="only this report's jobs (default: any)")
    listed.add_argument("--limit", type=int, default=20, help="at most this many (default: 20)")
    _command(jobs, "show", "one job", shown).add_argument("job", help="the job's id")
    _command(jobs, "cancel", "cancel a job that has not ended", shown).add_argument(
        "job", help="the job's id"
    )

    reports = _command(commands, "reports", "the reports you may run")
    report_actions = reports.add_subparsers(dest="action", required=True)
    _command(report_actions, "list", "the reports you may run", shown)
    _command(report_actions, "show", "one report", shown).add_argument(
        "report", help="the report's id"
    )


def _command(
    commands: Subcommands, name: str, text: str, parent: argparse.ArgumentParser | None = None
) -> argparse.ArgumentParser:
    return commands.add_parser(
        name,
        help=text,
        description=text,
        parents=[parent] if parent else [],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EXIT_CODES,
    )


def run(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    """Run one client command; every failure ends with one line and its exit code."""
    url = args.url or environ.get("REPORTGEN_URL") or DEFAULT_URL
    token = args.token or environ.get("REPORTGEN_TOKEN")
    if not token:
        return _fail("no token: pass --token or set REPORTGEN_TOKEN.", EXIT_USAGE)
    try:
        with ReportgenClient(url, token, timeout=REQUEST_TIMEOUT_SECONDS) as client:
            return client_commands.perform(args, client)
    except client_commands.UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except client_commands.JobEnded as exc:
        return _fail(str(exc), EXIT_JOB_FAILED)
    except client_commands.Interrupted as exc:
        return _fail(str(exc), EXIT_INTERRUPTED)
    except KeyboardInterrupt:
        return _fail("interrupted.", EXIT_INTERRUPTED)
    except ChecksumMismatch as exc:
        return _fail(exc.message, EXIT_CHECKSUM)
    except (ServerUnreachable, TimedOut) as exc:
        return _fail(exc.message, EXIT_UNREACHABLE)
    except ReportgenError as exc:
        return _fail(_refusal(exc), EXIT_REFUSED)
    except OSError as exc:
        return _fail(f"cannot write the file: {exc}", EXIT_USAGE)


def _refusal(error: ReportgenError) -> str:
    wait = f"; retry after {error.retry_after:g} s" if error.retry_after is not None else ""
    return f"{error.message} (HTTP {error.status}{wait})"


def _fail(message: str, code: int) -> int:
    print(f"reportgen: {' '.join(message.split())}", file=sys.stderr)
    return code
