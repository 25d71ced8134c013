"""The `crm` command: what an operator of the suite types.

    crm login                        password grant at the gateway; the token is cached for the other commands
    crm import FILE --kind customers follows the import job, then segmentation scoring it
    crm export [--output FILE]       every customer you may see, streamed (ndjson or csv)
    crm events tail TOPIC            consume a topic and pretty-print the envelopes
    crm kpis [--dealer D]            grasp rate and active ratio by vehicle age (one dealer or the network)
    crm doctor                       checks the gateway, each service, Kafka and PostgreSQL
"""

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from crm_cli import doctor as doctor_checks
from crm_cli import events as event_stream
from crm_cli import session, transfer

app = typer.Typer(help="Operate the dealer retention CRM.", no_args_is_help=True, pretty_exceptions_enable=False)
events_app = typer.Typer(help="Read the suite's Kafka topics.", no_args_is_help=True)
app.add_typer(events_app, name="events")

console = Console()
errors = Console(stderr=True)

Gateway = Annotated[str, typer.Option(envvar="CRM_GATEWAY_URL", help="The API gateway's base URL")]
Kafka = Annotated[str, typer.Option(envvar="CRM_KAFKA_BOOTSTRAP_SERVERS", help="Kafka bootstrap servers")]


def fail(message: str) -> None:
    errors.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(1)


def logged_in() -> session.Login:
    try:
        return session.load()
    except session.NotLoggedIn as error:
        fail(str(error))


@app.command()
def login(gateway: Gateway = session.DEFAULT_GATEWAY,
          username: Annotated[str, typer.Option(prompt=True, envvar="CRM_USERNAME")] = ...,
          password: Annotated[str, typer.Option(prompt=True, hide_input=True, envvar="CRM_PASSWORD")] = ...) -> None:
    """Log in at the gateway (OAuth2 password grant) and keep the token for the other commands."""
    try:
        granted = session.request_token(gateway, username, password)
    except session.NotLoggedIn as error:
        fail(str(error))
    except Exception as error:
        fail(f"cannot reach the gateway at {gateway} ({type(error).__name__}); is it running? try `crm doctor`")
    path = session.save(granted)
    console.print(f"Logged in to {granted.gateway} as {username}; token kept in {path}.")


@app.command("import")
def import_file(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
                kind: Annotated[str, typer.Option(help="customers, vehicles or visits")] = "customers",
                dealer: Annotated[str | None, typer.Option(help="Needed if you work for several dealers")] = None,
                wait_scoring: Annotated[float, typer.Option(
                    help="Seconds to wait for segmentation to score the import (0: do not wait)")] = 600,
                ) -> None:
    """Upload a CSV or NDJSON file as an import job and follow it to the end: the rows, then segmentation
    applying its events and rescoring the dealer (scoring, then done)."""
    current = logged_in()
    with session.client(current, timeout=300) as client:
        try:
            job = transfer.start_import(client, file, kind, dealer)
        except transfer.TransferError as error:
            fail(str(error))
        columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task(f"import {file.name}", total=job.get("total_rows") or None)

            def show(state: dict) -> None:
                progress.update(task, completed=state["processed"], total=state["total_rows"] or None,
                                description=f"import {file.name} ({state['status']})")

            job = transfer.follow(client, job, show)
        console.print(f"Import {job['id']}: {job['created']} created, {job['updated']} updated, "
                      f"{job['unchanged']} unchanged, {job['failed']} failed.")
        if wait_scoring:
            follow_scoring(client, job, wait_scoring)
        if job["failed"]:
            for row in transfer.failed_rows(client, job["id"]):
                details = "; ".join(f"{e.get('pointer') or e.get('name', '')} {e.get('detail', '')}".strip()
                                    for e in row.get("errors", []))
                errors.print(f"  line {row['line']}: {details}")
            raise typer.Exit(2)


def follow_scoring(client, job: dict, timeout: float) -> None:
    """Segmentation's side of the import: its events applied, then the dealer's rescore (scoring, done)."""
    if job.get("status") != "done":
        return
    if job.get("events") == 0:
        console.print("Scoring: nothing changed, no rescore needed.")
        return
    shown: list[str] = []

    def show(state: dict) -> None:
        if state["status"] in ("done", "failed") and "scoring" not in shown:
            show({**state, "status": "scoring"})  # it did score, between two polls: say so, in order
        if state["status"] in transfer.SCORED:
            return  # said below, with the figures
        if not shown or shown[-1] != state["status"]:
            expected = state.get("events_expected")
            detail = (f" ({state['events_applied']} of {expected} events applied)" if state["status"] == "applying"
                      and expected else "")
            console.print(f"Scoring: {state['status']}{detail}")
            shown.append(state["status"])

    try:
        state = transfer.follow_scoring(client, job["id"], show, timeout=timeout)
    except transfer.TransferError as error:
        fail(str(error))
    if state is None:
        errors.print(f"Scoring not finished after {timeout:.0f}s; the rescore goes on (see `crm kpis`).")
    elif state["status"] == "done":
        customers = (state.get("scoring_job") or {}).get("customers")
        console.print("Scoring done" + (f": {customers} customers scored." if customers is not None else "."))
    elif state["status"] == "failed":
        errors.print(f"Scoring failed: {(state.get('scoring_job') or {}).get('error')}")
    else:
        console.print("Scoring: nothing changed, no rescore needed.")


@app.command()
def export(output: Annotated[Path | None, typer.Option(help="Write here instead of standard output")] = None,
           format: Annotated[str, typer.Option(help="ndjson or csv")] = "ndjson",
           dealer: Annotated[str | None, typer.Option(help="Only this dealer")] = None) -> None:
    """Stream every customer you may see."""
    current = logged_in()
    target = output.open("wb") if output else sys.stdout.buffer
    try:
        with session.client(current, timeout=600) as client:
            lines = transfer.export(client, format, dealer, target.write)
    except transfer.TransferError as error:
        fail(str(error))
    finally:
        if output:
            target.close()
    if output:
        console.print(f"{lines} lines written to {output}.")


@events_app.command("tail")
def tail(topic: str, kafka: Kafka = "127.0.0.1:9092",
         from_beginning: Annotated[bool, typer.Option("--from-beginning", help="Start at the oldest event")] = False,
         limit: Annotated[int | None, typer.Option(help="Stop after this many events")] = None,
         seconds: Annotated[float | None, typer.Option(help="Stop after this many seconds")] = None,
         key: Annotated[str | None, typer.Option(help="Only this record's events (a customer id on most topics)")]
         = None) -> None:
    """Consume TOPIC (e.g. crm.customer.v1, or crm.customer.v1.dlq) and pretty-print each envelope."""
    try:
        shown = event_stream.run_tail(console, kafka, topic, from_beginning=from_beginning, limit=limit,
                                      seconds=seconds, key=key)
    except KeyboardInterrupt:
        return
    except Exception as error:
        fail(f"cannot read {topic} from {kafka} ({type(error).__name__}: {error}); try `crm doctor`")
    errors.print(f"{shown} events shown.")


@app.command()
def kpis(dealer: Annotated[str | None, typer.Option(help="One dealer (default: every dealer you may see)")] = None,
         as_json: Annotated[bool, typer.Option("--json", help="Print the raw document")] = False) -> None:
    """Customer grasp rate and active ratio by vehicle age, as of today: one dealer, or the network."""
    current = logged_in()
    params = {"dealer_id": dealer} if dealer else {"network": "true"}
    with session.client(current) as client:
        response = client.get("/api/v1/kpis/grasp-rate", params=params)
    if response.status_code != 200:
        fail(f"KPIs not available ({response.status_code}): {session.problem_text(response)}")
    document = response.json()
    if as_json:
        console.print_json(json.dumps(document, ensure_ascii=False))
        return
    table = Table(title=f"Grasp rate and active ratio, {document['scope']}, as of {document['as_of']}")
    for column in ("vehicle age", "sold", "grasped", "grasp rate", "base", "active", "active ratio"):
        table.add_column(column, justify="right")

    def share(value: float | None) -> str:
        return "-" if value is None else f"{value:.1%}"

    for row in [*document["by_age"], {**document["total"], "age_years": "total"}]:
        age = "10+" if row["age_years"] == 10 else str(row["age_years"])
        table.add_row(age, str(row["sold"]), str(row["grasped"]), share(row["grasp_rate"]), str(row["base"]),
                      str(row["active"]), share(row["active_ratio"]))
    console.print(table)


@app.command()
def doctor(gateway: Gateway = session.DEFAULT_GATEWAY, kafka: Kafka = "127.0.0.1:9092",
           database_url: Annotated[str | None, typer.Option(envvar="CRM_DATABASE_URL",
                                                            help="A PostgreSQL URL to try")] = None,
           service: Annotated[list[str] | None, typer.Option(
               help="NAME=URL of a service (default: the gateway's host, ports 8001-8004)")] = None) -> None:
    """Check every connection and say plainly what is wrong."""
    services = default_services(gateway)
    for item in service or []:
        name, _, url = item.partition("=")
        if name not in services or not url:
            fail(f"--service {item!r}: use NAME=URL with NAME one of {', '.join(services)}")
        services[name] = url
    findings = doctor_checks.examine(gateway, services, kafka, database_url)
    table = Table(title="crm doctor")
    table.add_column("check")
    table.add_column("")
    table.add_column("finding")
    for finding in findings:
        table.add_row(finding.check, "[green]ok[/]" if finding.ok else "[bold red]FAIL[/]", finding.detail)
    console.print(table)
    broken = [finding for finding in findings if not finding.ok]
    if broken:
        errors.print(f"{len(broken)} problem(s): " + "; ".join(f"{f.check} — {f.detail}" for f in broken))
        raise typer.Exit(1)
    console.print("Everything answers.")


def default_services(gateway: str) -> dict[str, str]:
    from urllib.parse import urlsplit

    host = urlsplit(gateway).hostname or "127.0.0.1"
    return {name: os.environ.get(f"CRM_{name.upper()}_URL", f"http://{host}:{port}")
            for name, port in doctor_checks.SERVICES.items()}
