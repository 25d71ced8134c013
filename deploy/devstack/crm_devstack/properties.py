"""server.properties of the single-node KRaft broker: combined broker+controller on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path


def server_properties(port: int, controller_port: int, log_dir: Path) -> dict[str, str]:
    p, c = port, controller_port
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
        "log.dirs": str(log_dir),
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
