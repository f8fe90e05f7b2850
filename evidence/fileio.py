"""The one way files are written: whole or not at all, and only as regular files.

A temporary file in the target's own directory (a fresh, unguessable name opened with
O_EXCL, so a symlink planted at a guessable temporary name is never followed), flushed and
fsynced, then renamed over the target: a reader, a crash or a full disk never leaves half a
file behind. A target that is a directory, a FIFO, a device or a socket (or a symlink to
one: ``-o /dev/stdout``, ``-o /dev/full``) is refused before anything is created; renaming
over it would replace it with a regular file (as root, even a device).
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from evidence.errors import OutputError

__all__ = ["atomic_write"]


def atomic_write(path: Path, text: str, *, make_parents: bool = False) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically; ``make_parents`` creates missing folders.

    Raises OutputError naming the path and what to do; nothing is left behind on failure.
    """
    path = Path(path)
    _check_target(path)
    parent = path.parent
    if make_parents:
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot write {path}: cannot create the folder {parent} "
                              f"({exc.strerror or exc}); choose another place") from None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    except FileNotFoundError:
        raise OutputError(f"cannot write {path}: the folder {parent} does not exist; create it first") from None
    except OSError as exc:
        raise OutputError(f"cannot write {path}: cannot create a file in {parent} ({exc.strerror or exc}); "
                          "check the folder's permissions or choose another place") from None
    try:
        os.chmod(tmp, _mode_for(path))  # mkstemp makes 0600; the file gets the mode a plain write would
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}; nothing was written") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _check_target(path: Path) -> None:
    """Refuse a target that is not (and does not lead to) a regular file."""
    try:
        mode = os.stat(path).st_mode  # follows a symlink: what the name leads to
    except FileNotFoundError:
        return  # nothing there yet (or a dangling symlink, which the rename replaces)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise OutputError(f"cannot write {path}: it is a directory; give a file name inside it "
                          f"(e.g. {path / 'report.md'})")
    if not stat.S_ISREG(mode):
        kind = ("a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
        raise OutputError(f"cannot write {path}: it is {kind}; evidence writes regular files only "
                          "(replacing them whole). Give a file name, or '-o -' for standard output")


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777  # replacing a file keeps its permissions
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
