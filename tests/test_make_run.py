"""`make run`'s own entry point: everything comes up ready, the demo dealer is there on every screen the
moment the URLs are printed, and Ctrl-C stops it all within seconds."""

import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from crm_devstack.kafka import free_port
from crm_devstack.stack import PROCESSES, STARTED

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
DEALER = "D-DEMO-001"
STOPPED_WITHIN = 15  # seconds from Ctrl-C until nothing of the suite runs


def test_run_shows_a_scored_demo_dealer_on_every_screen_and_stops_on_ctrl_c(tmp_path):
    base = free_port()
    while any(_in_use(base + offset) for offset in range(len(STARTED))):
        base = free_port()
    kafka_port = free_port()
    started = time.monotonic()
    run = subprocess.Popen(
        [sys.executable, "-m", "crm_devstack.stack", "--state-dir", str(tmp_path), "--port", str(base),
         "--kafka-port", str(kafka_port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = []
    try:
        deadline = time.monotonic() + 780
        while not any("Ctrl-C" in line for line in output):
            line = run.stdout.readline()
            assert line or run.poll() is None, "".join(output)
            output.append(line)
            assert time.monotonic() < deadline, "".join(output)
        print(f"make run printed its URLs after {time.monotonic() - started:.0f} s")
        printed = "".join(output)
        assert "Demo login: username 'admin'" in printed
        assert "Demo dealer D-DEMO-001: 2000 customers registered" in printed
        assert re.search(r"D-DEMO-001 scored: .*\(\d+ s\)", printed), "the wait for scoring ends in a figure"
        print(printed)
        for offset, process in enumerate(STARTED):
            if process in PROCESSES:  # the console is printed as the gateway's /console/
                assert f"http://127.0.0.1:{base + offset}" in printed
            assert httpx.get(f"http://127.0.0.1:{base + offset}/readyz", timeout=5).status_code == 200, process
        assert f"http://127.0.0.1:{base}/console/" in printed
        _a_newcomer_finds_the_demo_dealer_on_every_screen(f"http://127.0.0.1:{base}", printed)
        suite = _processes_of(run.pid) | {_postmaster(tmp_path)}
    finally:
        run.send_signal(signal.SIGINT)
        interrupted = time.monotonic()
        run.wait(60)
    assert time.monotonic() - interrupted < STOPPED_WITHIN
    assert run.returncode == 0
    survivors = [pid for pid in suite if _alive(pid)]
    assert survivors == [], [_command(pid) for pid in survivors]
    assert not any(_in_use(base + offset) for offset in range(len(STARTED)))
    assert not (tmp_path / "stack.pid").exists()


def _a_newcomer_finds_the_demo_dealer_on_every_screen(gateway: str, printed: str) -> None:
    """Every screen is checked and every empty one named, so one run shows all that is missing."""
    missing = []

    def expect(shown: bool, screen: str) -> None:
        if not shown:
            missing.append(screen)

    with httpx.Client(base_url=gateway, timeout=30) as client:
        token = client.post("/auth/token", data={"grant_type": "password", "username": "admin",
                                                 "password": "admin-demo-password"}).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"

        value_types = client.get("/api/v1/kpis/distributions", params={"dealer_id": DEALER}).json()["value_type"]
        expect(sum(value_types.values()) == 2000 and value_types.get("unscored", 0) == 0,
               f"customers with value types: {value_types}")

        tasks = _all(client, "/api/v1/care/tasks", dealer_id=DEALER, status="open")
        expect(10 <= len(tasks) < 100, f"tens of open tasks: {Counter(task['reason'] for task in tasks)}")
        last_week = datetime.now(UTC) - timedelta(days=8)
        expect(all(datetime.fromisoformat(task["due_at"]) >= last_week for task in tasks),
               f"no task due before last week: {sorted(task['due_at'] for task in tasks)[:5]}")

        answered = client.get("/api/v1/surveys/responses", params={"limit": 500}).json()["items"]
        expect({"ssi", "csi"} <= {response["kind"] for response in answered}, "answered SSI and CSI surveys")
        expect(any(response["channel"] == "web" and response["recorded_at"] >= last_week.isoformat()
                   for response in answered), "the last days' invitations answered on /s/{token}")
        alerts = client.get("/api/v1/surveys/alerts", params={"status": "open"}).json()["items"]
        expect(any(alert["dealer_id"] == DEALER for alert in alerts), "a hot alert")
        csi = client.get(f"/api/v1/surveys/analytics/dealers/{DEALER}", params={"kind": "csi"}).json()
        expect(len([month for month in csi["trend"] if month["responses"]]) >= 12,
               f"a CSI trend over 12 months: {csi['trend']}")

        cases = client.get("/api/v1/care/cases", params={"state": "open", "limit": 200}).json()["items"]
        expect(any(case["dealer_id"] == DEALER for case in cases), "open complaint cases")

        sink = re.search(r"Messages\s+(http://\S+)", printed).group(1)
        expect(bool(httpx.get(sink, timeout=10).json()), "care's messages on the sink page")

        history = client.get("/api/v1/kpis/grasp-rate/history", params={"dealer_id": DEALER}).json()
        expect(len({row["month"] for row in history}) == 12, "grasp-rate history over 12 months")
    assert not missing, missing


def _all(client: httpx.Client, path: str, **params) -> list[dict]:
    items, cursor = [], None
    while True:
        page = client.get(path, params={**params, "limit": 500, **({"cursor": cursor} if cursor else {})}).json()
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor or len(items) > 5000:
            return items


def _processes_of(root: int) -> set[int]:
    """Every descendant of the `make run` process (the services run in sessions of their own)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _postmaster(state_dir: Path) -> int:
    """PostgreSQL daemonises through pg_ctl, so it is no child of ours: its pid file names it."""
    return int((state_dir / "postgres" / "postmaster.pid").read_text().split()[0])


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:200]
    except OSError:
        return str(pid)


def _in_use(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5)
        return True
    except httpx.HTTPError:
        return False

