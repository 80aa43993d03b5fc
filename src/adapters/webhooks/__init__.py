"""Completion webhooks over HTTP: signed with ``standardwebhooks``, sent with httpx."""
