"""Reading a file from disk in bounded time and memory: regular files only (a FIFO, a device such
as a committed symlink to /dev/stdin, or a socket would block or never end), and never more than
the size limit in memory."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from screen.errors import InputError

MAX_BYTES = 32 * 1024 * 1024  # larger files are refused, never passed
_CHUNK = 1 << 20


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a directory" if stat.S_ISDIR(mode) else "not a regular file"


def read_file(path: Path, display: str, limit: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file at `path` (followed through symlinks), or an `InputError`
    that says why not: not a regular file, unreadable, or larger than `limit`."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise InputError(
            display, f"cannot read ({error.strerror}); check the path and its permissions"
        ) from None
    with os.fdopen(descriptor, "rb", buffering=0) as handle:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            why = f"{_kind(status.st_mode)}, not a file: only regular files are published"
            raise InputError(display, why)
        chunks, size = [], 0
        while size <= limit and (chunk := handle.read(min(_CHUNK, limit + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
    if size > limit:
        raise InputError(
            display,
            f"file is {max(status.st_size, size) / 1048576:.1f} MB, above the {limit // 1048576} MB limit; "
            "split it, or publish large files from outside the portal",
        )
    return b"".join(chunks)
