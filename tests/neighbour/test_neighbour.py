"""A good neighbour: when `make test`'s pytest or `make run` is killed, as a CI timeout or a closed terminal
does, nothing it started lives on (no broker, no database, no service busy-retrying against them)."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crm_devstack.ports import free_port
from crm_devstack.stack import STARTED

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
DEATH_CASCADE_SECONDS = 30  # watchdog grace, broker shutdown and PostgreSQL's immediate stop, on a busy machine
READY_SECONDS = 400

HOLDER = '''
import os, time
from pathlib import Path


def test_holds_the_whole_stack_until_killed(stack):
    Path(os.environ["CRM_NEIGHBOUR_READY"]).write_text(str(stack.postgres.data_dir))
    time.sleep(3600)
'''


@pytest.mark.parametrize("kill_with", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_killed_test_session_leaves_no_broker_database_or_service_behind(tmp_path, kill_with):
    inner = tmp_path / "inner"
    inner.mkdir()
    # its own root: none of the suite's options or conftests
    (inner / "pytest.ini").write_text("[pytest]\nasyncio_default_fixture_loop_scope = session\n")
    (inner / "test_holder.py").write_text(HOLDER)
    ready = tmp_path / "ready"
    session = subprocess.Popen(
        [sys.executable, "-m", "pytest", str(inner), "-p", "crm_devstack.pytest_plugin", "-p", "no:cacheprovider",
         f"--basetemp={tmp_path / 'basetemp'}", f"--rootdir={inner}", "-q"],
        env={**os.environ, "CRM_NEIGHBOUR_READY": str(ready)}, cwd=inner,
        stdout=(tmp_path / "pytest.log").open("wb"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + READY_SECONDS
        while not ready.exists() or not ready.read_text():
            assert session.poll() is None, (tmp_path / "pytest.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "pytest.log").read_text()
            time.sleep(0.5)
        started = _started_by(session.pid, Path(ready.read_text()))
        commands = " ".join(_command(process) for process in started)
        assert "kafka.Kafka" in commands and "crm_gateway" in commands and "postgres" in commands, commands
    finally:
        session.send_signal(kill_with)
        session.wait(60)
    _assert_all_gone(started)


@pytest.mark.parametrize("kill_with", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_killed_make_run_leaves_nothing_it_started_behind(tmp_path, kill_with):
    base = free_port()
    while any(not _free(base + offset) for offset in (*range(len(STARTED)), 25, 26)):
        base = free_port()
    kafka_port = free_port()
    while not _free(kafka_port + 1):
        kafka_port = free_port()
    run = subprocess.Popen(
        [sys.executable, "-m", "crm_devstack.stack", "--state-dir", str(tmp_path), "--port", str(base),
         "--kafka-port", str(kafka_port), "--no-demo"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = []
    try:
        deadline = time.monotonic() + READY_SECONDS
        while not any("Ctrl-C" in line for line in output):
            line = run.stdout.readline()
            assert line or run.poll() is None, "".join(output)
            output.append(line)
            assert time.monotonic() < deadline, "".join(output)
        started = _started_by(run.pid, tmp_path / "postgres")
        commands = " ".join(_command(process) for process in started)
        assert "kafka.Kafka" in commands and "crm_care.sinks" in commands and "postgres" in commands, commands
    finally:
        run.send_signal(kill_with)
        run.wait(60)
    _assert_all_gone(started)


# A process is its pid and its start time, so a pid reused by something else is not taken for a survivor.
Process = tuple[int, str]


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _process(pid: int) -> Process | None:
    fields = _stat(pid)
    return (pid, fields[19]) if fields else None  # field 22 of stat: start time


def _descendants(roots: set[int]) -> set[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))):
            parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), set(roots)
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _started_by(root: int, postgres_data: Path) -> set[Process]:
    """The starter's whole tree, and the PostgreSQL server with its backends, which pg_ctl daemonised."""
    postmaster = int((postgres_data / "postmaster.pid").read_text().split()[0])
    pids = _descendants({root}) | {postmaster} | _descendants({postmaster})
    return {process for pid in pids if (process := _process(pid))}


def _alive(process: Process) -> bool:
    fields = _stat(process[0])
    return fields is not None and fields[19] == process[1] and fields[0] != "Z"


def _command(process: Process) -> str:
    try:
        return Path(f"/proc/{process[0]}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return str(process[0])


def _assert_all_gone(started: set[Process]) -> None:
    deadline = time.monotonic() + DEATH_CASCADE_SECONDS
    while (survivors := [process for process in started if _alive(process)]) and time.monotonic() < deadline:
        time.sleep(0.5)
    named = [_command(process)[:200] for process in survivors]
    for pid, _ in survivors:  # a failing run must not leave its survivors to the next one
        os.kill(pid, signal.SIGKILL)
    assert named == [], named


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
