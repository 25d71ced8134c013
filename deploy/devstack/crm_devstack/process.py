"""The broker's JVM as a child process: its command line, cluster id, heap sizes, log tails and pid checks."""

from __future__ import annotations

import base64
import ctypes
import os
import re
import signal
import sys
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

from crm_devstack.jars import check_java, log4j_config_path


class BrokerError(RuntimeError):
    """The broker failed to start, died, or did not become ready; the message holds its log tail."""


def java_command(libs: Path, main: str, *args: str, logs_dir: Path, heap: str | None = None) -> list[str]:
    """`java ... -cp '<libs>/*' <main> <args>` with the GC and log4j settings every broker JVM gets."""
    cmd = [check_java()]
    if heap:
        cmd += [f"-Xmx{heap}", f"-Xms{min(heap, '256m', key=heap_bytes)}"]
    cmd += [
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-XX:InitiatingHeapOccupancyPercent=35",
        "-XX:+ExplicitGCInvokesConcurrent",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={log4j_config_path()}",
        f"-Dkafka.logs.dir={logs_dir}",
        "-cp",
        f"{libs}/*",
        main,
        *args,
    ]
    return cmd


def kafka_uuid() -> str:
    """A random cluster id in Kafka's format (what `kafka-storage random-uuid` prints), without a JVM."""
    while True:
        value = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not value.startswith("-"):  # Kafka's Uuid.randomUuid() avoids these too (CLI-unfriendly)
            return value


def tail(path: Path, lines: int = 40) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 64 * 1024))
            text = f.read().decode(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def pdeathsig_preexec() -> Callable[[], None] | None:
    """Make the broker get SIGTERM if the process that started it dies (Linux only).

    PR_SET_PDEATHSIG fires when the *thread* that forked exits, so it is only used from the main thread;
    brokers started elsewhere rely on stop()/atexit.
    """
    if not sys.platform.startswith("linux") or threading.current_thread() is not threading.main_thread():
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def preexec() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)

    return preexec


def heap_bytes(size: str) -> int:
    m = re.fullmatch(r"(\d+)([kKmMgG]?)", size.strip())
    if not m:
        raise ValueError(f"bad heap size {size!r} (expected e.g. 512m or 1g)")
    return int(m.group(1)) * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[m.group(2).lower()]


def pid_is_kafka(pid: int, properties: Path) -> bool:
    """Is `pid` a live broker started with `properties` (a stale pid file may name a reused pid)?"""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True  # no /proc: assume it is ours
    return b"kafka.Kafka" in cmdline and os.fsencode(properties) in cmdline
