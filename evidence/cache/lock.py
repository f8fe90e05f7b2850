"""A per-cache lock so two refreshes never write the same cache at once.

An OS-level advisory lock (``fcntl.flock``) on ``<cache>.lock``: the kernel drops it when the
holding process dies, even under ``kill -9``, so a killed refresh never leaves a stale lock.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from evidence.errors import CacheError, CacheLocked

__all__ = ["refresh_lock", "lock_path_for"]


def lock_path_for(cache_path: Path) -> Path:
    return cache_path.with_name(cache_path.name + ".lock")


@contextmanager
def refresh_lock(cache_path: Path) -> Iterator[None]:
    """Hold the cache's refresh lock, or raise CacheLocked at once naming the holder's pid."""
    path = lock_path_for(cache_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise CacheError(f"cannot create the lock file {path}: {exc}") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise CacheLocked(
                f"another refresh (pid {holder}) is already running on {cache_path}; "
                "wait for it to finish, or let the next scheduled run pick up"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
