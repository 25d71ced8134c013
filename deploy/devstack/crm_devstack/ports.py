"""Ports on 127.0.0.1: a free one for a new broker or service, and whether one is taken or answering."""

from __future__ import annotations

import errno
import random
import socket
from pathlib import Path

# Listening ports are picked BELOW the kernel's ephemeral range. A port taken from the range (bind to 0) was
# free when asked, but every outgoing connection also draws its local port from that range, so under load a
# client socket could take it before the service bound it ("address already in use" at start-up).
# Above LOWEST and with room below the range for `make run`'s consecutive ports (base + 0 … + 26).
LOWEST, ROOM = 20_000, 64


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768  # Linux's default


def free_port(exclude: set[int] | frozenset[int] = frozenset()) -> int:
    """A port on 127.0.0.1 that nothing listens on right now, outside the range outgoing connections use."""
    highest = _ephemeral_start() - ROOM
    for _ in range(1000):
        port = random.randrange(LOWEST, highest) if highest > LOWEST else _any_free()
        if port not in exclude and _bindable(port):
            return port
    raise RuntimeError("no free port found below the ephemeral range")


def _any_free() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def port_in_use(port: int) -> bool:
    """True if binding 127.0.0.1:port the way the JVM does (SO_REUSEADDR) would fail."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def accepts_tcp(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False
