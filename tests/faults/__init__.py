"""Fault injection: real processes (serve, workers, redis-server, the databases) broken on
purpose, and the promise of a 202 checked afterwards (``tests.faults.invariants``)."""
