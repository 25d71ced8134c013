"""Segmentation: a full dealer rescore at scale, end to end, against the same RFM in polars and DuckDB.

1. Rescore: 1,000,000 customers with 5,000,000 generated visits stored in the service's PostgreSQL
   (embedded, fsync on), then the service's own batch (`handlers.scoring.rescore_dealer`) in one
   transaction: load (COPY out of profiles and visits), compute (summary, RFM quintiles, 8 types, ABC,
   manual CLV, BG/NBD + Gamma-Gamma fitted on a 50k sample, model CLV, value type, lifecycle), write
   (COPY into a temporary table + one UPDATE), publish (the `customer.rescored` events of the customers
   whose classes changed, staged in the outbox in one INSERT), commit. Run in a fresh process, so the
   peak memory (max RSS) is the batch's own. A second batch 90 days later shows that only changed
   classes publish.
2. Reference: the same RFM quintiles by polars (group by, ordinal rank, cut into fifths) and by DuckDB
   (GROUP BY, row_number, same cut), each in a fresh process on the same visits, with the agreement of
   the stored scores with polars printed.

`BENCH_RESCORE_CUSTOMERS` scales it down while developing (visits stay five per customer).
"""

import asyncio
import io
import multiprocessing
import os
import resource
import struct
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

CUSTOMERS = int(os.environ.get("BENCH_RESCORE_CUSTOMERS", 1_000_000))
VISITS = 5 * CUSTOMERS
TODAY = date(2026, 6, 30)
DEALER = "D-BENCH"


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


def customer_ids(seed: int = 12) -> np.ndarray:
    """Random version-4-like UUIDs in ascending (PostgreSQL) order: customer i is the i-th smallest id, so
    ranking ties by customer id and by position agree."""
    raw = np.frombuffer(np.random.default_rng(seed).bytes(16 * CUSTOMERS), dtype=">u8").reshape(-1, 2)
    order = np.lexsort((raw[:, 1], raw[:, 0]))
    return np.ascontiguousarray(raw[order]).view("V16").ravel()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def binary_copy(columns: list[tuple[np.ndarray, str]]) -> io.BytesIO:
    """PostgreSQL binary COPY data of fixed-width, non-null columns."""
    layout = [("n", ">i2")]
    for i, (_, kind) in enumerate(columns):
        layout += [(f"l{i}", ">i4"), (f"v{i}", kind)]
    rows = np.empty(len(columns[0][0]), dtype=layout)
    rows["n"] = len(columns)
    for i, (values, kind) in enumerate(columns):
        rows[f"l{i}"], rows[f"v{i}"] = np.dtype(kind).itemsize, values
    return io.BytesIO(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0) + rows.tobytes() + struct.pack(">h", -1))


async def load_dealer(url: str) -> None:
    """The dealer's profiles and visits as the event consumer leaves them (no scores yet)."""
    import asyncpg

    visits, ids = generated_visits(), customer_ids()
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await connection.execute("CREATE UNLOGGED TABLE bench_customers (idx int4, customer_id uuid);"
                                 "CREATE UNLOGGED TABLE bench_visits (idx int4, days_ago int4, amount float8,"
                                 " margin float8)")
        await connection.copy_to_table("bench_customers", format="binary", source=binary_copy(
            [(np.arange(CUSTOMERS), ">i4"), (ids, "V16")]))
        for start in range(0, VISITS, 1_000_000):
            part = slice(start, start + 1_000_000)
            await connection.copy_to_table("bench_visits", format="binary", source=binary_copy(
                [(visits["customer"][part], ">i4"), (visits["days_ago"][part], ">i4"),
                 (visits["amount"][part], ">f8"), (visits["margin"][part], ">f8")]))
        await connection.execute(
            "INSERT INTO profiles (customer_id, dealer_id, kind, status, updated_at, churn_reasons)"
            f" SELECT customer_id, '{DEALER}', 'person', 'customer', now(), '[]' FROM bench_customers")
        await connection.execute(
            "INSERT INTO visits (visit_id, customer_id, dealer_id, kind, subkind, visited_on, amount, margin)"
            f" SELECT gen_random_uuid(), c.customer_id, '{DEALER}', 'service', 'maintenance',"
            f" '{TODAY.isoformat()}'::date - v.days_ago, round(v.amount::numeric, 2), round(v.margin::numeric, 2)"
            " FROM bench_visits v JOIN bench_customers c USING (idx)")
        await connection.execute("DROP TABLE bench_visits, bench_customers")
        await connection.execute("VACUUM ANALYZE profiles, visits")
    finally:
        await connection.close()


def rescore(url: str, today: date, queue) -> None:
    """One batch in this (fresh) process: the phases the handler reports, the commit, and peak RSS."""
    from crm_kit.db import create_engine, session_factory
    from crm_segmentation.handlers import scoring
    from crm_segmentation.handlers.context import Clock, Context

    class DealerDay(Clock):
        def today(self) -> date:
            return today

    async def run() -> dict:
        engine = create_engine(url, pool_size=1)
        timings: dict[str, float] = {}
        baseline = peak_mb()
        started = time.perf_counter()
        async with session_factory(engine)() as session:
            async with session.begin():
                await scoring.rescore_dealer(session, DEALER, Context(DealerDay()), timings)
                committing = time.perf_counter()
            timings["commit"] = time.perf_counter() - committing
        timings["total"] = time.perf_counter() - started
        await engine.dispose()
        return {**timings, "peak_mb": peak_mb(), "baseline_mb": baseline}

    queue.put(asyncio.run(run()))


def polars_rfm(queue) -> None:
    import polars as pl

    visits = generated_visits()
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
    queue.put({"seconds": elapsed, "peak_mb": peak_mb(), "recency": scored["r"].to_numpy(),
               "frequency": scored["f"].to_numpy(), "monetary": scored["m"].to_numpy()})


def duckdb_rfm(queue) -> None:
    import duckdb
    import pandas

    visits = generated_visits()
    started = time.perf_counter()
    frame = pandas.DataFrame({"customer": visits["customer"], "days_ago": visits["days_ago"],
                              "amount": visits["amount"]})
    connection = duckdb.connect()
    connection.execute("SET enable_progress_bar = false")
    connection.register("visits", frame)
    n = CUSTOMERS
    scored = connection.sql(f"""
        WITH per_customer AS (SELECT customer, -min(days_ago) AS recency, count(*) AS frequency,
                                     sum(amount) AS monetary FROM visits GROUP BY customer)
        SELECT customer,
               ((row_number() OVER (ORDER BY recency, customer) - 1) * 5 // {n} + 1)::TINYINT AS r,
               ((row_number() OVER (ORDER BY frequency, customer) - 1) * 5 // {n} + 1)::TINYINT AS f,
               ((row_number() OVER (ORDER BY monetary, customer) - 1) * 5 // {n} + 1)::TINYINT AS m
        FROM per_customer ORDER BY customer""").fetchnumpy()
    elapsed = time.perf_counter() - started
    queue.put({"seconds": elapsed, "peak_mb": peak_mb(), "recency": scored["r"], "frequency": scored["f"],
               "monetary": scored["m"]})


def in_fresh_process(target, *args) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    while True:  # a contender that dies never answers: say so instead of waiting forever
        try:
            result = queue.get(timeout=1)
            break
        except Exception:
            if not process.is_alive():
                raise RuntimeError(f"{target.__name__} failed (exit code {process.exitcode})") from None
    process.join()
    return result


async def stored_scores(url: str) -> dict:
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        rows = await connection.fetch("SELECT recency_score, frequency_score, monetary_score FROM profiles"
                                      " ORDER BY customer_id")
        events = await connection.fetchval("SELECT count(*) FROM outbox WHERE type = 'crm.customer.rescored.v1'")
    finally:
        await connection.close()
    scores = np.array([tuple(r) for r in rows], dtype=float)
    return {"recency": scores[:, 0], "frequency": scores[:, 1], "monetary": scores[:, 2], "events": events}


def phases(run: dict) -> str:
    return (f"load {run['load']:.2f} s, compute {run['compute']:.2f} s, write {run['write']:.2f} s, publish"
            f" {run['publish']:.2f} s ({run['events']:,} events), row-by-row {run['by_row']:.2f} s, kpis"
            f" {run['kpis']:.2f} s, commit {run['commit']:.2f} s; end to end {run['total']:.2f} s,"
            f" peak RSS {run['peak_mb']:.0f} MB")


def main() -> None:
    from crm_devstack.postgres import EmbeddedPostgres
    from crm_kit.db import ensure_database
    from crm_kit.migrations import upgrade
    from crm_segmentation.main import MIGRATIONS

    print(f"{CUSTOMERS:,} customers / {VISITS:,} visits of one dealer; 2 cores shared with other work,"
          " so figures vary between runs", flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        postgres = EmbeddedPostgres(Path(scratch) / "pg", fast=False)
        postgres.start()
        try:
            url = postgres.url("bench_segmentation")
            asyncio.run(ensure_database(url))
            upgrade(MIGRATIONS, url)
            started = time.perf_counter()
            asyncio.run(load_dealer(url))
            print(f"stored the dealer in {time.perf_counter() - started:.0f} s (not part of any figure)", flush=True)
            first = in_fresh_process(rescore, url, TODAY)
            print(f"first rescore (every class new):  {phases(first)}", flush=True)
            stored = asyncio.run(stored_scores(url))
            later = in_fresh_process(rescore, url, TODAY + timedelta(days=90))
            print(f"rescore 90 days later:            {phases(later)}", flush=True)
        finally:
            postgres.stop()
    reference = in_fresh_process(polars_rfm)
    duck = in_fresh_process(duckdb_rfm)
    print(f"RFM only, polars group_by + ordinal rank: {reference['seconds']:.2f} s, peak RSS"
          f" {reference['peak_mb']:.0f} MB (includes generating the visits)")
    print(f"RFM only, DuckDB GROUP BY + row_number:   {duck['seconds']:.2f} s, peak RSS"
          f" {duck['peak_mb']:.0f} MB (includes generating the visits)")
    fastest = min(reference["seconds"], duck["seconds"])
    print(f"compute vs the faster of polars/DuckDB: {first['compute'] / fastest:.2f}x (goal <= 2x);"
          f" end to end {first['total']:.1f} s (goal <= 60 s); peak RSS {first['peak_mb']:.0f} MB (goal <= 1024)")
    for name in ("recency", "frequency", "monetary"):
        ours = float((stored[name] == reference[name]).mean())
        theirs = float((duck[name] == reference[name]).mean())
        print(f"  {name} quintile agreement with polars: stored scores {ours:.4%}, DuckDB {theirs:.4%}")


if __name__ == "__main__":
    main()
