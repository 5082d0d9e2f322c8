"""Reading a file from disk in bounded time and memory: regular files only (a FIFO, a device such
as a committed symlink to /dev/stdin, or a socket would block or never end), and never more than
the size limit in memory."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from screen.errors import InputError
from screen.i18n import N_, _

MAX_BYTES = 32 * 1024 * 1024  # larger files are refused, never passed
_CHUNK = 1 << 20


def _kind(mode: int) -> str:
    """What the path is, for the message (marked with N_, translated where it is shown)."""
    if stat.S_ISFIFO(mode):
        return N_("a named pipe (FIFO)")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return N_("a device")
    if stat.S_ISSOCK(mode):
        return N_("a socket")
    return N_("a directory") if stat.S_ISDIR(mode) else N_("not a regular file")


def read_file(path: Path, display: str, limit: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file at `path` (followed through symlinks), or an `InputError`
    that says why not: not a regular file, unreadable, or larger than `limit`."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise InputError(
            display,
            _("cannot read ({reason}); check the path and its permissions").format(reason=error.strerror),
        ) from None
    with os.fdopen(descriptor, "rb", buffering=0) as handle:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            why = _("{kind}, not a file: only regular files are published").format(
                kind=_(_kind(status.st_mode))
            )
            raise InputError(display, why)
        chunks, size = [], 0
        while size <= limit and (chunk := handle.read(min(_CHUNK, limit + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
    if size > limit:
        raise InputError(
            display,
            _(
                "file is {size:.1f} MB, above the {limit} MB limit; "
                "split it, or publish large files from outside the portal"
            ).format(size=max(status.st_size, size) / 1048576, limit=limit // 1048576),
        )
    return b"".join(chunks)


def write_file(path: Path, data: bytes, display: str) -> None:
    """Replace the file at `path` with `data` at once (a reader sees the old bytes or the new,
    never half), keeping its permissions."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.baomi-tmp")
    try:
        temporary.write_bytes(data)
        shutil.copymode(path, temporary)
        temporary.replace(path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise InputError(
            display, _("cannot write it ({reason})").format(reason=error.strerror or error)
        ) from None
