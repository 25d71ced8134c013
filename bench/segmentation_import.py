"""Segmentation during a real import. Gateway, customer and segmentation run as processes (as `make run` does) on a
throwaway broker and PostgreSQL; customers, vehicles and visits files go through POST /api/v1/imports.
Printed: segmentation's events/s while the imports run and until it has caught up, the seconds from
the last import's last committed row (its `finished_at`) until segmentation has applied every event of
every import, and until the rescore the last import queued is done. Baseline in the same run: a bare
aiokafka consumer reading the same topic (no database at all).

    python -m bench.segmentation_events --only import --scale 0.1
"""

import asyncio
import json
import random
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

IMPORT_FULL = {"customers": 20_000, "vehicles": 20_000, "visits": 100_000}
DEALER = "D-BENCH-SEG"


def import_rows(scale: float) -> dict[str, list[dict]]:
 """A dealer's ten years: customers, one car each, service and repair visits spread over the years."""
 from bench.customer_import import vin

 counts = {kind: max(1, int(n * scale)) for kind, n in IMPORT_FULL.items()}
 rng = random.Random(3)
 mobile = [f"139{i:08d}" for i in range(counts["customers"])]
 customers = [{"name": f"李{i}", "mobile": mobile[i]} for i in range(counts["customers"])]
 delivered = [date(2015, 1, 1) + timedelta(days=rng.randrange(3600)) for _ in range(counts["vehicles"])]
 vehicles = [{"vin": vin(i), "customer_mobile": mobile[i % len(mobile)], "brand": "Toyota", "model": "RAV4",
              "delivery_date": delivered[i].isoformat()} for i in range(counts["vehicles"])]
 visits = []
 for i in range(counts["visits"]):
     car = rng.randrange(len(vehicles))
     on = min(date.today(), delivered[car] + timedelta(days=rng.randrange(30, 3650)))
     visits.append({"order_number": f"RO-{i:08d}", "customer_mobile": vehicles[car]["customer_mobile"],
                    "vin": vehicles[car]["vin"], "kind": "service", "subkind": rng.choice(("maintenance", "repair")),
                    "visited_on": on.isoformat(), "amount": f"{rng.randrange(300, 3000)}.00"})
 return {"customers": customers, "vehicles": vehicles, "visits": visits}


async def database_figures(url: str) -> tuple[int, list]:
 """(events applied, per import: applied, expected, and its rescore's status and finish time). An import
 landing while a rescore is still queued joins that job, so the rescore is read through the import."""
 import asyncpg

 connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
 try:
     applied = await connection.fetchval("SELECT count(*) FROM inbox")
     progress = await connection.fetch(
         "SELECT p.import_job_id::text, p.applied, p.expected, j.status, j.finished_at FROM import_progress p "
         "LEFT JOIN scoring_jobs j ON j.id = p.rescore_job_id")
     return applied, [tuple(p) for p in progress]
 finally:
     await connection.close()


def during_import(scale: float) -> None:
 import httpx

 from crm_devstack.kafka import KafkaBroker, free_port
 from crm_devstack.postgres import EmbeddedPostgres
 from crm_devstack.stack import Stack, all_topics

 data = import_rows(scale)
 with tempfile.TemporaryDirectory() as scratch:
     broker, postgres = KafkaBroker(Path(scratch) / "kafka"), EmbeddedPostgres(Path(scratch) / "pg")
     broker.start()
     postgres.start()
     stack = Stack(Path(scratch) / "stack", ports={p: free_port() for p in ("gateway", "customer", "segmentation",
                                                                             "survey", "care")},
                   broker=broker, postgres=postgres)
     try:
         broker.create_topics(all_topics(), partitions=stack.partitions)
         (stack.state_dir / "logs").mkdir(parents=True, exist_ok=True)
         for process in ("gateway", "customer", "segmentation"):
             stack.start_process(process)
         stack.wait_ready(("gateway", "customer", "segmentation"))
         token = httpx.post(stack.url("gateway") + "/auth/token", data={
             "grant_type": "password", "username": "admin", "password": stack.admin_password}).json()
         headers = {"Authorization": f"Bearer {token['access_token']}"}
         segmentation = postgres.url("crm_segmentation")
         print(f"during an import of {', '.join(f'{len(v):,} {k}' for k, v in data.items())} "
               f"(gateway, customer and segmentation processes, {stack.partitions} partitions)", flush=True)
         samples, jobs = [(time.time(), 0)], []
         client = httpx.Client(base_url=stack.url("customer"), headers=headers, timeout=600)
         for kind, items in data.items():
             body = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in items).encode()
             job = client.post("/api/v1/imports", params={"kind": kind, "dealer_id": DEALER}, content=body,
                               headers={"Content-Type": "application/x-ndjson"}).raise_for_status().json()
             while job["status"] not in ("done", "failed"):
                 samples.append((time.time(), asyncio.run(database_figures(segmentation))[0]))
                 time.sleep(0.5)
                 job = client.get(f"/api/v1/imports/{job['id']}").raise_for_status().json()
             jobs.append(job)
         last_commit = datetime.fromisoformat(jobs[-1]["finished_at"]).timestamp()
         staged = sum(job["events"] for job in jobs)
         applied_all = rescored = None
         deadline = time.time() + 1800
         while rescored is None and time.time() < deadline:
             applied, progress = asyncio.run(database_figures(segmentation))
             samples.append((time.time(), applied))
             if applied_all is None and len(progress) == len(jobs) and all(
                     expected is not None and done >= expected for _, done, expected, _, _ in progress):
                 applied_all = time.time()
             last = [p for p in progress if p[0] == str(jobs[-1]["id"]) and p[3] in ("done", "failed")]
             if last:
                 rescored = last[0][4].timestamp()
             time.sleep(0.2)
         client.close()
     finally:
         for process in ("segmentation", "customer", "gateway"):
             stack.stop_process(process)
         baseline = asyncio.run(bare_read(broker.bootstrap_servers))
         broker.stop()
         postgres.stop()
 import_seconds = datetime.fromisoformat(jobs[-1]["finished_at"]).timestamp() - samples[0][0]
 during = [n for t, n in samples if t <= last_commit]
 per_kind = ", ".join(f"{job['kind']} {job['events']:,}" for job in jobs)
 print(f"  imports: {staged:,} events staged in {import_seconds:.1f}s ({per_kind})")
 print(f"  segmentation while the imports ran: {during[-1] / max(import_seconds, 1e-9):,.0f} events/s "
       f"({during[-1]:,} applied by the last commit)")
 if applied_all is not None:
     print(f"  every event applied {applied_all - last_commit:.1f}s after the last import commit "
           f"(overall {staged / (applied_all - samples[0][0]):,.0f} events/s)")
 if rescored is not None:
     print(f"  the import's rescore done {rescored - last_commit:.1f}s after the last import commit")
 print(f"  baseline, a bare aiokafka consumer reading the same topic: {baseline:,.0f} events/s")


async def bare_read(bootstrap_servers: str) -> float:
 from aiokafka import AIOKafkaConsumer

 consumer = AIOKafkaConsumer("crm.customer.v1", bootstrap_servers=bootstrap_servers, auto_offset_reset="earliest",
                             enable_auto_commit=False, group_id=f"bench-{uuid.uuid4()}", max_poll_records=500)
 await consumer.start()
 try:
     count, started = 0, time.perf_counter()
     while batches := await consumer.getmany(timeout_ms=2000):
         count += sum(len(messages) for messages in batches.values())
     return count / (time.perf_counter() - started - 2)
 finally:
     await consumer.stop()
