"""`make run`'s own entry point: everything comes up ready, the demo loads, Ctrl-C stops it all."""

import signal
import subprocess
import sys
import time

import httpx
import pytest

from crm_devstack.kafka import free_port
from crm_devstack.stack import PROCESSES

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def test_run_brings_up_five_ready_processes_with_the_demo_and_stops_on_ctrl_c(tmp_path):
    base = free_port()
    while any(_in_use(base + offset) for offset in range(5)):
        base = free_port()
    kafka_port = free_port()
    run = subprocess.Popen(
        [sys.executable, "-m", "crm_devstack.stack", "--state-dir", str(tmp_path), "--port", str(base),
         "--kafka-port", str(kafka_port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = []
    try:
        deadline = time.monotonic() + 240
        while not any("Ctrl-C" in line for line in output):
            line = run.stdout.readline()
            assert line or run.poll() is None, "".join(output)
            output.append(line)
            assert time.monotonic() < deadline, "".join(output)
        printed = "".join(output)
        assert "Demo login: username 'admin'" in printed
        assert "Demo dealer D-DEMO-001: 2000 customers registered" in printed
        for offset, process in enumerate(PROCESSES):
            assert f"http://127.0.0.1:{base + offset}" in printed
            assert httpx.get(f"http://127.0.0.1:{base + offset}/readyz", timeout=5).status_code == 200, process
    finally:
        run.send_signal(signal.SIGINT)
        run.wait(60)
    assert run.returncode == 0
    assert not any(_in_use(base + offset) for offset in range(5))
    assert not (tmp_path / "stack.pid").exists()


def _in_use(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5)
        return True
    except httpx.HTTPError:
        return False
