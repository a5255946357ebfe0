"""The one way this package writes files: to a temporary sibling, renamed into place when complete.

An interrupted run never leaves half a file (or half a model directory) behind, and the
target is never touched until the new content is whole. :func:`atomic_file` writes one
file; :func:`atomic_directory` builds a directory and swaps it in.

Temporary names carry the writer's process id (``.report.html.<pid>.<random>.tmp``). A
run killed outright (SIGKILL, power loss) cannot remove its own; the next write to the
same target removes those whose process is gone (:func:`remove_stale`).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO


def set_default_mode(path: str | os.PathLike, directory: bool = False) -> None:
    """Give a temporary file or directory the permissions a plain open()/mkdir() would."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, (0o777 if directory else 0o666) & ~umask)


def _temp_prefix(target: Path) -> str:
    return f".{target.name}.{os.getpid()}."


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. another user's process: it exists
        return True
    return True


def remove_stale(target: Path) -> list[Path]:
    """Remove temporary siblings of ``target`` left by writers that no longer run; return them."""
    removed = []
    with contextlib.suppress(OSError):
        for tmp in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
            pid = tmp.name[len(target.name) + 2 :].split(".", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                if tmp.is_dir():
                    shutil.rmtree(tmp, ignore_errors=True)
                else:
                    tmp.unlink(missing_ok=True)
                removed.append(tmp)
    return removed


@contextlib.contextmanager
def atomic_file(
    path: str | os.PathLike,
    mode: str = "w",
    encoding: str | None = "utf-8",
    newline: str | None = None,
    permissions: int | None = None,
) -> Iterator[IO]:
    """Open a temporary sibling of ``path`` for writing; move it over ``path`` on success.

    The file gets ``permissions`` (e.g. ``0o600`` for a key), else what a plain ``open()``
    would give. On an exception the temporary file is removed and ``path`` is left as it was.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(target)
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=".tmp", dir=target.parent)
    try:
        if permissions is None:
            set_default_mode(tmp)
        else:
            os.chmod(tmp, permissions)
        binary = "b" in mode
        with os.fdopen(fd, mode, encoding=None if binary else encoding, newline=None if binary else newline) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_file(path) as fh:
        fh.write(text)


def replace_section(
    path: str | os.PathLike,
    block: str,
    start: str,
    end: str,
    *,
    otherwise: Callable[[str, str], str] | None = None,
) -> None:
    """Put ``block`` (which begins with ``start`` and ends with ``end``) in place of the text
    between those markers in ``path``, atomically; where the markers are not found yet,
    ``otherwise(old, block)`` gives the new text (default: ``block`` appended). The generated
    sections of the docs and benchmark results are written this way."""
    target = Path(path)
    old = target.read_text("utf-8") if target.exists() else ""
    if start in old and end in old:
        new = old[: old.index(start)] + block + old[old.index(end) + len(end) :]
    elif otherwise is not None:
        new = otherwise(old, block)
    else:
        new = old.rstrip("\n") + ("\n\n" if old.strip() else "") + block + "\n"
    write_text(target, new)


@contextlib.contextmanager
def atomic_directory(path: str | os.PathLike, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield an empty temporary directory that replaces ``path`` when the block succeeds.

    With ``overwrite=False`` an existing ``path`` is refused (``FileExistsError``) before
    anything is written; with ``overwrite=True`` the old directory is swapped out and
    removed only after the new one is in place.
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise FileExistsError(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(target)
    tmp = Path(tempfile.mkdtemp(prefix=_temp_prefix(target), suffix=".tmp", dir=target.parent))
    set_default_mode(tmp, directory=True)
    try:
        yield tmp
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
