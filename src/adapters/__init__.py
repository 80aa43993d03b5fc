"""Adapters: each port implemented with one technology, named for it."""
