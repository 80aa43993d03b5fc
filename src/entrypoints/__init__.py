"""Entry points: the composition root, the HTTP app, the arq worker and the CLI."""
