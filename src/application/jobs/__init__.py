"""Jobs: generating a report, running it, following it, downloading its file."""
