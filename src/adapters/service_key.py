"""One service's name on shared machinery (local socket names, Redis channels)."""

import hashlib


def service_key(database_url: str) -> str:
    """A short name of the service whose job records are in ``database_url``: the same in
    every process of the service, different for services on other databases."""
    return hashlib.sha256(database_url.encode()).hexdigest()[:24]
