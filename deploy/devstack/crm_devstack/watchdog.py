"""A watchdog that stops what a test session or `make run` started once its starter dies, however it dies.

A death signal (PR_SET_PDEATHSIG) reaches only direct children, only from the thread that started them,
and not at all the PostgreSQL server, which pg_ctl daemonises. So each starting process gets one small
watchdog process of its own, in a session of its own, holding the read end of a pipe whose write end only
the starter holds. The starter tells it, line by line, which process groups and which PostgreSQL data
directories to look after, and takes them back when it stops them itself. The pipe reads end-of-file only
when the starter is gone (SIGKILL included): the watchdog then stops whatever it was still told about.

    guard().watch_group(pid)          # a child started with start_new_session=True
    guard().watch_postgres(data_dir)  # before pg_ctl starts it, so no window is left
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

GRACE_SECONDS = 5  # for a SIGTERM'd service or broker, before SIGKILL


class Guard:
    """The starter's side: one watchdog per process (a forked child gets one of its own)."""

    def __init__(self) -> None:
        read, write = os.pipe()
        self.watchdog = subprocess.Popen(
            [sys.executable, "-m", "crm_devstack.watchdog", str(read)], pass_fds=(read,),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, start_new_session=True)
        os.close(read)
        self._pipe = os.fdopen(write, "w", buffering=1)
        self._lock = threading.Lock()

    def _tell(self, line: str) -> None:
        with self._lock, contextlib.suppress(OSError, ValueError):
            self._pipe.write(line + "\n")

    def watch_group(self, pgid: int) -> None:
        self._tell(f"+group {pgid}")

    def forget_group(self, pgid: int) -> None:
        self._tell(f"-group {pgid}")

    def watch_postgres(self, data_dir: Path) -> None:
        self._tell(f"+postgres {Path(data_dir).resolve()}")

    def forget_postgres(self, data_dir: Path) -> None:
        self._tell(f"-postgres {Path(data_dir).resolve()}")


_guard: Guard | None = None
_guard_pid: int | None = None
_guard_lock = threading.Lock()


def guard() -> Guard:
    global _guard, _guard_pid
    with _guard_lock:
        if _guard is None or _guard_pid != os.getpid():
            _guard, _guard_pid = Guard(), os.getpid()
        return _guard


# --------------------------------------------------------------------------- the watchdog process


def _postmaster(data_dir: str) -> int | None:
    """The running postmaster of data_dir, if its pid file names a live postgres (pids get reused)."""
    try:
        pid = int(Path(data_dir, "postmaster.pid").read_text().split()[0])
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError, IndexError):
        return None
    return pid if b"postgres" in command else None


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal(pgids: set[int], postmasters: set[int], group_signal: int, postmaster_signal: int) -> None:
    for pgid in pgids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, group_signal)
    for pid in postmasters:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, postmaster_signal)


def stop_everything(pgids: set[int], data_dirs: set[str]) -> None:
    """SIGTERM to the groups and an immediate shutdown (SIGQUIT) to PostgreSQL, SIGKILL for what lingers."""
    postmasters = {pid for pid in map(_postmaster, data_dirs) if pid is not None}
    _signal(pgids, postmasters, signal.SIGTERM, signal.SIGQUIT)
    deadline = time.monotonic() + GRACE_SECONDS
    while time.monotonic() < deadline:
        pgids = {pgid for pgid in pgids if _group_alive(pgid)}
        postmasters = {pid for pid in postmasters if Path(f"/proc/{pid}").exists()}
        if not pgids and not postmasters:
            return
        time.sleep(0.1)
    _signal(pgids, postmasters, signal.SIGKILL, signal.SIGKILL)


def watch(fd: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal's Ctrl-C is the starter's to handle
    pgids: set[int] = set()
    data_dirs: set[str] = set()
    with os.fdopen(fd) as pipe:
        for line in pipe:
            change, _, what = line.rstrip("\n").partition(" ")
            if change in ("+group", "-group"):
                (pgids.add if change == "+group" else pgids.discard)(int(what))
            elif change in ("+postgres", "-postgres"):
                (data_dirs.add if change == "+postgres" else data_dirs.discard)(what)
    if pgids or data_dirs:
        stop_everything(pgids, data_dirs)


if __name__ == "__main__":
    watch(int(sys.argv[1]))
