"""CDNOW's raw purchases in as visit.recorded events, a rescore, and the published model parameters out.

The 1/10th sample `lifetimes` ships (2,357 customers of the 1997 cohort, one row per purchase) is the set
Fader, Hardie & Lee (2005) and Fader & Hardie's Gamma-Gamma note fit. Its 39-week calibration period is
replayed with every date moved so that it ends today, as a dealer's history would arrive: through the
real broker, the service's consumer and its stored visits, then the dealer's batch job. Each purchase is a
visit whose margin is its dollar value (the value the papers model).
"""

import asyncio
import importlib.metadata
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from aiokafka import AIOKafkaProducer

from crm_contracts import new_event, topics
from crm_contracts.events import customer as events
from crm_devstack.pytest_plugin import eventually

from .conftest import TODAY

CALIBRATION_END = date(1997, 9, 30)


def calibration_purchases() -> list[tuple[str, date, Decimal]]:
    path = importlib.metadata.distribution("lifetimes").locate_file("lifetimes/datasets/CDNOW_sample.txt")
    with open(str(path)) as file:
        rows = [line.split() for line in file if line.strip()]
    bought = [(row[1], date(int(row[2][:4]), int(row[2][4:6]), int(row[2][6:])), Decimal(row[4])) for row in rows]
    return [b for b in bought if b[1] <= CALIBRATION_END]


async def test_cdnow_visits_through_the_service_give_the_published_bgnbd_and_gamma_gamma(client, auth, kafka,
                                                                                           published):
    dealer = f"D-CDNOW-{uuid.uuid4().hex[:6]}"
    headers = auth(dealers=[dealer])
    shift = TODAY - CALIBRATION_END
    purchases = calibration_purchases()
    customers = {sample_id: uuid.uuid4() for sample_id, _, _ in purchases}
    assert (len(customers), len(purchases)) == (2357, 4960)
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers, enable_idempotence=True)
    await producer.start()
    try:
        sends = []
        for sample_id, day, dollars in purchases:
            payload = events.VisitRecorded(
                visit_id=uuid.uuid4(), customer_id=customers[sample_id], dealer_id=dealer, kind="purchase",
                subkind="accessories", visited_on=day + shift, amount=dollars, margin=dollars,
                order_number=f"CDNOW-{sample_id}-{day:%Y%m%d}", recorded_at=datetime.now(UTC))
            envelope = new_event(payload, service="customer", subject=str(payload.customer_id), dealer_id=dealer)
            sends.append(await producer.send(topics.CUSTOMER, envelope.to_json(), key=envelope.subject.encode(),
                                             headers=[("ce_type", envelope.type.encode())]))
        await asyncio.gather(*sends)
    finally:
        await producer.stop()

    async def all_recorded():
        items, cursor = [], None
        while True:
            params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
            page = (await client.get("/api/v1/profiles", headers=headers, params=params)).json()
            items += page["items"]
            cursor = page["next_cursor"]
            if not cursor:
                break
        return items if len(items) == 2357 and sum(p["visits_total"] for p in items) == 4960 else None

    await eventually(all_recorded, timeout=240, interval=1)
    job = await client.post("/api/v1/scoring/jobs", headers=headers, json={"dealer_id": dealer})
    assert job.status_code == 202, job.text

    async def done():
        response = await client.get(f"/api/v1/scoring/jobs/{job.json()['id']}", headers=headers)
        return response.json() if response.json()["status"] in ("done", "failed") else None

    finished = await eventually(done, timeout=120, interval=0.5)
    assert finished["status"] == "done" and finished["customers"] == 2357, finished
    fit = (await client.get(f"/api/v1/scoring/settings/{dealer}", headers=headers)).json()["fit"]
    visits, spend = fit["bgnbd"], fit["gamma_gamma"]
    assert abs(visits["r"] - 0.243) < 0.002 and abs(visits["alpha"] - 4.414) < 0.01
    assert abs(visits["a"] - 0.793) < 0.002 and abs(visits["b"] - 2.426) < 0.01
    assert abs(spend["p"] - 6.25) < 0.02 and abs(spend["q"] - 3.74) < 0.02 and abs(spend["gamma"] - 15.44) < 0.05

    # the note's customer 1: repeat days worth 29.73 and 14.96 -> E[M] = (γ + 2·22.345)·p / (2p + q − 1)
    first = (await client.get(f"/api/v1/profiles/{customers['0001']}", headers=headers)).json()
    expected = (spend["gamma"] + 2 * 22.345) * spend["p"] / (2 * spend["p"] + spend["q"] - 1)
    assert abs(float(first["margin_per_visit"]) - expected) < 0.01
    assert (first["visit_days"], first["visits_total"]) == (3, 3)
    # the batch announced where it put the customer, as a partner reads it off crm.segmentation.v1 (a batch
    # publishes only when a class changes, so the latest announcement names the classes the profile shows)
    fields = ("value_type", "lifecycle_stage", "rfm_segment", "abc_class")

    async def announced():
        rescored = await published(customers["0001"], "crm.customer.rescored.v1")
        latest = rescored[-1].data if rescored else {}
        return latest if all(latest.get(field) == first[field] for field in fields) else None

    latest = await eventually(announced, timeout=60, interval=0.5)
    assert latest["customer_id"] == str(customers["0001"]) and latest["dealer_id"] == dealer
    assert first["value_type"] is not None and first["abc_class"] is not None
