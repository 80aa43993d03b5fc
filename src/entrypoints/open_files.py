"""The open-files limit of a server process: raised from its soft value to its hard one.

Every connection is a file: each held ``?wait=N`` and event stream, each database and
Redis connection. The soft limit a process starts with is often far below what it may
use (1,024 under systemd, whose hard limit is 524,288), and a server that reaches it
refuses connections and fails its database calls. ``serve`` and the workers raise it,
as Go programs do at start; the processes they start inherit it.
"""

import logging
import resource

logger = logging.getLogger(__name__)

#: The soft limit aimed at when the hard one is unlimited (Linux's default ``nr_open``).
_UNLIMITED_AIM = 1 << 20


def raise_open_files_limit() -> int:
    """Raise this process's soft limit of open files to its hard limit; the soft limit
    now (unchanged when the system does not allow more)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = _UNLIMITED_AIM if hard == resource.RLIM_INFINITY else hard
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return soft
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    except (ValueError, OSError) as error:
        logger.warning("The open-files limit stays at %d: %s", soft, error)
        return soft
    logger.info("Open-files limit raised from %d to %d.", soft, wanted)
    return wanted
