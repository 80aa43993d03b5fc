"""Attacks on authentication, tried against the adapters directly."""
