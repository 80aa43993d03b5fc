"""Result stores: where finished report files are kept until they expire."""

from adapters.results.local import LocalResultStore

__all__ = ["LocalResultStore"]
