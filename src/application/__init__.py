"""Use cases of reportgen and the ports they need from the outside world."""
