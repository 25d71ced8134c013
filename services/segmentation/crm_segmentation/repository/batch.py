"""The dealer batch's bulk statements: COPY out in binary straight into numpy columns, COPY the scores back
into a temporary table and apply them with one UPDATE ... FROM, and stage the events of the customers
whose classes changed with one INSERT ... SELECT.

Every column crosses in PostgreSQL's binary COPY format with a fixed width (dates as day counts, money as
float8, class names as small integer codes, NaN or a sentinel for "none"), so a row is a numpy record:
no per-row Python object on the way in or out.
"""

import json
import struct
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg
import numpy as np
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_segmentation.domain import batch, rfm, value

SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
HEADER = SIGNATURE + struct.pack(">ii", 0, 0)
TRAILER = struct.pack(">h", -1)
CLASS_CODES = {"value_type": value.VALUE_TYPE_CODES, "lifecycle_stage": value.LIFECYCLE_CODES,
               "rfm_segment": rfm.SEGMENT_CODES, "abc_class": batch.ABC_CODES}


async def _driver(session: AsyncSession) -> asyncpg.Connection:
    """The session's own connection (same transaction), for COPY, which SQLAlchemy does not speak."""
    connection = await session.connection()
    return (await connection.get_raw_connection()).driver_connection


def _record(fields: list[tuple[str, str]]) -> np.dtype:
    """A binary COPY row of fixed-width, non-null fields: field count, then (length, value) per field."""
    layout = [("_fields", ">i2")]
    for name, kind in fields:
        layout += [(f"_{name}_length", ">i4"), (name, kind)]
    return np.dtype(layout)


class _Rows:
    """Collects a binary COPY stream into native columns as chunks arrive: the wire records (60 bytes a
    visit) are parsed a few megabytes at a time, so the stream is never held whole (peak memory)."""

    FLUSH_BYTES = 4 << 20

    def __init__(self, record: np.dtype):
        self.record, self.pending, self.started = record, bytearray(), False
        self.parts: dict[str, list[np.ndarray]] = {name: [] for name in record.names if not name.startswith("_")}

    async def __call__(self, chunk: bytes) -> None:
        self.pending += chunk
        if not self.started and len(self.pending) >= len(HEADER):
            assert self.pending.startswith(SIGNATURE), "not a binary COPY stream"
            del self.pending[:len(HEADER)]
            self.started = True
        if self.started and len(self.pending) >= self.FLUSH_BYTES:
            self._parse()

    def _parse(self) -> None:
        whole = len(self.pending) // self.record.itemsize * self.record.itemsize
        if not whole:
            return
        records = np.frombuffer(bytes(self.pending[:whole]), dtype=self.record)
        for name, parts in self.parts.items():
            parts.append(records[name].astype(records.dtype[name].newbyteorder("=")))
        del self.pending[:whole]

    def columns(self) -> dict[str, np.ndarray]:
        self._parse()
        assert bytes(self.pending) == TRAILER, "a row with a NULL or a variable width in a fixed-width COPY"
        columns = {}
        for name in list(self.parts):
            parts = self.parts.pop(name)
            columns[name] = (np.concatenate(parts) if parts
                             else np.zeros(0, dtype=self.record[name].newbyteorder("=")))
        return columns


async def _copy_out(session: AsyncSession, query: str, fields: list[tuple[str, str]], *args) -> dict[str, np.ndarray]:
    rows = _Rows(_record(fields))
    await (await _driver(session)).copy_from_query(query, *args, output=rows, format="binary")
    return rows.columns()


@dataclass
class Customers:
    """The dealer's scored customers in customer-id order (the rank tie-break), with their current classes."""

    ids: np.ndarray  # 16-byte UUIDs
    with_vehicles: np.ndarray
    classes: dict[str, np.ndarray]  # field -> code (1 + index in CLASS_CODES[field], 0 for none)

    def __len__(self) -> int:
        return len(self.ids)


async def lock_customers(session: AsyncSession, dealer_id: str) -> None:
    """Events about these customers wait for the batch (else it could overwrite what they wrote after its read)."""
    await (await _driver(session)).execute(
        "SELECT count(*) FROM (SELECT 1 FROM profiles WHERE dealer_id = $1 AND merged_into IS NULL FOR UPDATE) x",
        dealer_id)


async def customers(session: AsyncSession, dealer_id: str) -> Customers:
    """Erased customers keep their profile but take no part in the dealer's ranks and fits."""
    codes = ", ".join(f"coalesce(array_position(${i}::text[], {field}), 0)::int2"
                      for i, field in enumerate(CLASS_CODES, start=2))
    query = (f"SELECT customer_id, (coalesce(vehicles, 0) > 0)::int4::int2, {codes} FROM profiles"
             " WHERE dealer_id = $1 AND merged_into IS NULL AND NOT erased ORDER BY customer_id")
    rows = await _copy_out(session, query, [("id", "V16"), ("with_vehicles", ">i2")]
                           + [(field, ">i2") for field in CLASS_CODES], dealer_id,
                           *[list(names) for names in CLASS_CODES.values()])
    return Customers(rows["id"].copy(), rows["with_vehicles"] > 0,
                     {field: rows[field].astype(np.int16) for field in CLASS_CODES})


async def visits(session: AsyncSession, dealer_id: str, today: date, default_margin_rate: float,
                 customer_ids: np.ndarray) -> batch.VisitColumns:
    """Every visit of the dealer's scored customers, wherever it was recorded (as the event refresh reads)."""
    query = ("SELECT v.customer_id, ($2::date - v.visited_on)::int4, v.amount::float8,"
             " coalesce(v.margin, round(v.amount * $3::numeric, 2))::float8,"
             " (CASE v.kind WHEN 'purchase' THEN 1 WHEN 'service' THEN 2 ELSE 0 END)::int2"
             " FROM visits v JOIN profiles p ON p.customer_id = v.customer_id"
             " WHERE p.dealer_id = $1 AND p.merged_into IS NULL AND NOT p.erased")
    rows = await _copy_out(session, query, [("customer", "V16"), ("days_ago", ">i4"), ("amount", ">f8"),
                                            ("margin", ">f8"), ("kind", ">i2")],
                           dealer_id, today, str(default_margin_rate))
    return batch.VisitColumns(customer=_positions(customer_ids, rows["customer"]),
                              days_ago=rows["days_ago"].astype(np.int32), amount=rows["amount"].astype(float),
                              margin=rows["margin"].astype(float), kind=rows["kind"].astype(np.int16))


def _positions(sorted_ids: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Each id's position in `sorted_ids` (both 16-byte UUIDs; sorted as PostgreSQL sorts uuid, bytewise)."""
    def halves(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        pairs = np.frombuffer(values.tobytes(), dtype=">u8").reshape(-1, 2)
        return pairs[:, 0].astype(np.uint64), pairs[:, 1].astype(np.uint64)

    high, low = halves(sorted_ids)
    if len(high) > 1 and not (high[1:] > high[:-1]).all():  # two customers share the first 8 bytes
        where = {bytes(v): i for i, v in enumerate(sorted_ids)}
        return np.array([where[bytes(v)] for v in ids], dtype=np.int64)
    wanted_high, wanted_low = halves(ids)
    position = np.searchsorted(high, wanted_high)
    assert (low[position] == wanted_low).all(), "a visit of a customer the batch did not load"
    return position.astype(np.int64)


SCORE_COLUMNS = [  # (column of the temporary table, PostgreSQL type, binary layout)
    ("customer_id", "uuid", "V16"),
    *[(name, "int4", ">i4") for name in ("first_visit", "last_visit", "first_purchase", "last_purchase",
                                          "last_service", "visit_days", "visits_total", "visits_12m",
                                          "visits_prior_12m")],
    *[(name, "float8", ">f8") for name in ("spend_total", "spend_12m", "margin_total", "margin_12m", "clv_manual",
                                            "clv", "p_alive", "expected_visits_12m", "margin_per_visit")],
    *[(name, "int2", ">i2") for name in ("recency_score", "frequency_score", "monetary_score", "rfm_segment",
                                          "rfm_type", "abc_class", "value_type", "lifecycle_stage", "churn_risk",
                                          "changed")],
]
CHUNK_ROWS = 100_000

# Day columns are days before today ($1), NO_DAY for none; NaN and code 0 mean none. Customers on this path
# have no vehicles, so their vehicle-derived fields are empty and P(alive) is their only churn reason.
APPLY_SCORES = f"""
UPDATE profiles p SET
  first_visit_on = $1::date - NULLIF(s.first_visit, {batch.NO_DAY}),
  last_visit_on = $1::date - NULLIF(s.last_visit, {batch.NO_DAY}),
  first_purchase_on = $1::date - NULLIF(s.first_purchase, {batch.NO_DAY}),
  last_purchase_on = $1::date - NULLIF(s.last_purchase, {batch.NO_DAY}),
  last_service_on = $1::date - NULLIF(s.last_service, {batch.NO_DAY}),
  visit_days = s.visit_days, visits_total = s.visits_total, visits_12m = s.visits_12m,
  visits_prior_12m = s.visits_prior_12m,
  spend_total = round(s.spend_total::numeric, 2), spend_12m = round(s.spend_12m::numeric, 2),
  margin_total = round(s.margin_total::numeric, 2), margin_12m = round(s.margin_12m::numeric, 2),
  recency_score = NULLIF(s.recency_score, 0), frequency_score = NULLIF(s.frequency_score, 0),
  monetary_score = NULLIF(s.monetary_score, 0),
  rfm_segment = ($2::text[])[s.rfm_segment], rfm_type = ($3::text[])[s.rfm_type],
  abc_class = ($4::text[])[s.abc_class], value_type = ($5::text[])[s.value_type],
  lifecycle_stage = ($6::text[])[s.lifecycle_stage], churn_risk = ($7::text[])[s.churn_risk],
  clv_manual = round(s.clv_manual::numeric, 2), clv = round(NULLIF(s.clv, 'NaN')::numeric, 2),
  p_alive = round(NULLIF(s.p_alive, 'NaN')::numeric, 4)::float8,
  expected_visits_12m = round(NULLIF(s.expected_visits_12m, 'NaN')::numeric, 3)::float8,
  margin_per_visit = round(NULLIF(s.margin_per_visit, 'NaN')::numeric, 2),
  churn_reasons = CASE WHEN s.p_alive < 0.5 THEN jsonb_build_array('P(alive) ' || to_char(s.p_alive, 'FM0.00'))
                  ELSE '[]'::jsonb END,
  vehicles = 0, retention_status = NULL, months_since_last_service = NULL, first_service_status = NULL,
  scored_at = $8, updated_at = $8
FROM batch_scores s WHERE p.customer_id = s.customer_id
"""


def _chunks(columns: dict[str, np.ndarray], rows: int):
    """The scores as binary COPY data, a hundred thousand rows at a time (bounded memory)."""
    record = _record([(name, layout) for name, _, layout in SCORE_COLUMNS])

    async def chunks():
        yield HEADER
        for start in range(0, rows, CHUNK_ROWS):
            stop = min(rows, start + CHUNK_ROWS)
            out = np.empty(stop - start, dtype=record)
            out["_fields"] = len(SCORE_COLUMNS)
            for name, _, layout in SCORE_COLUMNS:
                out[f"_{name}_length"] = np.dtype(layout).itemsize
                out[name] = columns[name][start:stop]
            yield out.tobytes()
        yield TRAILER

    return chunks()


async def save_scores(session: AsyncSession, columns: dict[str, np.ndarray], today: date,
                      scored_at: datetime) -> int:
    """Write the scores of customers without vehicles (`columns` named as SCORE_COLUMNS, one entry each)."""
    driver = await _driver(session)
    rows = len(columns["customer_id"])
    await driver.execute("CREATE TEMP TABLE batch_scores ("
                         + ", ".join(f"{name} {kind}" for name, kind, _ in SCORE_COLUMNS) + ") ON COMMIT DROP")
    await driver.copy_to_table("batch_scores", source=_chunks(columns, rows), format="binary")
    await driver.execute(APPLY_SCORES, today, list(rfm.SEGMENT_CODES), list(rfm.EIGHT_TYPE_NAMES),
                         list(batch.ABC_CODES), list(value.VALUE_TYPE_CODES), list(value.LIFECYCLE_CODES),
                         list(value.CHURN_RISKS), scored_at)
    return rows


STAGE_RESCORED = """
INSERT INTO outbox (event_id, topic, key, type, envelope)
SELECT e.id, $1, e.key, $2, $3::jsonb || jsonb_build_object('id', e.id::text, 'subject', e.key,
  'data', jsonb_build_object('customer_id', e.key, 'dealer_id', p.dealer_id, 'value_type', p.value_type,
    'lifecycle_stage', p.lifecycle_stage, 'rfm_segment', p.rfm_segment, 'abc_class', p.abc_class,
    'clv', p.clv::text, 'churn_reasons', p.churn_reasons, 'rescored_at', $4::text, 'churn_risk', p.churn_risk,
    'p_alive', p.p_alive))
FROM (SELECT gen_random_uuid() AS id, customer_id, customer_id::text AS key FROM batch_scores
      WHERE changed = 1 ORDER BY customer_id) e
JOIN profiles p ON p.customer_id = e.customer_id
"""


async def stage_rescored(session: AsyncSession, topic: str, event_type: str, envelope: dict,
                         rescored_at: str) -> int:
    """A `customer.rescored` event per written customer whose classes changed, in the outbox in one statement.

    `envelope` is every envelope field the events share (an envelope built by the contracts, without id,
    subject and data), so the rows are what `crm_kit.outbox.stage` would have written one by one.
    """
    status = await (await _driver(session)).execute(STAGE_RESCORED, topic, event_type, json.dumps(envelope),
                                                    rescored_at)
    return int(status.split()[-1])
