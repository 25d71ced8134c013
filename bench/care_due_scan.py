"""The care service's daily due-scan over 1,000,000 vehicles, and messages rendered and handed to channels.

Due-scan: 1,000,000 vehicles with realistic dates (delivery, registration, warranty, insurance,
odometer, last service) in PostgreSQL; one full scan stores what falls due (wall time, vehicles/s,
peak resident memory of this process), then the same scan again (stores nothing: the idempotency
keys). Baseline: a bare keyset-paged read of the same rows, the floor any scan stands on.

Channels: templates rendered per second, signed Aliyun SendSms requests handed to a local HTTP
receiver per second (baseline: the same form posted unsigned and unrendered), emails handed to a
local SMTP server per second. `CARE_BENCH_SCALE=0.1` scans a tenth of the vehicles.
"""

import asyncio
import os
import random
import resource
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from crm_care.channels.senders import EmailSender, SmsSender
from crm_care.domain.templates import default_template, render
from crm_care.handlers import scheduler
from crm_care.main import MIGRATIONS
from crm_care.models import vehicles
from crm_care.sinks import MailSink, receiver
from crm_devstack.kafka import free_port
from crm_devstack.postgres import EmbeddedPostgres
from crm_kit.db import create_engine, ensure_database, session_factory
from crm_kit.migrations import upgrade

VEHICLES = int(1_000_000 * float(os.environ.get("CARE_BENCH_SCALE", "1")))
DEALERS = 200
MESSAGES = 2_000


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def vehicle_rows(today: date):
    rng = random.Random(6)
    for _ in range(VEHICLES):
        delivered = today - timedelta(days=rng.randint(0, 12 * 365))
        age = (today - delivered).days
        pace = rng.uniform(15, 120)
        first_read = delivered + timedelta(days=min(age, rng.randint(20, 90)))
        served = age > 200 and rng.random() < 0.8
        yield (uuid.uuid4(), uuid.uuid4(), f"D{rng.randrange(DEALERS):03d}", delivered, delivered,
               delivered + timedelta(days=3 * 365), today + timedelta(days=rng.randint(-30, 365)),
               int((first_read - delivered).days * pace), first_read, int(age * pace), today, served,
               today - timedelta(days=rng.randint(0, 200)) if served else None,
               int((age - 100) * pace) if served else None)


async def load(url: str, today: date) -> float:
    columns = ["vehicle_id", "customer_id", "dealer_id", "delivery_date", "registration_date", "warranty_end",
               "insurance_expiry", "first_km", "first_read_on", "last_km", "last_read_on", "first_service_done",
               "last_service_on", "last_service_km"]
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    started = time.perf_counter()
    await connection.copy_records_to_table("care_vehicles", records=vehicle_rows(today), columns=columns)
    await connection.execute("ANALYZE care_vehicles")
    await connection.close()
    return time.perf_counter() - started


async def bare_read(sessions, batch_size: int) -> float:
    started, after = time.perf_counter(), None
    while True:
        async with sessions() as session:
            query = sa.select(vehicles).order_by(vehicles.c.vehicle_id).limit(batch_size)
            if after is not None:
                query = query.where(vehicles.c.vehicle_id > after)
            rows = (await session.exec(query)).all()
        if not rows:
            return time.perf_counter() - started
        after = rows[-1].vehicle_id


async def due_scan(url: str) -> None:
    today = datetime.now(UTC).date()
    await ensure_database(url)
    await asyncio.to_thread(upgrade, MIGRATIONS, url)
    loaded = await load(url, today)
    print(f"loaded {VEHICLES:,} vehicles in {loaded:.1f} s (COPY)", flush=True)
    engine = create_engine(url, 5)
    sessions = session_factory(engine)
    baseline = await bare_read(sessions, 5000)
    print(f"baseline: bare keyset read of every vehicle   {baseline:7.1f} s  {VEHICLES / baseline:10,.0f} rows/s")
    for label in ("due-scan (stores what falls due)", "due-scan again (idempotent)"):
        started = time.perf_counter()
        result = await scheduler.scan(sessions, today, grace_days=7, batch_size=5000)
        elapsed = time.perf_counter() - started
        print(f"{label:<45} {elapsed:7.1f} s  {VEHICLES / elapsed:10,.0f} vehicles/s  "
              f"{result.vehicles:,} with something due, {result.stored:,} actions stored  "
              f"peak RSS {peak_rss_mb():,.0f} MB", flush=True)
    await engine.dispose()


async def channels() -> None:
    variables = {"name": "王伟", "due_on": "2026-12-31", "days_left": 30}
    template = default_template("insurance_renewal", "sms", "zh-CN")
    started = time.perf_counter()
    for _ in range(20_000):
        render(template.body, variables)
    print(f"templates rendered (sandboxed Jinja)          {20_000 / (time.perf_counter() - started):10,.0f} /s")

    outbox: list[dict] = []
    smtp = Controller(MailSink(outbox), hostname="127.0.0.1", port=free_port())
    smtp.start()
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(receiver(outbox), host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            url = f"http://127.0.0.1:{port}/sms/"
            started = time.perf_counter()
            for i in range(MESSAGES):
                await client.post(url, data={"PhoneNumbers": f"139{i:08d}", "TemplateCode": "SMS_X"})
            raw = MESSAGES / (time.perf_counter() - started)
            sms = SmsSender(client, url, "bench-id", "bench-secret", "经销商关怀")
            started = time.perf_counter()
            for i in range(MESSAGES):
                body = render(template.body, variables)
                await sms.send(f"+86139{i:08d}", template.provider_template, {**variables, "text": body})
            signed = MESSAGES / (time.perf_counter() - started)
        print(f"baseline: unsigned form posts to the receiver {raw:10,.0f} /s")
        print(f"SMS rendered, signed and handed over          {signed:10,.0f} /s  (one at a time)")
        email = EmailSender(f"smtp://127.0.0.1:{smtp.port}", "care@dealer.example")
        started = time.perf_counter()
        count = MESSAGES // 4
        for i in range(count):
            await email.send(f"owner{i}@example.cn", "续保提醒", render(template.body, variables))
        print(f"emails rendered and handed to SMTP            {count / (time.perf_counter() - started):10,.0f} /s"
              "  (a connection each)")
    finally:
        server.should_exit = True
        await serving
        smtp.stop()


def main() -> None:
    run_due_scan()
    if not os.environ.get("CARE_BENCH_SCAN_ONLY"):
        asyncio.run(channels())


def run_due_scan() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        postgres = EmbeddedPostgres(Path(scratch) / "pg", fast=True)
        postgres.start()
        try:
            asyncio.run(due_scan(postgres.url("bench_care")))
        finally:
            postgres.stop()


if __name__ == "__main__":
    main()
