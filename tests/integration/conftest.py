"""Integration tests: real databases and services (fixtures in tests/support)."""
