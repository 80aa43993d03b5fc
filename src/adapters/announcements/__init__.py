"""Announcing job changes to the processes that wait on them."""
