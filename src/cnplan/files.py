"""Writing a file so that no reader ever sees half of it.

The content goes to a uniquely named temporary file beside the target, which is then renamed
onto it (``os.replace`` is atomic within one folder). A crash or Ctrl-C leaves either the old
file or the new one, plus at most a hidden ``.*.tmp`` file that nothing reads.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path


def write_atomic(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(temporary_path)``, then rename the temporary file onto ``path``.

    The parent folder is created if needed; on any error the temporary file is removed and
    ``path`` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return write_atomic(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    return write_atomic(path, lambda p: p.write_bytes(data))


HOME_ENV = "CNPLAN_HOME"
"""Environment variable naming the cnplan home folder (the web app's ``--home``)."""


def output_root(sub: str) -> Path:
    """Where a command puts ``runs`` or ``explorations`` when not told: under ``$CNPLAN_HOME``
    if set (so the web app serving that home lists what the command line made), else under
    the current folder.
    """
    home = os.environ.get(HOME_ENV)
    return (Path(home).expanduser() / sub) if home else Path(sub)


class LockBusy(OSError):
    """Another process holds the lock; ``holder`` is its process id as it wrote it."""

    def __init__(self, path: Path, holder: str) -> None:
        super().__init__(f"{path.name} is held by process {holder}")
        self.holder = holder


@contextlib.contextmanager
def exclusive_lock(path: str | Path, wait: bool = False) -> Iterator[None]:
    """Hold an ``flock`` on ``path`` (created if missing) for the block.

    The kernel releases the lock when the holder exits in any way (``kill -9`` included), so
    a crash never leaves it held. Without ``wait``, raise :class:`LockBusy` if it is taken.
    """
    import fcntl

    path = Path(path)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise LockBusy(path, os.pread(fd, 32, 0).decode(errors="replace").strip() or "?") \
                from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
