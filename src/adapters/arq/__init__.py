"""The arq adapter: jobs queued in Redis for ``reportgen worker`` processes."""
