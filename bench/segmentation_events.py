"""Segmentation: how fast it applies the customer service's events, in process and during a real import.

1. In process: the demo dealer's history (registrations, then vehicles, then visits, as the import
   publishes them) as crm.customer.v1 envelopes, split over three partitions by customer as Kafka would,
   fed to the service's own `EventConsumer.process_batch` in polls of 500 on a real PostgreSQL (Kafka left
   out: the consumer's cost per event). A first set of customers is loaded and fitted before the clock
   starts. The same events run twice on fresh databases: the baseline refreshes each customer after every
   event; the consumer refreshes once per batch, with set-based writes.
2. During an import: bench/segmentation_import.py (run by this benchmark too).

    python -m bench segmentation_events              (with `make bench`: the defaults, 100k visits)
    python -m bench.segmentation_events --customers 400 --warmup 100 --scale 0.1
"""

import argparse
import asyncio
import random
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

PARTITIONS = 3
POLL = 500
SEGMENTS = {
    "dormant": {"field": "retention_status", "op": "eq", "value": "dormant"},
    "valuable at risk": {"all": [{"field": "abc_class", "op": "eq", "value": "A"},
                                 {"field": "churn_risk", "op": "in", "value": ["medium", "high"]}]},
}
# What the two runs must agree on: every stored column but the times of writing, and who is in which segment.
STATE = {
    "profiles": "SELECT (to_jsonb(p) - 'updated_at' - 'scored_at')::text FROM profiles p",
    "vehicles": "SELECT (to_jsonb(v) - 'updated_at')::text FROM vehicle_profiles v",
    "members": "SELECT s.name, m.customer_id FROM segment_members m JOIN segments s ON s.id = m.segment_id",
    "events": "SELECT type, count(*) FROM outbox GROUP BY type",
}


def demo_events(customers: int, seed: int, today: date) -> list:
    """The demo generator's dealer as customer-service envelopes, in the order the import publishes them."""
    from crm_contracts import new_event
    from crm_contracts.events import customer as events
    from crm_devstack.demo import DEMO_DEALER, generate

    dealer = generate(seed=seed, count=customers)
    now = datetime.now(UTC)
    ids = random.Random(seed)  # the same ids in every run, so runs can be compared customer by customer

    def new_id() -> uuid.UUID:
        return uuid.UUID(int=ids.getrandbits(128), version=4)

    by_mobile = {c["mobile"]: new_id() for c in dealer.customers}
    by_vin = {v["vin"]: (new_id(), by_mobile[v["customer_mobile"]]) for v in dealer.vehicles}
    payloads = [events.CustomerRegistered(customer_id=by_mobile[c["mobile"]], dealer_id=DEMO_DEALER, kind="person",
                                          status="customer", registered_at=now) for c in dealer.customers]
    payloads += [events.VehicleRegistered(
        vehicle_id=by_vin[v["vin"]][0], customer_id=by_vin[v["vin"]][1], dealer_id=DEMO_DEALER, brand=v["brand"],
        model=v["model"], delivery_date=date.fromisoformat(v["delivery_date"]), sold_by_dealer=True,
        registered_at=now) for v in dealer.vehicles if date.fromisoformat(v["delivery_date"]) <= today]
    payloads += [events.VisitRecorded(
        visit_id=new_id(), customer_id=by_vin[v["vin"]][1], vehicle_id=by_vin[v["vin"]][0],
        dealer_id=DEMO_DEALER, kind=v["kind"], subkind=v["subkind"], visited_on=date.fromisoformat(v["visited_on"]),
        amount=Decimal(v["amount"]), margin=Decimal(v["margin"]), odometer_km=v.get("odometer_km"),
        order_number=v["order_number"], recorded_at=now)
        for v in dealer.visits if date.fromisoformat(v["visited_on"]) <= today]
    return [new_event(p, service="customer", subject=str(p.customer_id), dealer_id=DEMO_DEALER) for p in payloads]


def polls(envelopes: list) -> list[list]:
    """Kafka's view: keyed by customer onto partitions, each partition read in polls of up to 500."""
    from aiokafka import ConsumerRecord

    by_partition = defaultdict(list)
    for envelope in envelopes:
        partition = uuid.UUID(envelope.subject).int % PARTITIONS
        records = by_partition[partition]
        records.append(ConsumerRecord("crm.customer.v1", partition, len(records), 0, 0, envelope.subject.encode(),
                                      envelope.to_json(), None, 0, 0, ()))
    return [records[start:start + POLL] for records in by_partition.values()
            for start in range(0, len(records), POLL)]


def per_event(handlers: dict) -> dict:
    """The same handlers, each finishing its customers' refresh before the next event (the old behaviour)."""
    from crm_kit.inbox import finish_deferred

    def eager(handler):
        async def handle(session, event):
            await handler(session, event)
            await finish_deferred(session)

        return handle

    return {event_type: eager(handler) for event_type, handler in handlers.items()}


async def consume(postgres, database: str, warmup: list, measured: list, eager: bool) -> tuple[float, dict]:
    """(events/s over the measured polls, a digest of the resulting profiles for comparing runs)."""
    from sqlalchemy import text

    from crm_kit.db import create_engine, ensure_database, session_factory
    from crm_kit.inbox import EventConsumer
    from crm_kit.migrations import upgrade
    from crm_segmentation.consumers import handlers_for
    from crm_segmentation.handlers import segments
    from crm_segmentation.handlers.context import Clock, Context
    from crm_segmentation.handlers.scoring import rescore_dealer
    from crm_segmentation.main import MIGRATIONS
    from crm_segmentation.models import Segment

    url = postgres.url(database)
    await ensure_database(url)
    await asyncio.to_thread(upgrade, MIGRATIONS, url)
    engine = create_engine(url)
    sessions = session_factory(engine)
    clock = Clock()
    handlers = handlers_for(clock)
    consumer = EventConsumer(sessions, None, service="bench", bootstrap_servers="", topics=[],
                             handlers=per_event(handlers) if eager else handlers)
    try:
        for poll in polls(warmup):
            await consumer.process_batch(poll)
        dealer_id = warmup[0].dealerid
        async with sessions() as session, session.begin():
            await rescore_dealer(session, dealer_id, Context(clock))
            for name, tree in SEGMENTS.items():
                await segments.create(session, Segment(dealer_id=dealer_id, name=name, kind="dynamic", filter=tree,
                                                       created_at=datetime.now(UTC)), [])
        measured_polls = polls(measured)
        started = time.perf_counter()
        for poll in measured_polls:
            await consumer.process_batch(poll)
        elapsed = time.perf_counter() - started
        async with sessions() as session:
            digest = {name: sorted(tuple(row) for row in (await session.exec(text(query))).all())
                      for name, query in STATE.items()}
        return len(measured) / elapsed, digest
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench segmentation_events", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=200, help="demo customers whose events are timed")
    parser.add_argument("--warmup", type=int, default=100, help="demo customers loaded and fitted first")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the 20k + 20k + 100k rows imported")
    parser.add_argument("--only", choices=("batches", "import"), help="run one part only")
    # under `python -m bench` the other arguments are benchmark names
    args, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    if args.only != "import":
        asyncio.run(run(args.customers, args.warmup))
    if args.only != "batches":
        from bench.segmentation_import import during_import

        during_import(args.scale)


async def run(customers: int, warmup_customers: int) -> None:
    from crm_devstack.postgres import EmbeddedPostgres
    from crm_segmentation.handlers.context import Clock

    today = Clock().today()
    warmup, measured = demo_events(warmup_customers, 1, today), demo_events(customers, 2, today)
    kinds = defaultdict(int)
    for envelope in measured:
        kinds[envelope.type.removeprefix("crm.").removesuffix(".v1")] += 1
    print(f"{len(measured):,} events for {customers} demo customers ({dict(kinds)}), after {len(warmup):,}"
          f" warm-up events and a dealer fit; polls of {POLL} over {PARTITIONS} partitions", flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        postgres = EmbeddedPostgres(Path(scratch) / "pg")
        postgres.start()
        try:
            eager, eager_digest = await consume(postgres, "bench_per_event", warmup, measured, eager=True)
            print(f"refresh after every event: {eager:,.0f} events/s", flush=True)
            batched, batched_digest = await consume(postgres, "bench_batched", warmup, measured, eager=False)
            print(f"refresh once per batch:    {batched:,.0f} events/s ({batched / eager:.1f}x)")
        finally:
            postgres.stop()
    same = all(eager_digest[name] == batched_digest[name] for name in ("profiles", "vehicles", "members"))
    print(f"  profiles, vehicle profiles and segment members identical in both runs: {same}")
    for name, runs in (("per event", eager_digest), ("per batch", batched_digest)):
        print(f"  events published {name}: " + ", ".join(f"{t.split('.')[-2]} {n:,}" for t, n in runs["events"]))
    print("  (a state a customer passes through within one batch is not announced, only where it ends up)")


if __name__ == "__main__":
    main()
