"""The ``reportgen`` command line: database, demo data, server, worker and tokens; and the
client commands (``run``, ``jobs``, ``reports``) that use a running service."""

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from application.common.errors import ServiceUnavailable
from entrypoints import client_cli
from entrypoints.logs import configure_logging
from entrypoints.settings import Settings, SettingsError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reportgen",
        description=__doc__,
        epilog=client_cli.EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"reportgen {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    db = commands.add_parser("db", help="database schema").add_subparsers(
        dest="action", required=True
    )
    db.add_parser("upgrade", help="apply the schema migrations (safe to run again)")
    demo = commands.add_parser("demo", help="demo data").add_subparsers(
        dest="action", required=True
    )
    demo.add_parser("seed", help="load the demo reports and data set (safe to run again)")

    serve = commands.add_parser("serve", help="run the HTTP API (and the jobs, without Redis)")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port (default: %(default)s)")
    serve.add_argument(
        "--workers", type=int, default=1, help="server processes (default: %(default)s)"
    )

    worker = commands.add_parser("worker", help="run an arq worker (needs REPORTGEN_REDIS_URL)")
    worker.add_argument("--burst", action="store_true", help="process the queued jobs, then exit")

    token = commands.add_parser("token", help="print a signed development JWT (HS256)")
    token.add_argument("--sub", required=True, help="the subject (user or client id)")
    token.add_argument(
        "--role", action="append", default=[], help="a role; repeat for more (default: none)"
    )
    token.add_argument(
        "--scope",
        action="append",
        default=[],
        help='scopes, e.g. "reports:generate reports:admin" (default: reports:generate)',
    )
    token.add_argument(
        "--ttl", type=int, default=3600, help="lifetime in seconds (default: %(default)s)"
    )
    client_cli.add_client_commands(commands)
    return parser


def _version() -> str:
    try:
        return version("reportgen")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; bad settings or an unreachable dependency end with one clear line.

    The client commands talk to a running service and never read the server's settings.
    """
    args = _parser().parse_args(argv)
    if args.command in client_cli.COMMANDS:
        return client_cli.run(args, os.environ)
    try:
        settings = Settings.from_env(os.environ)
        configure_logging(settings)
        return _run(args, settings)
    except SettingsError as exc:
        print(f"reportgen: {exc}", file=sys.stderr)
        return 2
    except ServiceUnavailable as exc:
        print(f"reportgen: {exc.message}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here: the server's commands load the whole service (a second of imports),
    # which the client commands do without.
    from entrypoints import commands

    if args.command == "db":
        return asyncio.run(commands.upgrade(settings))
    if args.command == "demo":
        return asyncio.run(commands.seed(settings))
    if args.command == "serve":
        return commands.serve(settings, host=args.host, port=args.port, workers=args.workers)
    if args.command == "worker":
        return commands.worker(settings, burst=args.burst)
    return commands.token(settings, sub=args.sub, roles=args.role, scopes=args.scope, ttl=args.ttl)
