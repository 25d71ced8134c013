"""The due-scan's vehicle rules as one set-based statement: the database finds what falls due and stores it.

A million vehicles cannot go through Python one by one in the time a scan has: reading the rows alone costs
more than the database needs to compute every date. This is `plans.vehicle_occasions` (the specification,
with its unit tests) written in SQL, rule for rule, key for key; `test_due_scan.py` holds the two to the
same answers on a random fleet. Change one, change the other.
"""

import json
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_care.domain.plans import CRITICAL_RULES, DEFAULT_PLANS, Occasion, ScanWindow
from crm_care.domain.reminders import FORECAST_DAYS
from crm_care.domain.scan_bounds import VehicleBounds

# km a day between the first and latest odometer readings, else since delivery (`plans.daily_km`)
PACE = """CASE
    WHEN v.first_km IS NOT NULL AND v.last_read_on > v.first_read_on AND v.last_km >= v.first_km
        THEN (v.last_km - v.first_km)::float8 / (v.last_read_on - v.first_read_on)
    WHEN v.delivery_date IS NOT NULL AND v.last_read_on > v.delivery_date
        THEN v.last_km::float8 / (v.last_read_on - v.delivery_date) END"""


def _due(since: str, km_target: str, months: str) -> str:
    """`reminders.first_service_due` / `maintenance_due`: by time or at the vehicle's pace, whichever first."""
    return f"""LEAST(({since} + make_interval(months => {months}))::date, CASE
        WHEN c.pace IS NULL OR c.pace <= 0 OR c.last_km IS NULL OR ({km_target}) IS NULL THEN NULL
        WHEN c.last_km >= {km_target} THEN c.last_read_on
        WHEN ({km_target} - c.last_km) / c.pace > {FORECAST_DAYS} THEN NULL
        ELSE c.last_read_on + floor(({km_target} - c.last_km) / c.pace)::int END)"""


VEHICLE_RULES = ("first_service_due", "maintenance_due", "insurance_renewal", "warranty_expiry", "annual_inspection",
                 "purchase_anniversary")


def _plan_columns() -> str:
    """Each dealer's plan as typed columns (`rule__parameter`), read once from the JSON the scan is given,
    not once a row."""
    columns = []
    for rule in VEHICLE_RULES:
        for name, default in DEFAULT_PLANS[rule].items():
            value = f"p.value->'{rule}'->'{name}'"
            if isinstance(default, bool):
                columns.append(f"({value})::boolean AS {rule}__{name}")
            elif isinstance(default, int):
                columns.append(f"({value})::int AS {rule}__{name}")
            else:
                columns.append(f"ARRAY(SELECT jsonb_array_elements_text({value})::int) AS {rule}__{name}")
    return ",\n               ".join(columns)


PLANS = f"""SELECT p.key AS plan_dealer, {_plan_columns()}
        FROM jsonb_each(CAST(:plans AS jsonb)) p"""


def _start(rule: str) -> str:
    return f"(CAST(:today AS date) - LEAST(:grace, c.{rule}__window_days))"


def _on(rule: str) -> str:
    return f"c.{rule}__enabled"


def _months(rule: str, field: str) -> str:
    return f"c.{rule}__{field}"


def _days(date_sql: str) -> str:
    return f"to_char({date_sql}, 'YYYY-MM-DD')"


OCCASIONS = f"""
    SELECT c.vehicle_id, 'first_service_due' AS rule, {_days('f.due')} AS occasion,
           f.due - {_months('first_service_due', 'remind_days_before')} AS act_on,
           jsonb_build_object('due_on', {_days('f.due')}) AS variables
    FROM cand c
    CROSS JOIN LATERAL (SELECT {_due('c.delivery_date', _months('first_service_due', 'km'),
                                     _months('first_service_due', 'months'))} AS due) f
    WHERE {_on('first_service_due')} AND c.delivery_date IS NOT NULL AND NOT c.first_service_done
      AND f.due - {_months('first_service_due', 'remind_days_before')}
          <@ daterange({_start('first_service_due')}, CAST(:end AS date), '[]')
    UNION ALL
    SELECT c.vehicle_id, 'maintenance_due', {_days('m.due')},
           m.due - {_months('maintenance_due', 'remind_days_before')},
           jsonb_build_object('due_on', {_days('m.due')}, 'basis', {_days('c.last_service_on')})
    FROM cand c
    CROSS JOIN LATERAL (SELECT {_due('c.last_service_on', 'c.last_service_km + ' + _months('maintenance_due', 'km'),
                                     _months('maintenance_due', 'months'))} AS due) m
    WHERE {_on('maintenance_due')} AND c.last_service_on IS NOT NULL
      AND m.due - {_months('maintenance_due', 'remind_days_before')}
          <@ daterange({_start('maintenance_due')}, CAST(:end AS date), '[]')
    UNION ALL
    SELECT c.vehicle_id, d.rule, {_days('d.target')} || ':' || o.days, d.target - o.days,
           jsonb_build_object('due_on', {_days('d.target')}, 'days_left', o.days)
    FROM cand c
    CROSS JOIN LATERAL (VALUES ('insurance_renewal', c.insurance_expiry, {_start('insurance_renewal')},
                                {_on('insurance_renewal')}, c.insurance_renewal__days_before),
                               ('warranty_expiry', c.warranty_end, {_start('warranty_expiry')},
                                {_on('warranty_expiry')}, c.warranty_expiry__days_before)
                        ) d(rule, target, start, enabled, offsets)
    CROSS JOIN LATERAL unnest(d.offsets) o(days)
    WHERE (c.insurance_expiry = ANY(CAST(:insurance AS date[])) OR c.warranty_end = ANY(CAST(:warranty AS date[])))
      AND d.enabled AND d.target IS NOT NULL AND d.target >= d.start
      AND d.target - o.days BETWEEN d.start AND CAST(:end AS date)
    UNION ALL
    SELECT c.vehicle_id, 'annual_inspection', {_days('i.day')} || ':' || o.days, i.day - o.days,
           jsonb_build_object('due_on', {_days('i.day')})
    FROM cand c
    CROSS JOIN LATERAL unnest(c.annual_inspection__days_before) o(days)
    CROSS JOIN LATERAL (SELECT {_start('annual_inspection')} + o.days AS first, CAST(:end AS date) + o.days AS last) w
    CROSS JOIN LATERAL (
        -- 年检: years 2, 4, 6, 8, 10, yearly to 15, then every 6 months (`reminders.inspection_schedule`);
        -- the first one on or after the window's start, if it is not past its end
        SELECT min((c.registration_date + make_interval(months => n))::date) AS day
        FROM generate_series(
            GREATEST(24, ((extract(year FROM w.first) - extract(year FROM c.registration_date)) * 12
                          + extract(month FROM w.first) - extract(month FROM c.registration_date))::int - 1),
            ((extract(year FROM w.last) - extract(year FROM c.registration_date)) * 12
             + extract(month FROM w.last) - extract(month FROM c.registration_date))::int + 1) n
        WHERE (n IN (24, 48, 72, 96, 120, 132, 144, 156, 168, 180) OR (n >= 186 AND (n - 186) % 6 = 0))
          AND (c.registration_date + make_interval(months => n))::date >= w.first) i
    WHERE to_char(c.registration_date, 'MM-DD') = ANY(CAST(:registrations AS text[]))
      AND {_on('annual_inspection')} AND i.day <= w.last
    UNION ALL
    SELECT c.vehicle_id, 'purchase_anniversary', {_days('a.day')}, a.day, jsonb_build_object('years', a.years)
    FROM cand c
    CROSS JOIN LATERAL (
        -- the next anniversary on or after the window's start, from the first one (`reminders.anniversary`)
        SELECT y.years, (c.delivery_date + make_interval(years => y.years))::date AS day
        FROM (VALUES (extract(year FROM {_start('purchase_anniversary')})::int
                      - extract(year FROM c.delivery_date)::int),
                     (extract(year FROM {_start('purchase_anniversary')})::int + 1
                      - extract(year FROM c.delivery_date)::int)) y(years)
        WHERE y.years >= 1
          AND (c.delivery_date + make_interval(years => y.years))::date >= {_start('purchase_anniversary')}
        ORDER BY y.years LIMIT 1) a
    WHERE to_char(c.delivery_date, 'MM-DD') = ANY(CAST(:deliveries AS text[]))
      AND {_on('purchase_anniversary')} AND a.day <= CAST(:end AS date)
"""


def _candidates(bounds: VehicleBounds, dealer_id: str | None,
                id_range: tuple[uuid.UUID, uuid.UUID | None] | None = None) -> tuple[str, dict[str, Any]]:
    """The vehicles that can have anything due (the cheap first cut, `scan_bounds`), with their dealer's plan
    and their pace, computed once a row (OFFSET 0 keeps the planner from copying it into every test)."""
    params: dict[str, Any] = {
        "insurance": bounds.insurance_expiries, "warranty": bounds.warranty_ends,
        "deliveries": bounds.delivery_month_days, "registrations": bounds.registration_month_days}
    picks = ["v.insurance_expiry = ANY(CAST(:insurance AS date[]))", "v.warranty_end = ANY(CAST(:warranty AS date[]))",
             "to_char(v.delivery_date, 'MM-DD') = ANY(CAST(:deliveries AS text[]))",
             "to_char(v.registration_date, 'MM-DD') = ANY(CAST(:registrations AS text[]))"]
    for name, bound_list, since, since_km in (
            ("fs", bounds.first_service, "v.delivery_date", "0"),
            ("ms", bounds.maintenance, "v.last_service_on", "v.last_service_km")):
        for n, bound in enumerate(bound_list):
            params.update({f"{name}{n}_from": bound.due_from, f"{name}{n}_to": bound.due_to})
            due = _due(since, f"{since_km} + {bound.km}", str(bound.months)).replace("c.", "v.")
            guard = "NOT v.first_service_done" if name == "fs" else "v.last_service_on IS NOT NULL"
            # a range test computes the forecast once; BETWEEN would write it out twice
            picks.append(f"({guard} AND {due} <@ daterange(CAST(:{name}{n}_from AS date), "
                         f"CAST(:{name}{n}_to AS date), '[]'))")
    where = []
    if dealer_id is not None:
        where.append("v.dealer_id = :dealer_id")
        params["dealer_id"] = dealer_id
    if id_range is not None:  # a slice of the key space: slices run side by side on their own connections
        where.append("v.vehicle_id >= CAST(:low AS uuid) AND (CAST(:high AS uuid) IS NULL OR v.vehicle_id < "
                     "CAST(:high AS uuid))")
        params.update(low=id_range[0], high=id_range[1])
    dealer = f"WHERE {' AND '.join(where)}" if where else ""
    return f"""
        SELECT v.*, pl.*, COALESCE(d.time_zone, 'Asia/Shanghai') AS tz
        FROM (SELECT v.*, {PACE} AS pace FROM care_vehicles v {dealer} OFFSET 0) v
        LEFT JOIN care_dealers d ON d.dealer_id = v.dealer_id
        LEFT JOIN plans own ON own.plan_dealer = v.dealer_id
        JOIN plans pl ON pl.plan_dealer = COALESCE(own.plan_dealer, '')
        WHERE {' OR '.join(picks)}""", params


def _params(plans: dict[str, dict[str, dict[str, Any]]], window: ScanWindow) -> dict[str, Any]:
    return {"plans": json.dumps(plans), "today": window.today, "end": window.end, "grace": window.grace_days}


KEY = "o.rule || ':' || o.vehicle_id || ':' || o.occasion"
CRITICAL = f"o.rule IN ({', '.join(repr(rule) for rule in sorted(CRITICAL_RULES))})"


def key_slices(count: int) -> list[tuple[uuid.UUID, uuid.UUID | None]]:
    """[low, high) ranges of vehicle ids that split the table into `count` even parts (ids are random)."""
    edges = [uuid.UUID(int=n * (1 << 128) // count) for n in range(count)]
    return list(zip(edges, [*edges[1:], None], strict=True))


async def store_due(session: AsyncSession, plans: dict[str, dict[str, dict[str, Any]]], window: ScanWindow,
                    bounds: VehicleBounds, id_range: tuple[uuid.UUID, uuid.UUID | None]) -> tuple[int, int]:
    """Store what falls due for the vehicles in `id_range`, in one statement: (vehicles with something due,
    actions stored).

    One pass over the table: paging it by key made the database visit the rows in key order, at random.
    `plans` maps each dealer with its own plan, and "" the default, to rule -> parameters.
    """
    candidates, params = _candidates(bounds, None, id_range)
    statement = sa.text(f"""
        WITH plans AS MATERIALIZED ({PLANS}),
        cand AS MATERIALIZED ({candidates}),
        occ AS ({OCCASIONS}),
        stored AS (
            INSERT INTO care_actions (id, key, rule, action, dealer_id, customer_id, vehicle_id, purpose, critical,
                                      variables, due_at)
            SELECT gen_random_uuid(), {KEY}, o.rule, 'message', c.dealer_id, c.customer_id, c.vehicle_id, 'care',
                   {CRITICAL}, o.variables, (o.act_on + time '09:00') AT TIME ZONE c.tz
            FROM occ o JOIN cand c USING (vehicle_id)
            ON CONFLICT (key) DO NOTHING
            RETURNING 1)
        SELECT (SELECT count(*) FROM cand), (SELECT count(*) FROM stored)""")
    row = (await session.exec(statement, params={**params, **_params(plans, window)})).one()
    return row[0], row[1]


async def due_occasions(session: AsyncSession, plans: dict[str, dict[str, dict[str, Any]]], window: ScanWindow,
                        bounds: VehicleBounds, dealer_id: str | None) -> tuple[int, list[Occasion]]:
    """The dry run: what `store_due` would store (for one dealer), stored nowhere."""
    candidates, params = _candidates(bounds, dealer_id)
    statement = sa.text(f"""
        WITH plans AS MATERIALIZED ({PLANS}), cand AS MATERIALIZED ({candidates}), occ AS ({OCCASIONS})
        SELECT {KEY} AS key, o.rule, o.act_on, o.variables, {CRITICAL} AS critical, c.vehicle_id, c.customer_id,
               c.dealer_id, (SELECT count(*) FROM cand) AS looked_at
        FROM occ o JOIN cand c USING (vehicle_id)""").columns(variables=JSONB)
    rows = (await session.exec(statement, params={**params, **_params(plans, window)})).all()
    occasions = [Occasion(rule=r.rule, key=r.key, due_on=r.act_on, action="message", customer_id=r.customer_id,
                          dealer_id=r.dealer_id, vehicle_id=r.vehicle_id, critical=r.critical,
                          variables=r.variables) for r in rows]
    return (rows[0].looked_at if rows else 0), occasions


