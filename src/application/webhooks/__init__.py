"""Completion webhooks: telling a job's caller, at its callback URL, that the job ended."""
