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

The parts, by concern: jars.py (Maven, Java), ports.py, properties.py (server.properties), process.py (the JVM
child), topics.py (aiokafka admin), broker.py (KafkaBroker). This module keeps the CLI and the names other
code imports from here.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path

from crm_devstack.broker import KafkaBroker
from crm_devstack.jars import (
    MIN_JAVA,
    check_java,
    check_mvn,
    fetch_jars,
    kafka_version,
    libs_dir,
    log4j_config_path,
    pom_path,
    repo_root,
)
from crm_devstack.ports import free_port
from crm_devstack.process import BrokerError
from crm_devstack.topics import run_async

__all__ = [
    "MIN_JAVA",
    "BrokerError",
    "KafkaBroker",
    "check_java",
    "check_mvn",
    "fetch_jars",
    "free_port",
    "kafka_version",
    "libs_dir",
    "log4j_config_path",
    "pom_path",
    "repo_root",
    "run_async",
]

_LIBS_OK_MESSAGE = "kafka jars ready"


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
