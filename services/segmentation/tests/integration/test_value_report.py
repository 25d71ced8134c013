"""The customer value analysis report (客户价值分析报告): its figures equal a direct SQL count over the same
tables, and the XLSX workbook holds the same numbers."""

import io
import uuid
from datetime import timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from crm_devstack.pytest_plugin import eventually, running
from crm_segmentation.domain.retention import add_months
from crm_segmentation.main import create_app
from crm_segmentation.settings import SegmentationSettings

from .conftest import TODAY, registered, vehicle
from .test_scores_and_kpis import CUSTOMERS, generated_dealer

MONTH = TODAY.replace(day=1)
PREVIOUS = add_months(MONTH, -1)
YEAR_AGO_END = add_months(add_months(MONTH, -12), 1) - timedelta(days=1)

GRASP_BY_AGE = """
WITH fleet AS (
  SELECT v.vehicle_id, v.sold_by_dealer AS sold, v.delivery_date AS delivered,
         (SELECT max(s.visited_on) FROM visits s WHERE s.vehicle_id = v.vehicle_id AND s.kind = 'service'
            AND s.visited_on <= CAST(:as_of AS date)) AS last_service
  FROM vehicle_profiles v JOIN profiles p ON p.customer_id = v.customer_id
  WHERE v.dealer_id = :dealer AND NOT p.erased AND v.delivery_date <= CAST(:as_of AS date)
), counted AS (
  SELECT least(10, extract(year FROM age(CAST(:as_of AS date), delivered))::int) AS age_years, sold,
         (coalesce(last_service, delivered) + interval '12 months')::date >= CAST(:as_of AS date) AS active
  FROM fleet WHERE sold OR last_service IS NOT NULL
)
SELECT age_years, count(*) FILTER (WHERE sold), count(*) FILTER (WHERE sold AND active), count(*),
       count(*) FILTER (WHERE active)
FROM counted GROUP BY age_years
"""
MOVED = """
SELECT was, now, count(*) FROM (
  SELECT CASE WHEN s.customer_id IS NULL THEN 'new' ELSE coalesce(s.value_type, 'unscored') END AS was,
         coalesce(p.value_type, 'unscored') AS now
  FROM profiles p LEFT JOIN class_snapshots s ON s.customer_id = p.customer_id AND s.month = :previous
  WHERE p.dealer_id = :dealer AND NOT p.erased AND p.merged_into IS NULL) moves
WHERE was <> now GROUP BY was, now
"""
LIVE = "dealer_id = :dealer AND NOT erased AND merged_into IS NULL"


@pytest.fixture
async def service(settings_for):
    app = create_app(settings_for(SegmentationSettings, job_poll_seconds=0.05, rescore_interval_hours=0))
    async with running(app) as client:
        yield client, app.state.sessions


async def sql(sessions, statement: str, **params) -> list[tuple]:
    async with sessions() as session:
        return [tuple(row) for row in (await session.exec(sa.text(statement), params=params)).all()]


async def direct_grasp(sessions, dealer: str, as_of) -> list[dict]:
    rows = {age: {"age_years": age, "sold": 0, "grasped": 0, "base": 0, "active": 0} for age in range(11)}
    for age, sold, grasped, base, active in await sql(sessions, GRASP_BY_AGE, dealer=dealer, as_of=as_of):
        rows[age].update(sold=sold, grasped=grasped, base=base, active=active)
    for row in rows.values():
        row["grasp_rate"] = round(row["grasped"] / row["sold"], 4) if row["sold"] else None
        row["active_ratio"] = round(row["active"] / row["base"], 4) if row["base"] else None
    return list(rows.values())


async def scored_dealer(client, auth, publish) -> tuple[str, dict]:
    """A generated dealer, one more customer whose car has no delivery date, all landed and scored."""
    dealer = f"D-{uuid.uuid4().hex[:6]}"
    headers = auth(dealers=[dealer])
    fleet = generated_dealer(dealer, seed=11)
    for entry in fleet:
        await publish(registered(entry["customer"], dealer),
                      vehicle(entry["customer"], entry["car"], entry["delivered"], dealer, sold=entry["sold"]),
                      *entry["visits"])
    undated = uuid.uuid4()
    await publish(registered(undated, dealer), vehicle(undated, uuid.uuid4(), None, dealer))
    expected_visits = sum(len(e["visits"]) for e in fleet)

    async def arrived():
        items = (await client.get("/api/v1/profiles", headers=headers, params={"limit": 500})).json()["items"]
        return len(items) == CUSTOMERS + 1 and sum(p["visits_total"] for p in items) == expected_visits

    await eventually(arrived, timeout=90)
    job = await client.post("/api/v1/scoring/jobs", headers=headers, json={"dealer_id": dealer})

    async def done():
        response = await client.get(f"/api/v1/scoring/jobs/{job.json()['id']}", headers=headers)
        return response.json() if response.json()["status"] in ("done", "failed") else None

    assert (await eventually(done, timeout=60))["status"] == "done"
    return dealer, headers


async def test_the_report_equals_a_direct_count_and_the_workbook_holds_it(service, auth, publish):
    client, sessions = service
    dealer, headers = await scored_dealer(client, auth, publish)
    # last month's classes, as its last batch would have left them: three customers were elsewhere, one unknown
    snapshot = await sql(sessions, "SELECT customer_id, value_type FROM class_snapshots "
                                   "WHERE dealer_id = :dealer AND month = :month ORDER BY customer_id",
                         dealer=dealer, month=MONTH)
    assert len(snapshot) == CUSTOMERS + 1
    async with sessions() as session, session.begin():
        await session.exec(sa.text(
            "INSERT INTO class_snapshots SELECT dealer_id, :previous, customer_id, value_type, lifecycle_stage, "
            "rfm_segment FROM class_snapshots WHERE dealer_id = :dealer AND month = :month"),
            params={"dealer": dealer, "month": MONTH, "previous": PREVIOUS})
        for customer, was in snapshot[:3]:
            await session.exec(sa.text(
                "UPDATE class_snapshots SET value_type = :other WHERE customer_id = :customer AND month = :previous"),
                params={"other": "abandon" if was == "vip" else "vip", "customer": customer, "previous": PREVIOUS})
        await session.exec(sa.text("DELETE FROM class_snapshots WHERE customer_id = :customer AND month = :p"),
                           params={"customer": snapshot[3][0], "p": PREVIOUS})

    response = await client.get("/api/v1/reports/customer-value", headers=headers,
                                params={"dealer_id": dealer, "month": MONTH.strftime("%Y-%m")})
    assert response.status_code == 200, response.text
    report = response.json()
    [(customers,)] = await sql(sessions, f"SELECT count(*) FROM profiles WHERE {LIVE}", dealer=dealer)
    [(vehicles, undated)] = await sql(sessions, "SELECT count(*) FILTER (WHERE delivery_date IS NOT NULL), "
                                      "count(*) FILTER (WHERE delivery_date IS NULL) FROM vehicle_profiles "
                                      "WHERE dealer_id = :dealer", dealer=dealer)
    assert (report["customers"], report["vehicles"], report["vehicles_undated"]) == (customers, vehicles, undated)
    assert (customers, undated) == (CUSTOMERS + 1, 1)

    grasp = report["grasp"]
    now, year_ago = await direct_grasp(sessions, dealer, TODAY), await direct_grasp(sessions, dealer, YEAR_AGO_END)
    assert [row["month"] for row in grasp["by_age"]] == now
    assert [row["year_ago"] for row in grasp["by_age"]] == year_ago
    assert grasp["year_ago_as_of"] == YEAR_AGO_END.isoformat()
    assert any(r["grasped"] for r in now) and any(r["sold"] for r in year_ago)

    classes = {section["measure"]: section for section in report["classes"]}
    for measure in ("value_type", "lifecycle_stage", "rfm_segment"):
        counted = await sql(sessions, f"SELECT coalesce({measure}, 'unscored'), count(*) FROM profiles "
                                      f"WHERE {LIVE} GROUP BY 1", dealer=dealer)
        assert classes[measure]["distribution"] == dict(counted)
    moved = await sql(sessions, MOVED, dealer=dealer, previous=PREVIOUS)
    assert {(m["from_class"], m["to_class"]): m["customers"] for m in classes["value_type"]["movements"]} == \
        {(was, now): count for was, now, count in moved}
    assert sum(m["customers"] for m in classes["value_type"]["movements"]) == 4
    assert classes["lifecycle_stage"]["movements"] == [
        {"from_class": "new", "to_class": moved_to, "customers": 1}
        for (moved_to,) in await sql(sessions, "SELECT coalesce(lifecycle_stage, 'unscored') FROM profiles "
                                               "WHERE customer_id = :c", c=snapshot[3][0])]

    risky = await sql(sessions, f"SELECT customer_id, churn_risk FROM profiles WHERE {LIVE} AND churn_risk IN "
                                "('high', 'medium') ORDER BY churn_risk = 'medium', p_alive NULLS LAST, customer_id "
                                "LIMIT 20", dealer=dealer)
    assert [(uuid.UUID(r["customer_id"]), r["churn_risk"]) for r in report["churn_risks"]] == risky
    assert risky and all(r["reasons"] for r in report["churn_risks"] if r["churn_risk"] == "high")
    assert {s["section"] for s in report["not_yet"]} == {"ssi_csi", "campaign_results"}

    xlsx = await client.get("/api/v1/reports/customer-value.xlsx", headers=headers,
                            params={"dealer_id": dealer, "month": MONTH.strftime("%Y-%m")})
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx.headers["content-type"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["概览", "客户掌握率与活跃客户比例", "客户分布", "客户变动", "流失风险客户", "尚未提供"]
    overview = {row[0]: row[1] for row in book["概览"].iter_rows(values_only=True)}
    assert (overview["客户数"], overview["车辆数"]) == (customers, vehicles)
    sheet = book["客户掌握率与活跃客户比例"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows[:11]] == [
        (n["sold"], n["grasped"], n["grasp_rate"], n["base"], n["active"], n["active_ratio"]) for n in now]
    assert [r[9] for r in rows[:11]] == [y["grasp_rate"] for y in year_ago]
    assert sheet["D2"].number_format == "0.0%" and rows[11][0] == "合计"
    spread = {(r[0], r[1]): r[2] for r in book["客户分布"].iter_rows(min_row=2, values_only=True)}
    assert sum(v for (measure, _), v in spread.items() if measure == "价值类型") == customers
    assert len(list(book["流失风险客户"].iter_rows(min_row=2))) == len(risky)


async def test_another_dealers_report_is_not_found_and_the_network_needs_its_permission(service, auth):
    client, _ = service
    mine = auth(dealers=["D-mine"])
    other = await client.get("/api/v1/reports/customer-value", headers=mine, params={"dealer_id": "D-theirs"})
    assert other.status_code == 404
    other_xlsx = await client.get("/api/v1/reports/customer-value.xlsx", headers=mine,
                                  params={"dealer_id": "D-theirs"})
    assert other_xlsx.status_code == 404
    network = await client.get("/api/v1/reports/customer-value", headers=mine)
    assert network.status_code == 403
    later = add_months(MONTH, 1).strftime("%Y-%m")
    future = await client.get("/api/v1/reports/customer-value", headers=mine,
                              params={"dealer_id": "D-mine", "month": later})
    assert future.status_code == 422 and future.json()["errors"][0]["name"] == "month"
    carmaker = auth(dealers=["*"], scope=["kpis:read", "network:read"])
    whole = await client.get("/api/v1/reports/customer-value", headers=carmaker)
    assert whole.status_code == 200 and whole.json()["scope"] == "network"
    past = await client.get("/api/v1/reports/customer-value", headers=carmaker,
                            params={"month": add_months(MONTH, -30).strftime("%Y-%m")})
    assert past.status_code == 200
    assert all(section["movements"] is None for section in past.json()["classes"])
