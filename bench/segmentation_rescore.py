"""Segmentation: a full dealer rescore at scale, against the same RFM in polars, and per-event latency.

1. Rescore: 1,000,000 customers with 5,000,000 generated visits, aggregated and scored by the service's
   own domain code (RFM quintiles, 8 types, ABC, manual CLV, BG/NBD + Gamma-Gamma fitted on a sample,
   model CLV). The database load and write-back are not part of this figure. Each contender runs in a
   fresh process, so its peak memory (max RSS) is its own.
2. Reference: the same RFM quintiles by a polars query (group by, ordinal rank, cut into fifths), with the
   agreement between the two printed.
3. Per-event latency: visit events published on crm.customer.v1 at a steady rate into the real service
   (Kafka -> inbox consumer -> profile refresh), from each event's time to its profile's update; then the
   throughput of draining a backlog.
"""

import asyncio
import multiprocessing
import resource
import statistics
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np

CUSTOMERS = 1_000_000
VISITS = 5_000_000
TODAY = date(2026, 6, 30)
LATENCY_EVENTS = 300
LATENCY_RATE = 10  # events per second: a busy dealer group's workshop hours, well under capacity
BACKLOG_EVENTS = 2_000


def generated_visits(seed: int = 11) -> dict[str, np.ndarray]:
    """Visits per customer skewed like a dealer's (many one-off buyers, a loyal core), ten years of days."""
    rng = np.random.default_rng(seed)
    customer = np.sort(np.minimum((rng.pareto(1.2, VISITS) * CUSTOMERS / 6).astype(np.int64), CUSTOMERS - 1))
    customer[:CUSTOMERS] = np.arange(CUSTOMERS)  # every customer has at least one visit
    customer.sort()
    days_ago = rng.integers(0, 3650, VISITS)
    amount = rng.gamma(2.0, 600.0, VISITS).round(2)
    margin = (amount * rng.uniform(0.1, 0.4, VISITS)).round(2)
    return {"customer": customer, "days_ago": days_ago, "amount": amount, "margin": margin}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ours(queue) -> None:
    from crm_segmentation.domain import rfm, scoring

    visits = generated_visits()
    baseline = peak_mb()
    started = time.perf_counter()
    c, days = visits["customer"], visits["days_ago"]
    n = CUSTOMERS
    first = np.full(n, -1.0)
    np.maximum.at(first, c, days.astype(float))
    last = np.full(n, np.inf)
    np.minimum.at(last, c, days.astype(float))
    # distinct visit days per customer: (customer, day) keys, sorted, first of each run
    keys = np.sort(c * 4000 + days)
    pairs = keys[np.r_[True, keys[1:] != keys[:-1]]]
    histories = scoring.Histories(
        visit_days=np.bincount(pairs // 4000, minlength=n).astype(float), days_since_first=first,
        days_since_last=last, visits_total=np.bincount(c, minlength=n).astype(float),
        spend_total=np.bincount(c, visits["amount"], minlength=n),
        margin_total=np.bincount(c, visits["margin"], minlength=n),
        margin_12m=np.bincount(c, np.where(days < 365, visits["margin"], 0), minlength=n))
    fit, scores = scoring.fit_dealer(histories, scoring.Policy(), np.random.default_rng(0))
    means = fit.means
    eight = np.array(list(rfm.EIGHT_TYPES.values()))[
        (~(last <= means.recency_days)).astype(int) * 1 + (~(histories.visits_total >= means.frequency)) * 2
        + (~(histories.spend_total >= means.monetary)) * 4]
    elapsed = time.perf_counter() - started
    queue.put({"seconds": elapsed, "peak_mb": peak_mb(), "baseline_mb": baseline,
               "recency": scores.recency_score, "frequency": scores.frequency_score,
               "monetary": scores.monetary_score, "bgnbd": fit.bgnbd, "gamma_gamma": fit.gamma_gamma,
               "types": len(set(eight.tolist())), "abc_a": int((scores.abc_class == "A").sum())})


def polars_rfm(queue) -> None:
    import polars as pl

    visits = generated_visits()
    baseline = peak_mb()
    started = time.perf_counter()
    frame = pl.DataFrame({"customer": visits["customer"], "days_ago": visits["days_ago"],
                          "amount": visits["amount"]})
    n = CUSTOMERS
    quintile = lambda column: ((pl.col(column).rank("ordinal") - 1) * 5 // n + 1).cast(pl.Int8)  # noqa: E731
    scored = (frame.group_by("customer").agg(pl.col("days_ago").min().alias("recency"),
                                             pl.len().alias("frequency"), pl.col("amount").sum().alias("monetary"))
              .sort("customer")
              .with_columns((-pl.col("recency")).alias("recency"))
              .with_columns(quintile("recency").alias("r"), quintile("frequency").alias("f"),
                            quintile("monetary").alias("m")))
    elapsed = time.perf_counter() - started
    queue.put({"seconds": elapsed, "peak_mb": peak_mb(), "baseline_mb": baseline,
               "recency": scored["r"].to_numpy(), "frequency": scored["f"].to_numpy(),
               "monetary": scored["m"].to_numpy()})


def in_fresh_process(target) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(queue,))
    process.start()
    result = queue.get()
    process.join()
    return result


def visit_event(i: int):
    from crm_contracts import new_event
    from crm_contracts.events.customer import VisitRecorded

    customer = uuid.uuid4()
    payload = VisitRecorded(
        visit_id=uuid.uuid4(), customer_id=customer, vehicle_id=uuid.uuid4(), dealer_id="D-BENCH",
        kind="service", subkind="maintenance", visited_on=TODAY - timedelta(days=i % 700), amount=Decimal("880.00"),
        margin=Decimal("300.00"), order_number=f"RO-{i}", recorded_at=datetime.now(UTC),
        vehicle_delivery_date=TODAY - timedelta(days=1500))
    return customer, new_event(payload, service="customer", subject=str(customer), dealer_id="D-BENCH")


async def updated_profiles(app, wanted: int, timeout: float = 180) -> dict:
    from sqlalchemy import text

    deadline = time.monotonic() + timeout
    while True:
        async with app.state.sessions() as session:
            rows = dict((await session.exec(text("SELECT customer_id, updated_at FROM profiles"))).all())
        if len(rows) >= wanted or time.monotonic() > deadline:
            return rows
        await asyncio.sleep(0.2)


async def event_figures() -> tuple[list[float], float]:
    """(latencies in ms at a steady rate, events per second draining a backlog)."""
    from aiokafka import AIOKafkaProducer

    from crm_contracts import topics
    from crm_devstack.kafka import KafkaBroker
    from crm_devstack.postgres import EmbeddedPostgres
    from crm_devstack.pytest_plugin import running
    from crm_devstack.stack import all_topics
    from crm_segmentation.main import create_app
    from crm_segmentation.settings import SegmentationSettings

    with tempfile.TemporaryDirectory() as scratch:
        broker, postgres = KafkaBroker(Path(scratch) / "kafka"), EmbeddedPostgres(Path(scratch) / "pg", fast=False)
        broker.start()
        postgres.start()
        try:
            broker.create_topics(all_topics(), partitions=3)
            settings = SegmentationSettings(environment="test", database_url=postgres.url("bench_segmentation"),
                                            kafka_bootstrap_servers=broker.bootstrap_servers, log_json=False,
                                            log_level="WARNING", rescore_interval_hours=0)
            app = create_app(settings)
            async with running(app):
                producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap_servers, enable_idempotence=True)
                await producer.start()
                sent = {}
                for i in range(LATENCY_EVENTS):
                    customer, envelope = visit_event(i)
                    await producer.send_and_wait(topics.CUSTOMER, envelope.to_json(), key=envelope.subject.encode())
                    sent[customer] = envelope.time
                    await asyncio.sleep(1 / LATENCY_RATE)
                rows = await updated_profiles(app, LATENCY_EVENTS)
                latencies = [(rows[c] - t).total_seconds() * 1000 for c, t in sent.items() if c in rows]
                backlog = [visit_event(i) for i in range(BACKLOG_EVENTS)]
                started = time.perf_counter()
                await asyncio.gather(*[await producer.send(topics.CUSTOMER, e.to_json(), key=e.subject.encode())
                                       for _, e in backlog])
                await updated_profiles(app, LATENCY_EVENTS + BACKLOG_EVENTS)
                drained = BACKLOG_EVENTS / (time.perf_counter() - started)
                await producer.stop()
                return latencies, drained
        finally:
            broker.stop()
            postgres.stop()


def main() -> None:
    print(f"generating {CUSTOMERS:,} customers / {VISITS:,} visits in each contender's own process", flush=True)
    scored = in_fresh_process(ours)
    reference = in_fresh_process(polars_rfm)
    print(f"full rescore (ours: aggregate + RFM + 8 types + ABC + CLV + BG/NBD/Gamma-Gamma fit on 50k):"
          f" {scored['seconds']:.2f} s, peak RSS {scored['peak_mb']:.0f} MB"
          f" (after generating the visits: {scored['baseline_mb']:.0f} MB)")
    print(f"RFM only, polars group_by + ordinal rank:  {reference['seconds']:.2f} s, peak RSS"
          f" {reference['peak_mb']:.0f} MB (after generating: {reference['baseline_mb']:.0f} MB)")
    for name in ("recency", "frequency", "monetary"):
        agree = float((scored[name] == reference[name]).mean())
        print(f"  {name} quintile agreement ours vs polars: {agree:.4%}")
    print(f"  fitted BG/NBD {scored['bgnbd']}, Gamma-Gamma {scored['gamma_gamma']}; "
          f"{scored['types']} of 8 types seen; {scored['abc_a']:,} class-A customers")
    latencies, drained = asyncio.run(event_figures())
    print(f"event throughput draining a backlog of {BACKLOG_EVENTS:,} visit events: {drained:.0f} events/s")
    if latencies:
        q = statistics.quantiles(latencies, n=100, method="inclusive")
        print(f"per-event profile update latency ({len(latencies)} visit events at {LATENCY_RATE}/s, event time ->"
              f" profile committed): p50 {q[49]:.0f} ms, p95 {q[94]:.0f} ms, p99 {q[98]:.0f} ms,"
              f" max {max(latencies):.0f} ms")
    else:
        print("per-event latency: no profile was updated within two minutes")


if __name__ == "__main__":
    main()
