"""The `crm` command against the real suite (the `stack` fixture), as an operator would type it."""

import json
import random
import stat

import httpx
import pytest
from typer.testing import CliRunner

from crm_cli.main import app
from crm_devstack.kafka import free_port
from crm_devstack.stack import SERVICES

pytestmark = pytest.mark.timeout(240)


@pytest.fixture
def crm(tmp_path, monkeypatch):
    """Runs `crm ...` with its own config directory (the token cache) and a wide terminal."""
    monkeypatch.setenv("CRM_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()

    def crm(*arguments: str):
        return runner.invoke(app, list(arguments), catch_exceptions=False)

    return crm


@pytest.fixture
def logged_in(crm, stack, tmp_path) -> str:
    result = crm("login", "--gateway", stack.url("gateway"), "--username", "admin",
                 "--password", stack.admin_password)
    assert result.exit_code == 0, result.output
    return json.loads((tmp_path / "config" / "token.json").read_text())["access_token"]


def test_login_keeps_a_working_token_readable_by_its_owner_only(crm, stack, tmp_path, logged_in):
    path = tmp_path / "config" / "token.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    answer = httpx.get(stack.url("gateway") + "/api/v1/profiles", headers={"Authorization": f"Bearer {logged_in}"})
    assert answer.status_code == 200


def test_a_wrong_password_says_so_and_keeps_nothing(crm, stack, tmp_path):
    result = crm("login", "--gateway", stack.url("gateway"), "--username", "admin", "--password", "wrong")
    assert result.exit_code == 1
    assert "The gateway refused the login (400): Unknown user or wrong password." in result.output
    assert not (tmp_path / "config" / "token.json").exists()


def test_commands_needing_a_login_say_how_to_get_one(crm):
    result = crm("export")
    assert result.exit_code == 1
    assert "Not logged in: run `crm login` first." in result.output


def service_options(stack) -> list[str]:
    return [option for name in SERVICES for option in ("--service", f"{name}={stack.url(name)}")]


def test_doctor_finds_everything_answering(crm, stack):
    result = crm("doctor", "--gateway", stack.url("gateway"), *service_options(stack),
                 "--kafka", stack.broker.bootstrap_servers, "--database-url", stack.postgres.url("postgres"))
    assert result.exit_code == 0, result.output
    assert "Everything answers." in result.output
    assert "all 8 topics exist" in result.output
    assert "connected; server 18" in result.output


def test_doctor_says_plainly_what_is_wrong(crm, stack):
    nowhere = f"http://127.0.0.1:{free_port()}"
    dead_kafka = f"127.0.0.1:{free_port()}"
    options = service_options(stack)
    options[options.index(f"care={stack.url('care')}")] = f"care={nowhere}"
    result = crm("doctor", "--gateway", stack.url("gateway"), *options, "--kafka", dead_kafka,
                 "--database-url", f"postgresql://crm:wrong@127.0.0.1:{free_port()}/crm")
    assert result.exit_code == 1
    flat = " ".join(result.output.split())
    assert f"care — nothing answers at {nowhere}: is the process running" in flat
    assert f"kafka — cannot reach the Kafka broker at {dead_kafka}" in flat
    assert "postgresql — cannot connect" in flat
    assert "3 problem(s)" in flat


def test_events_tail_pretty_prints_the_envelopes_of_a_topic(crm, stack, logged_in):
    dealer = f"D-CLI-{random.randrange(10**6)}"
    created = httpx.post(stack.url("gateway") + "/api/v1/customers", headers={"Authorization": f"Bearer {logged_in}"},
                         json={"name": "李娜", "mobile": f"137{random.randrange(10**8):08d}", "dealer_id": dealer})
    assert created.status_code == 201, created.text
    # The shared stack's topic holds thousands of events by now: an operator looks for one customer's.
    result = crm("events", "tail", "crm.customer.v1", "--kafka", stack.broker.bootstrap_servers,
                 "--from-beginning", "--key", created.json()["id"], "--limit", "1", "--seconds", "120")
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert "crm.customer.registered.v1 · crm.customer.v1[" in flat and "1 events shown." in flat
    assert f'"subject": "{created.json()["id"]}"' in flat
    assert f'"dealer": "{dealer}"' in flat


def test_import_follows_the_job_and_export_streams_what_was_imported(crm, stack, logged_in, tmp_path):
    dealer = f"D-IMPORT-{random.randrange(10**6)}"
    base = random.randrange(10**7)
    records = [{"name": f"导入客户{n}", "mobile": f"136{base + n:08d}"} for n in range(3)]
    source = tmp_path / "customers.ndjson"
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records)
                      + '\n{"name": "坏号码", "mobile": "12345"}\n')
    result = crm("import", str(source), "--kind", "customers", "--dealer", dealer)
    assert result.exit_code == 2, result.output  # one row failed, and the CLI says which
    assert "3 created, 0 updated, 0 unchanged, 1 failed." in result.output
    assert "line 4: /mobile" in result.output
    # then segmentation applies the import's events and rescores the dealer, once, naming the import
    flat = " ".join(result.output.split())
    assert "Scoring: scoring" in flat and "Scoring done: 3 customers scored." in flat, result.output
    assert flat.index("Scoring: scoring") < flat.index("Scoring done")

    exported = tmp_path / "export.ndjson"
    result = crm("export", "--dealer", dealer, "--output", str(exported))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in exported.read_text().splitlines()]
    assert sorted(row["name"] for row in rows) == [r["name"] for r in records]
    assert f"3 lines written to {exported}" in " ".join(result.output.split())


def test_kpis_show_the_grasp_rate_by_vehicle_age(crm, stack, logged_in):
    dealer = f"D-KPI-{random.randrange(10**6)}"
    headers = {"Authorization": f"Bearer {logged_in}"}
    created = httpx.post(stack.url("gateway") + "/api/v1/customers", headers=headers,
                         json={"name": "张伟", "mobile": f"135{random.randrange(10**8):08d}", "dealer_id": dealer})
    assert created.status_code == 201, created.text
    result = crm("kpis", "--dealer", dealer, "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["scope"] == dealer and [row["age_years"] for row in document["by_age"]] == list(range(11))

    result = crm("kpis", "--dealer", dealer)
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert f"Grasp rate and active ratio, {dealer}, as of" in flat
    assert "vehicle age" in flat and "10+" in flat and "total" in flat

    network = crm("kpis")
    assert network.exit_code == 0, network.output
    assert "Grasp rate and active ratio, network" in " ".join(network.output.split())
