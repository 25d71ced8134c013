"""What a developer meets before a broker runs: `make setup`'s fetch, the refusal of a taken port, the config."""

import socket
import subprocess
import sys

import pytest

from crm_devstack.kafka import BrokerError, KafkaBroker, free_port


def test_fetch_once_done_says_where_the_jars_are():
    done = subprocess.run([sys.executable, "-m", "crm_devstack.kafka", "fetch"],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("kafka jars ready: ")
    assert done.stdout.strip().endswith("/libs")


def test_a_taken_port_is_refused_with_an_explanation_before_any_jvm_starts(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        broker = KafkaBroker(tmp_path / "kafka", port=port)
        with pytest.raises(BrokerError, match=f"127.0.0.1:{port} \\(port\\): something is already listening"):
            broker.start(timeout=10)
    assert not broker.is_running and not broker.pid_path.exists()


def test_the_written_server_properties_describe_one_node_on_its_two_ports(tmp_path):
    port = free_port()
    broker = KafkaBroker(tmp_path / "kafka", port=port, controller_port=free_port(exclude={port}))
    broker.data_dir.mkdir(parents=True)
    broker._write_properties()
    written = dict(line.split("=", 1) for line in broker.properties_path.read_text().splitlines()
                   if line and not line.startswith("#"))
    assert written["listeners"] == f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{broker.controller_port}"
    assert written["log.dirs"] == str(broker.log_dir)
    assert written["offsets.topic.replication.factor"] == "1"
    assert written["auto.create.topics.enable"] == "false"


def test_the_same_port_twice_is_refused():
    with pytest.raises(ValueError, match="must differ"):
        port = free_port()
        KafkaBroker("/tmp/unused", port=port, controller_port=port)
