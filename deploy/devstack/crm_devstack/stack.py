"""The whole suite on one machine: broker, database, four services and the gateway.

`make run` runs `python -m crm_devstack.stack` in the foreground; the end-to-end tests start the
same stack on free ports in a throwaway directory, so what they prove is what `make run` does.
"""

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from crm_contracts import topics
from crm_devstack.kafka import KafkaBroker, free_port
from crm_devstack.postgres import EmbeddedPostgres
from crm_devstack.watchdog import guard

SERVICES = ("customer", "segmentation", "survey", "care")
PROCESSES = ("gateway", *SERVICES)
# Started after the gateway it calls: the staff console (a client of the public API, with no database).
FRONT_ENDS = ("console",)
STARTED = (*PROCESSES, *FRONT_ENDS)
DEFAULT_PORTS = {"gateway": 8000, "customer": 8001, "segmentation": 8002, "survey": 8003, "care": 8004,
                 "console": 8005}
REPO = Path(__file__).resolve().parents[3]


def all_topics() -> list[str]:
    return [name for topic in topics.ALL for name in (topic, topics.dead_letter(topic))]


@dataclass
class Stack:
    state_dir: Path
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    kafka_port: int | None = 9092
    partitions: int = 3
    fast_database: bool = False
    admin_password: str = "admin-demo-password"
    broker: KafkaBroker | None = None  # given: shared with the caller, who starts and stops it
    postgres: EmbeddedPostgres | None = None
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    # Where care's email, SMS and WeChat messages land instead of real providers (a local SMTP sink and
    # an HTTP receiver that shows what would have been sent).
    sink_ports: dict[str, int] = field(default_factory=lambda: {"smtp": free_port(), "http": free_port()})
    sink: subprocess.Popen | None = None

    def __post_init__(self) -> None:
        for process in FRONT_ENDS:  # callers that name only the backend's ports get a free one for the console
            self.ports.setdefault(process, free_port())

    def url(self, process: str) -> str:
        return f"http://127.0.0.1:{self.ports[process]}"

    def start(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        (self.state_dir / "logs").mkdir(exist_ok=True)
        self._owns_infrastructure = self.postgres is None
        if self._owns_infrastructure:
            self.postgres = EmbeddedPostgres(self.state_dir / "postgres", fast=self.fast_database)
            self.postgres.start()
            self.broker = KafkaBroker(self.state_dir / "kafka", port=self.kafka_port,
                                      controller_port=self.kafka_port + 1 if self.kafka_port else None)
            self.broker.start()
        self.broker.create_topics(all_topics(), partitions=self.partitions)
        self.start_sink()
        for process in STARTED:
            self.start_process(process)
        self.wait_ready(STARTED)

    def environment(self, process: str) -> dict[str, str]:
        prefix = process.upper() + "_"
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.update({
            prefix + "ENVIRONMENT": "dev",
            prefix + "PORT": str(self.ports[process]),
            prefix + "DATABASE_URL": self.postgres.url(f"crm_{process}"),
            prefix + "KAFKA_BOOTSTRAP_SERVERS": self.broker.bootstrap_servers,
            prefix + "JWT_JWKS_URL": self.url("gateway") + "/.well-known/jwks.json",
        })
        if process == "gateway":
            env["GATEWAY_SIGNING_KEY"] = self.signing_key()
            env["GATEWAY_BOOTSTRAP_ADMIN_PASSWORD"] = self.admin_password
            env.update({f"GATEWAY_{service.upper()}_URL": self.url(service) for service in SERVICES})
            env["GATEWAY_CONSOLE_URL"] = self.url("console")
            # The care service's client at the gateway, and the demo dealer with one login per role (dev only).
            env.update({"GATEWAY_CARE_CLIENT_SECRET": "care-dev-secret", "GATEWAY_DEMO_DEALER": "D-DEMO-001",
                        "GATEWAY_DEMO_PASSWORD": "demo-password"})
        if process == "console":  # the staff pages call the public API only, as any client does
            env["CONSOLE_GATEWAY_URL"] = self.url("gateway")
        if process == "care":
            env.update({"CARE_TOKEN_URL": self.url("gateway") + "/auth/token", "CARE_CLIENT_ID": "crm-care",
                        "CARE_CLIENT_SECRET": "care-dev-secret", "CARE_CUSTOMER_URL": self.url("customer"),
                        "CARE_PUBLIC_BASE_URL": self.url("gateway"),
                        "CARE_SMTP_URL": f"smtp://127.0.0.1:{self.sink_ports['smtp']}",
                        "CARE_SMS_URL": f"{self.sink_url}/sms/", "CARE_WECHAT_URL": f"{self.sink_url}/wechat",
                        "CARE_WECOM_URL": f"{self.sink_url}/wecom",
                        "CARE_CONSOLE_BASE_URL": self.url("gateway") + "/console"})
        return env

    @property
    def sink_url(self) -> str:
        return f"http://127.0.0.1:{self.sink_ports['http']}"

    def start_sink(self) -> None:
        log = (self.state_dir / "logs" / "sinks.log").open("ab")
        self.sink = subprocess.Popen(
            [sys.executable, "-m", "crm_care.sinks", "--smtp-port", str(self.sink_ports["smtp"]),
             "--http-port", str(self.sink_ports["http"])], stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        guard().watch_group(self.sink.pid)

    def signing_key(self) -> str:
        """Kept in the state directory, so tokens outlive a restart of the gateway."""
        path = self.state_dir / "gateway-signing-key.pem"
        if not path.exists():
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
            path.write_bytes(pem)
            path.chmod(0o600)
        return path.read_text()

    def start_process(self, process: str) -> None:
        log = (self.state_dir / "logs" / f"{process}.log").open("ab")
        self.processes[process] = subprocess.Popen(
            [sys.executable, "-m", f"crm_{process}"], env=self.environment(process),
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        # in a session of its own, out of a terminal's Ctrl-C; the watchdog stops it if we die first
        guard().watch_group(self.processes[process].pid)

    def stop_process(self, process: str, kill: bool = False) -> None:
        running = self.processes.pop(process, None)
        if running and running.poll() is None:
            running.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                running.wait(20)
            except subprocess.TimeoutExpired:
                running.kill()
                running.wait()
        if running:
            guard().forget_group(running.pid)

    def wait_ready(self, processes: tuple[str, ...] = PROCESSES, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        waiting = list(processes)
        while waiting:
            process = waiting[0]
            if self.processes[process].poll() is not None:
                raise RuntimeError(f"{process} exited; see {self.state_dir / 'logs' / (process + '.log')}:\n"
                                   + self.log_tail(process))
            try:
                if httpx.get(self.url(process) + "/readyz", timeout=5).status_code == 200:
                    waiting.pop(0)
                    continue
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{process} not ready after {timeout:.0f}s:\n" + self.log_tail(process))
            time.sleep(0.3)

    def log_tail(self, process: str, lines: int = 30) -> str:
        path = self.state_dir / "logs" / f"{process}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def stop(self, grace: float = 5) -> None:
        """Every process and the broker are told at once and given `grace` seconds, then PostgreSQL stops,
        so Ctrl-C is done within seconds even on a busy machine. Nothing is lost by the order: a service
        stopped mid-publish finds its outbox rows unpublished and its inbox intact at the next start."""
        started = [p for p in [*self.processes.values(), self.sink] if p]
        running = [p for p in started if p.poll() is None]
        for process in running:
            process.terminate()
        owns = getattr(self, "_owns_infrastructure", False)
        broker = threading.Thread(target=self.broker.stop, kwargs={"timeout": grace}) if owns else None
        if broker:
            broker.start()
        deadline = time.monotonic() + grace
        for process in running:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()
        for process in started:
            guard().forget_group(process.pid)
        if broker:
            self.postgres.stop()
            broker.join()


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the whole CRM suite locally.")
    parser.add_argument("--state-dir", type=Path, default=REPO / ".run")
    parser.add_argument("--no-demo", action="store_true", help="do not load the demo dealer")
    parser.add_argument("--port", type=int, default=8000, help="the gateway's port; services take the next four")
    parser.add_argument("--kafka-port", type=int, default=9092, help="the broker's port; its controller the next")
    parser.add_argument("--partitions", type=int, default=int(os.environ.get("CRM_KAFKA_PARTITIONS", "3")),
                        help="partitions of each topic created (env CRM_KAFKA_PARTITIONS)")
    arguments = parser.parse_args()
    ports = {process: arguments.port + offset for offset, process in enumerate(STARTED)}
    sinks = {"smtp": arguments.port + 25, "http": arguments.port + 26}
    stack = Stack(arguments.state_dir, ports=ports, kafka_port=arguments.kafka_port, partitions=arguments.partitions,
                  sink_ports=sinks)
    pid_file = arguments.state_dir / "stack.pid"
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        print("Starting PostgreSQL, Kafka, the four services and the gateway …", flush=True)
        stack.start()
        pid_file.write_text(str(os.getpid()))
        if not arguments.no_demo:
            from crm_devstack.demo import load_demo

            load_demo(stack.url("gateway"), "admin", stack.admin_password,
                      services={service: stack.url(service) for service in SERVICES})
        print(banner(stack), flush=True)
        while all(p.poll() is None for p in stack.processes.values()):
            time.sleep(1)
        crashed = [name for name, p in stack.processes.items() if p.poll() is not None]
        print(f"{', '.join(crashed)} stopped unexpectedly; see {arguments.state_dir / 'logs'}", flush=True)
    except KeyboardInterrupt:
        print("\nStopping …", flush=True)
    finally:
        # a second Ctrl-C while stopping would leave the rest running: stopping is already under way
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()
        pid_file.unlink(missing_ok=True)


def banner(stack: Stack) -> str:
    lines = ["", "The CRM suite is running:",
             f"  Staff console {stack.url('gateway')}/console/   (zh-CN first; sign in below)",
             f"  API gateway   {stack.url('gateway')}   (API docs: {stack.url('gateway')}/docs)"]
    lines += [f"  {service:<13} {stack.url(service)}" for service in SERVICES]
    lines += [f"  Kafka         {stack.broker.bootstrap_servers}",
              f"  PostgreSQL    {stack.postgres.socket_dir} (Unix socket)",
              f"  Logs          {stack.state_dir / 'logs'}",
              f"  Messages      {stack.sink_url}/   (what care would have sent: email, SMS, WeChat)",
              "", f"Demo login: username 'admin', password '{stack.admin_password}'",
              "Dealer D-DEMO-001, one login per role (the gateway creates them), password 'demo-password':",
              *(f"  demo.{role}" for role in ("cs-information-manager", "cs-planner", "cr-activity-owner",
                                              "cs-survey-training-owner", "dealer-admin", "advisor",
                                              "carmaker-analyst", "system-admin")),
              f"  curl -s -X POST {stack.url('gateway')}/auth/token -d grant_type=password "
              f"-d username=admin -d password={stack.admin_password}",
              "", "Ctrl-C (or `make stop` from another shell) stops everything."]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
