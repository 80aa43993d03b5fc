"""Report configurations: reading them, and managing them (administrators)."""
