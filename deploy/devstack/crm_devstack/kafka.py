"""A real single-node Kafka broker (KRaft, combined broker+controller) for `make run` and the tests.

The jars come from Maven Central (deploy/kafka/pom.xml), not from a release tarball:

    python -m crm_devstack.kafka fetch                            # once, by `make setup`
    python -m crm_devstack.kafka start --data-dir D --port P      # a broker in the foreground

From Python::

    broker = KafkaBroker(tmp_path / "kafka")      # free ports on 127.0.0.1
    broker.start()                                # formats on first use, waits for metadata
    broker.create_topics(["customer.events"])
    ... broker.bootstrap_servers ...
    broker.kill(); broker.restart()               # fault tests: the data survives
    broker.stop()
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import base64
import concurrent.futures
import contextlib
import ctypes
import errno
import hashlib
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

MIN_JAVA = 17
_MARKER = ".fetched"
_LIBS_OK_MESSAGE = "kafka jars ready"


# --------------------------------------------------------------------------- locations


def repo_root() -> Path:
    """The monorepo root: the nearest parent of this file (or of the cwd) holding deploy/kafka/pom.xml."""
    override = os.environ.get("CRM_REPO_ROOT")
    if override:
        return Path(override).resolve()
    for start in (Path(__file__).resolve(), Path.cwd().resolve()):
        for parent in (start, *start.parents):
            if (parent / "deploy" / "kafka" / "pom.xml").is_file():
                return parent
    raise SystemExit(
        "crm_devstack.kafka: cannot find deploy/kafka/pom.xml above "
        f"{Path(__file__).resolve()} or {Path.cwd()}; run from the repo or set CRM_REPO_ROOT."
    )


def pom_path() -> Path:
    return repo_root() / "deploy" / "kafka" / "pom.xml"


def log4j_config_path() -> Path:
    return repo_root() / "deploy" / "kafka" / "log4j2.properties"


def kafka_version(pom: Path | None = None) -> str:
    """The Kafka version pinned in the pom (the <kafka.version> property)."""
    text = (pom or pom_path()).read_text()
    m = re.search(r"<kafka\.version>\s*([^<\s]+)\s*</kafka\.version>", text)
    if not m:
        raise SystemExit(f"crm_devstack.kafka: no <kafka.version> property in {pom or pom_path()}")
    return m.group(1)


def libs_dir() -> Path:
    return repo_root() / ".cache" / "kafka" / kafka_version() / "libs"


# --------------------------------------------------------------------------- prerequisites


def _java_executable() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    found = shutil.which("java")
    if not found:
        raise SystemExit(
            f"crm_devstack.kafka: `java` not found. The Kafka broker needs Java {MIN_JAVA}+ "
            "(e.g. `apt-get install openjdk-17-jre-headless`), on PATH or in JAVA_HOME."
        )
    return found


_java_checked: dict[str, int] = {}


def check_java() -> str:
    """Return the java executable, or exit with an actionable message if it is missing or too old."""
    java = _java_executable()
    if java in _java_checked:
        return java
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60, check=False).stderr
    except OSError as exc:
        raise SystemExit(f"crm_devstack.kafka: cannot run {java}: {exc}") from exc
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not m:
        raise SystemExit(f"crm_devstack.kafka: cannot tell the version of {java} from:\n{out}")
    major = int(m.group(1))
    if major == 1 and m.group(2):  # "1.8.0_392" style
        major = int(m.group(2))
    if major < MIN_JAVA:
        raise SystemExit(
            f"crm_devstack.kafka: {java} is Java {major}; Kafka 4 brokers need Java {MIN_JAVA}+. "
            "Install a newer JDK/JRE and put it first on PATH or set JAVA_HOME."
        )
    _java_checked[java] = major
    return java


def check_mvn() -> str:
    mvn = shutil.which("mvn")
    if not mvn:
        raise SystemExit(
            "crm_devstack.kafka: `mvn` (Apache Maven 3.6+) not found; it fetches the Kafka jars from "
            "Maven Central once (`apt-get install maven`, or put a Maven download's bin/ on PATH)."
        )
    return mvn


# --------------------------------------------------------------------------- jars


def _pom_hash(pom: Path) -> str:
    return hashlib.sha256(pom.read_bytes()).hexdigest()


def _jars_ready(libs: Path, pom_hash: str) -> bool:
    marker = libs / _MARKER
    try:
        return marker.read_text().split()[0] == pom_hash
    except (OSError, IndexError):
        return False


def fetch_jars() -> Path:
    """Copy the broker's runtime jars into <repo>/.cache/kafka/<version>/libs; a no-op once done.

    A marker file in libs/ records a hash of the pom; a changed pom fetches again. Concurrent callers
    (several test sessions) are serialised with a file lock. Returns the libs directory.
    """
    pom = pom_path()
    pom_hash = _pom_hash(pom)
    libs = libs_dir()
    if _jars_ready(libs, pom_hash):
        return libs

    import fcntl  # POSIX only, like the rest of this module

    libs.parent.mkdir(parents=True, exist_ok=True)
    with open(libs.parent / ".fetch.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _jars_ready(libs, pom_hash):  # somebody else fetched while we waited
            return libs
        check_java()
        mvn = check_mvn()
        staging = Path(tempfile.mkdtemp(prefix="libs.", dir=libs.parent))
        cmd = [
            mvn, "-B", "-q", "dependency:copy-dependencies",
            f"-DoutputDirectory={staging}", "-DincludeScope=runtime", "-f", str(pom),
        ]  # fmt: skip
        print(f"crm_devstack.kafka: fetching Kafka {kafka_version()} jars with Maven ...", file=sys.stderr)
        t0 = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        jars = list(staging.glob("*.jar"))
        if proc.returncode != 0 or not jars:
            shutil.rmtree(staging, ignore_errors=True)
            output = (proc.stdout + proc.stderr).strip()[-4000:]
            raise SystemExit(
                f"crm_devstack.kafka: `{' '.join(cmd)}` failed (exit {proc.returncode}). Maven needs to "
                f"reach Maven Central (or a mirror in ~/.m2/settings.xml) the first time.\n{output}"
            )
        (staging / _MARKER).write_text(f"{pom_hash} {pom}\n")
        if libs.exists():
            shutil.rmtree(libs)
        staging.rename(libs)
        print(
            f"crm_devstack.kafka: {len(jars)} jars in {libs} ({time.monotonic() - t0:.1f}s)",
            file=sys.stderr,
        )
    return libs


# --------------------------------------------------------------------------- helpers


def free_port(exclude: set[int] | frozenset[int] = frozenset()) -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in exclude:
            return port


def _port_in_use(port: int) -> bool:
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


def _accepts_tcp(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def run_async(fn: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
    """Run `fn(*args)` to completion from sync code, even if this thread already runs an event loop.

    The coroutine gets a fresh loop in a fresh thread, so aiokafka objects never touch the caller's loop.
    """
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="crm-kafka") as pool:
        return pool.submit(lambda: asyncio.run(fn(*args))).result()


def _kafka_uuid() -> str:
    """A random cluster id in Kafka's format (what `kafka-storage random-uuid` prints), without a JVM."""
    while True:
        value = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not value.startswith("-"):  # Kafka's Uuid.randomUuid() avoids these too (CLI-unfriendly)
            return value


def _tail(path: Path, lines: int = 40) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 64 * 1024))
            text = f.read().decode(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _pdeathsig_preexec() -> Callable[[], None] | None:
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


# Strong references: a broker whose object was dropped while running still gets stopped at exit.
_live_brokers: set[KafkaBroker] = set()


@atexit.register
def _stop_live_brokers() -> None:
    for broker in list(_live_brokers):
        with contextlib.suppress(Exception):
            broker.stop(timeout=10)


class BrokerError(RuntimeError):
    """The broker failed to start, died, or did not become ready; the message holds its log tail."""


# --------------------------------------------------------------------------- the broker


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
        p, c = self.port, self.controller_port
        segment = str(16 * 1024 * 1024)
        return {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.bootstrap.servers": f"127.0.0.1:{c}",
            "listeners": f"PLAINTEXT://127.0.0.1:{p},CONTROLLER://127.0.0.1:{c}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{p},CONTROLLER://127.0.0.1:{c}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs": str(self.log_dir),
            # topics: explicit creation only
            "auto.create.topics.enable": "false",
            "num.partitions": "3",
            "default.replication.factor": "1",
            "min.insync.replicas": "1",
            # internal topics on one node: RF 1, min ISR 1, few partitions (faster start, less memory)
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "5",
            "offsets.topic.segment.bytes": segment,
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "5",
            "transaction.state.log.segment.bytes": segment,
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "share.coordinator.state.topic.num.partitions": "3",
            "group.initial.rebalance.delay.ms": "0",
            # After a SIGKILL the controller keeps the dead incarnation registered until its session
            # expires, and the restarted broker cannot register before that (default 9 s).
            "broker.session.timeout.ms": "4000",
            "broker.heartbeat.interval.ms": "500",
            # small segments; keep a week or 128 MiB per partition, whichever is less
            "log.segment.bytes": segment,
            "log.retention.hours": "168",
            "log.retention.bytes": str(128 * 1024 * 1024),
            "log.retention.check.interval.ms": "60000",
            # a 2-core dev box
            "num.network.threads": "2",
            "num.io.threads": "4",
            "num.recovery.threads.per.data.dir": "2",
        }

    def _write_properties(self) -> None:
        lines = ["# written by crm_devstack.kafka on every start; edits are overwritten"]
        lines += [f"{k}={v}" for k, v in self.server_properties().items()]
        self.properties_path.write_text("\n".join(lines) + "\n")

    def _java_cmd(self, libs: Path, main: str, *args: str, heap: str | None = None) -> list[str]:
        cmd = [check_java()]
        if heap:
            cmd += [f"-Xmx{heap}", f"-Xms{min(heap, '256m', key=_heap_bytes)}"]
        cmd += [
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-XX:InitiatingHeapOccupancyPercent=35",
            "-XX:+ExplicitGCInvokesConcurrent",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={log4j_config_path()}",
            f"-Dkafka.logs.dir={self.data_dir / 'logs'}",
            "-cp",
            f"{libs}/*",
            main,
            *args,
        ]
        return cmd

    def is_formatted(self) -> bool:
        return (self.log_dir / "meta.properties").is_file()

    def _format(self, libs: Path) -> None:
        cluster_id = _kafka_uuid()
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
        if old_pid is not None and old_pid != self.pid and _pid_is_kafka(old_pid, self.properties_path):
            raise BrokerError(
                f"a Kafka broker for {self.data_dir} is still running (pid {old_pid}, see {self.pid_path}); "
                f"stop it first (kill {old_pid}) or use another data dir"
            )
        for name, port in (("port", self.port), ("controller_port", self.controller_port)):
            if _port_in_use(port):
                raise BrokerError(
                    f"cannot start Kafka on 127.0.0.1:{port} ({name}): something is already listening "
                    "there (another broker left running?). Stop it or choose another port "
                    "(port=None picks a free one)."
                )

    def start(self, timeout: float = 90) -> None:
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
                    preexec_fn=_pdeathsig_preexec(),
                )
            finally:
                out.close()
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
            f"--- tail of {self.stdout_path}:\n{_tail(self.stdout_path, 30)}\n"
            f"--- tail of {self.server_log}:\n{_tail(self.server_log, 30)}"
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
            if _accepts_tcp(self.port):
                try:
                    if run_async(_metadata_ok, self.bootstrap_servers, min(remaining, 10.0)):
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

    def restart(self, timeout: float = 90) -> None:
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
        run_async(_create_topics, self.bootstrap_servers, list(names), partitions, timeout)


def _heap_bytes(size: str) -> int:
    m = re.fullmatch(r"(\d+)([kKmMgG]?)", size.strip())
    if not m:
        raise ValueError(f"bad heap size {size!r} (expected e.g. 512m or 1g)")
    return int(m.group(1)) * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[m.group(2).lower()]


def _pid_is_kafka(pid: int, properties: Path) -> bool:
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


# --------------------------------------------------------------------------- async parts (aiokafka)


async def _metadata_ok(bootstrap: str, wait_s: float) -> bool:
    from aiokafka import AIOKafkaClient

    client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=int(wait_s * 1000))
    try:
        async with asyncio.timeout(wait_s):
            await client.bootstrap()
            return bool(client.cluster.brokers())
    finally:
        await client.close()


async def _create_topics(bootstrap: str, names: list[str], partitions: int, wait_s: float) -> None:
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.errors import for_code

    if not names:
        return
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=int(wait_s * 1000))
    await admin.start()
    try:
        async with asyncio.timeout(wait_s):
            existing = set(await admin.list_topics())
            missing = [n for n in dict.fromkeys(names) if n not in existing]
            if missing:
                resp = await admin.create_topics(
                    [NewTopic(n, num_partitions=partitions, replication_factor=1) for n in missing],
                    timeout_ms=int(wait_s * 1000),
                )
                for topic, code, *rest in resp.topic_errors:
                    if code not in (0, 36):  # 36: TOPIC_ALREADY_EXISTS (a concurrent creator)
                        message = rest[0] if rest and isinstance(rest[0], str) else ""
                        raise BrokerError(f"creating topic {topic!r}: {for_code(code).__name__} {message}")
            # wait until the metadata shows every partition with a leader, so producing right away works
            while True:
                described = await admin.describe_topics(list(names))
                if all(
                    t["error_code"] == 0
                    and t["partitions"]
                    and all(p["error_code"] == 0 and p["leader"] >= 0 for p in t["partitions"])
                    for t in described
                ):
                    return
                await asyncio.sleep(0.1)
    finally:
        await admin.close()


# --------------------------------------------------------------------------- CLI


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crm_devstack.kafka", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("fetch", help="download the broker jars with Maven (once; then a no-op)")
    start = sub.add_parser("start", help="run a broker in the foreground until Ctrl-C")
    start.add_argument("--data-dir", type=Path, required=True, help="kept between runs (formatted once)")
    start.add_argument("--port", type=int, default=9092, help="client port on 127.0.0.1 (default 9092)")
    start.add_argument("--controller-port", type=int, default=None, help="default: --port + 1")
    start.add_argument("--heap", default="1g")
    start.add_argument("--topics", default="", help="comma-separated topics to create (3 partitions)")
    start.add_argument("--timeout", type=float, default=90)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    if args.cmd == "fetch":
        libs = fetch_jars()
        print(f"{_LIBS_OK_MESSAGE}: {libs}")
        return 0

    broker = KafkaBroker(
        args.data_dir,
        port=args.port,
        controller_port=args.controller_port if args.controller_port is not None else args.port + 1,
        heap=args.heap,
    )
    stopping = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        broker.start(timeout=args.timeout)
        if args.topics:
            broker.create_topics([t.strip() for t in args.topics.split(",") if t.strip()])
    except BrokerError as exc:
        print(exc, file=sys.stderr)
        broker.stop()
        return 1
    print(
        f"Kafka broker ready at {broker.bootstrap_servers} (pid {broker.pid}, started in "
        f"{broker.last_start_seconds:.1f}s). Logs: {broker.server_log}. Ctrl-C to stop.",
        flush=True,
    )
    while not stopping.wait(0.5):
        if not broker.is_running:
            code = broker.wait()
            print(broker._failure(f"exited unexpectedly with code {code}"), file=sys.stderr)
            return 1
    print("stopping the broker ...", file=sys.stderr)
    broker.stop()
    return 0


if __name__ == "__main__":
    sys.exit(_main())
