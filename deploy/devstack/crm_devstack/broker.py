"""KafkaBroker: one combined broker+controller KRaft node on 127.0.0.1, run as a child process."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

from crm_devstack import properties
from crm_devstack.jars import fetch_jars
from crm_devstack.ports import accepts_tcp, free_port, port_in_use
from crm_devstack.process import BrokerError, java_command, kafka_uuid, pdeathsig_preexec, pid_is_kafka, tail
from crm_devstack.topics import create_topics, metadata_ok, run_async
from crm_devstack.watchdog import guard

log = logging.getLogger(__name__)

# Strong references: a broker whose object was dropped while running still gets stopped at exit.
_live_brokers: set[KafkaBroker] = set()


@atexit.register
def _stop_live_brokers() -> None:
    for broker in list(_live_brokers):
        with contextlib.suppress(Exception):
            broker.stop(timeout=10)


class KafkaBroker:
    """One combined broker+controller KRaft node on 127.0.0.1, run as a child process.

    data_dir holds server.properties, kraft-logs/ (the data; formatted once), logs/server.log (log4j),
    broker.out (the JVM's stdout/stderr, WARN and up) and broker.pid.
    """

    CLUSTER_LOG_DIR = "kraft-logs"

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        controller_port: int | None = None,
        heap: str = "1g",
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port if port is not None else free_port(exclude={controller_port or 0})
        self.controller_port = controller_port if controller_port is not None else free_port(exclude={self.port})
        if self.port == self.controller_port:
            raise ValueError(f"port and controller_port must differ (both {self.port})")
        self.heap = heap
        self.bootstrap_servers = f"127.0.0.1:{self.port}"
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.RLock()
        self.last_start_seconds: float | None = None

    # -- paths

    @property
    def log_dir(self) -> Path:
        return self.data_dir / self.CLUSTER_LOG_DIR

    @property
    def properties_path(self) -> Path:
        return self.data_dir / "server.properties"

    @property
    def server_log(self) -> Path:
        return self.data_dir / "logs" / "server.log"

    @property
    def stdout_path(self) -> Path:
        return self.data_dir / "broker.out"

    @property
    def pid_path(self) -> Path:
        return self.data_dir / "broker.pid"

    # -- state

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def __repr__(self) -> str:
        state = f"pid {self.pid}" if self.is_running else "stopped"
        return f"<KafkaBroker {self.bootstrap_servers} {self.data_dir} {state}>"

    def __enter__(self) -> KafkaBroker:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- config

    def server_properties(self) -> dict[str, str]:
        return properties.server_properties(self.port, self.controller_port, self.log_dir)

    def _write_properties(self) -> None:
        lines = ["# written by crm_devstack.kafka on every start; edits are overwritten"]
        lines += [f"{k}={v}" for k, v in self.server_properties().items()]
        self.properties_path.write_text("\n".join(lines) + "\n")

    def _java_cmd(self, libs: Path, main: str, *args: str, heap: str | None = None) -> list[str]:
        return java_command(libs, main, *args, logs_dir=self.data_dir / "logs", heap=heap)

    def is_formatted(self) -> bool:
        return (self.log_dir / "meta.properties").is_file()

    def _format(self, libs: Path) -> None:
        cluster_id = kafka_uuid()
        cmd = self._java_cmd(
            libs, "kafka.tools.StorageTool", "format", "-t", cluster_id,
            "-c", str(self.properties_path), "--standalone", heap="256m",
        )  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0 or not self.is_formatted():
            raise BrokerError(f"formatting {self.log_dir} failed (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}")
        log.info("formatted %s (cluster id %s)", self.log_dir, cluster_id)

    # -- lifecycle

    def _check_not_already_running(self) -> None:
        try:
            old_pid = int(self.pid_path.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            old_pid = None
        if old_pid is not None and old_pid != self.pid and pid_is_kafka(old_pid, self.properties_path):
            raise BrokerError(
                f"a Kafka broker for {self.data_dir} is still running (pid {old_pid}, see {self.pid_path}); "
                f"stop it first (kill {old_pid}) or use another data dir"
            )
        for name, port in (("port", self.port), ("controller_port", self.controller_port)):
            if port_in_use(port):
                raise BrokerError(
                    f"cannot start Kafka on 127.0.0.1:{port} ({name}): something is already listening "
                    "there (another broker left running?). Stop it or choose another port "
                    "(port=None picks a free one)."
                )

    # A deadline, not a wait: a quiet machine is ready in ~10 s, but with the four suites and their stacks
    # starting JVMs at once on two cores, formatting plus start-up took over 90 s.
    START_SECONDS = 240

    def start(self, timeout: float = START_SECONDS) -> None:
        """Start the broker (formatting data_dir on first use) and wait until it answers metadata requests."""
        with self._lock:
            if self.is_running:
                return
            t0 = time.monotonic()
            libs = fetch_jars()
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self._check_not_already_running()
            self._write_properties()
            if not self.is_formatted():
                self._format(libs)
            cmd = self._java_cmd(libs, "kafka.Kafka", str(self.properties_path), heap=self.heap)
            out = open(self.stdout_path, "ab")  # noqa: SIM115 - owned by the child, closed in _reap
            out.write(f"\n===== crm_devstack.kafka: starting at {time.ctime()}: {' '.join(cmd)}\n".encode())
            out.flush()
            try:
                self._proc = subprocess.Popen(
                    cmd,
                    cwd=self.data_dir,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # own process group: Ctrl-C in a terminal goes to us, not it
                    preexec_fn=pdeathsig_preexec(),
                )
            finally:
                out.close()
            guard().watch_group(self._proc.pid)  # the death signal above fires only from the main thread
            self.pid_path.write_text(f"{self._proc.pid}\n")
            _live_brokers.add(self)
            try:
                self._wait_ready(t0 + timeout)
            except BaseException:
                self._terminate(signal.SIGKILL, 10)
                raise
            self.last_start_seconds = time.monotonic() - t0
            log.info("kafka broker %s ready in %.1fs", self.bootstrap_servers, self.last_start_seconds)

    def _failure(self, what: str) -> BrokerError:
        return BrokerError(
            f"Kafka broker {self.bootstrap_servers} ({self.data_dir}) {what}.\n"
            f"--- tail of {self.stdout_path}:\n{tail(self.stdout_path, 30)}\n"
            f"--- tail of {self.server_log}:\n{tail(self.server_log, 30)}"
        )

    def _wait_ready(self, deadline: float) -> None:
        assert self._proc is not None
        while True:
            code = self._proc.poll()
            if code is not None:
                raise self._failure(f"exited with code {code} while starting")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._failure("did not become ready in time")
            if accepts_tcp(self.port):
                try:
                    if run_async(metadata_ok, self.bootstrap_servers, min(remaining, 10.0)):
                        return
                except Exception as exc:  # not ready yet; keep polling until the deadline
                    log.debug("kafka readiness probe: %r", exc)
            time.sleep(0.2)

    def _terminate(self, sig: signal.Signals, timeout: float) -> None:
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        guard().forget_group(proc.pid)
        self._proc = None
        _live_brokers.discard(self)
        with contextlib.suppress(OSError):
            if self.pid_path.read_text().split()[0] == str(proc.pid):
                self.pid_path.unlink()

    def stop(self, timeout: float = 30) -> None:
        """Controlled shutdown (SIGTERM), SIGKILL after `timeout` seconds. Idempotent."""
        with self._lock:
            self._terminate(signal.SIGTERM, timeout)

    def kill(self) -> None:
        """SIGKILL the broker now, as a crash would; the data stays for restart()."""
        with self._lock:
            self._terminate(signal.SIGKILL, 30)

    def restart(self, timeout: float = START_SECONDS) -> None:
        """Stop the broker if it runs, then start it again on the same ports and data (no reformat)."""
        with self._lock:
            self.stop()
            self.start(timeout)

    def wait(self) -> int:
        """Block until the broker process exits; return its exit code."""
        proc = self._proc
        if proc is None:
            return 0
        return proc.wait()

    # -- topics

    def create_topics(self, names: list[str], partitions: int = 3, timeout: float = 30) -> None:
        """Create the topics (replication factor 1) unless they exist; wait until every partition has a leader."""
        if not self.is_running:
            raise BrokerError(f"{self!r} is not running")
        run_async(create_topics, self.bootstrap_servers, list(names), partitions, timeout)

