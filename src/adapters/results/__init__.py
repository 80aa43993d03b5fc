"""Result stores: where finished report files are kept until they expire."""

from adapters.results.local import LocalResultStore
from adapters.results.s3 import ObstoreResultStore

__all__ = ["LocalResultStore", "ObstoreResultStore"]
