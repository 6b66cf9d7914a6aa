"""The offline cache: SQLite (via sqlite-utils), one writer thread, readers per thread."""

from .database import Database, StoreError

__all__ = ["Database", "StoreError"]
