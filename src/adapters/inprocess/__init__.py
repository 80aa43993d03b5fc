"""The in-process adapter: jobs run inside ``reportgen serve`` when no Redis is configured."""
