"""The embedded mode (no Redis): the database is the queue, runners take jobs from it."""
