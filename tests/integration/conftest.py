"""Integration tests: real databases and services."""

pytest_plugins = ["tests.support.postgres"]
