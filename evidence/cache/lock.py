"""A per-cache lock so two refreshes never write the same cache at once.

An OS-level advisory lock on ``<cache>.lock`` (``fcntl.flock`` on POSIX, ``msvcrt.locking``
on Windows): the kernel drops it when the holding process dies, even under ``kill -9``, so a
killed refresh never leaves a stale lock. The lock sits beside the cache's *real* path, so a
refresh reached through a symlink locks the same file as one given the path itself.
The platform module is imported when a lock is taken, never at package import.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from evidence.errors import CacheError, CacheLocked

__all__ = ["refresh_lock", "lock_path_for"]


def lock_path_for(cache_path: Path) -> Path:
    real = Path(os.path.realpath(cache_path))
    return real.with_name(real.name + ".lock")


def _try_lock(fd: int) -> bool:
    """Take the lock without waiting; False when another process holds it."""
    try:
        import fcntl
    except ImportError:
        fcntl = None  # type: ignore[assignment]
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
    try:
        import msvcrt
    except ImportError:
        raise CacheError("this platform has neither fcntl nor msvcrt file locks: the refresh lock "
                         "cannot be taken; run evidence on Linux, macOS or Windows") from None
    try:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined,unused-ignore]
    except OSError:
        return False
    return True


def _unlock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined,unused-ignore]
        return
    fcntl.flock(fd, fcntl.LOCK_UN)


def _holder(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    return os.read(fd, 32).decode(errors="replace").strip() or "unknown"


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
        if not _try_lock(fd):
            raise CacheLocked(
                f"another refresh (pid {_holder(fd)}) is already running on {cache_path}; "
                "wait for it to finish, or let the next scheduled run pick up"
            )
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, str(os.getpid()).encode())
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            _unlock(fd)
    finally:
        os.close(fd)
