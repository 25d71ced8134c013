"""Events about a customer update its profile at once, and every status change is published with a reason."""

import uuid

from crm_contracts.events import customer as events
from crm_devstack.pytest_plugin import eventually

from .conftest import TODAY, days_ago, profile_when, registered, vehicle, visit


async def test_visits_build_the_profile_and_status_changes_are_published(client, auth, publish, published):
    customer, car = uuid.uuid4(), uuid.uuid4()
    delivered = days_ago(900)  # about 29 months: the first service was never done within 12 months
    await publish(registered(customer), vehicle(customer, car, delivered))
    shown = await profile_when(client, auth(), customer, lambda p: p["vehicle_profiles"])
    assert shown["vehicle_profiles"][0]["retention_status"] == "lost"
    assert shown["vehicle_profiles"][0]["first_service_status"] == "lost"
    assert shown["lifecycle_stage"] == "prospect" and shown["visits_total"] == 0

    await publish(visit(customer, car, days_ago(430), subkind="repair", amount="1500.00", margin="400", km=21_000))
    shown = await profile_when(client, auth(), customer, lambda p: p["visits_total"] == 1)
    vehicle_shown = shown["vehicle_profiles"][0]
    assert vehicle_shown["retention_status"] == "dormant"
    assert vehicle_shown["status_reason"].startswith("dormant: 14 months since last service")
    assert vehicle_shown["avg_daily_km"] == round(21_000 / (900 - 430), 2)
    assert shown["last_service_on"] == days_ago(430).isoformat()
    assert shown["spend_total"] == "1500.00" and shown["margin_total"] == "400.00"
    assert shown["retention_status"] == "dormant" and shown["lifecycle_stage"] == "decline"
    assert any(reason.startswith("RAV4: 14 months since last service") for reason in shown["churn_reasons"])

    await publish(visit(customer, car, TODAY, amount="600", margin=None))  # margin unknown: 20% of the amount
    shown = await profile_when(client, auth(), customer, lambda p: p["visits_total"] == 2)
    assert shown["retention_status"] == "active" and shown["visits_12m"] == 1
    assert shown["margin_total"] == "520.00"

    async def status_events():
        found = await published(customer, "crm.customer.status_changed.v1")
        return found if len(found) >= 3 else None

    changes = [(e.data["previous"], e.data["current"]) for e in await eventually(status_events)]
    assert changes == [(None, "lost"), ("lost", "dormant"), ("dormant", "active")]
    lost = await published(customer, "crm.first_service.lost.v1")
    assert len(lost) == 1 and lost[0].data["delivery_date"] == delivered.isoformat()
    rescored = await published(customer, "crm.customer.rescored.v1")
    assert rescored and rescored[-1].data["lifecycle_stage"] == "growth"


async def test_events_before_the_registration_and_replays_are_tolerated(client, auth, publish):
    customer, car = uuid.uuid4(), uuid.uuid4()
    first = visit(customer, car, days_ago(20))
    await publish(first, first)  # a replayed visit (same id) counts once
    await publish(events.OdometerRecorded(vehicle_id=car, customer_id=customer, dealer_id="D1", km=5_000,
                                          read_on=days_ago(10)))
    shown = await profile_when(client, auth(), customer, lambda p: p["vehicle_profiles"]
                               and p["vehicle_profiles"][0]["last_km"] == 5_000)
    assert shown["visits_total"] == 1 and shown["kind"] is None
    await publish(registered(customer))
    shown = await profile_when(client, auth(), customer, lambda p: p["kind"] == "person")
    assert shown["visits_total"] == 1


async def test_another_dealers_profile_is_not_found_and_permissions_are_checked(client, auth, publish):
    customer = uuid.uuid4()
    await publish(registered(customer, dealer="D2"))
    await profile_when(client, auth(dealers=["D2"]), customer, lambda p: True)
    assert (await client.get(f"/api/v1/profiles/{customer}", headers=auth(dealers=["D1"]))).status_code == 404
    forbidden = await client.get(f"/api/v1/profiles/{customer}", headers=auth(dealers=["D2"], scope=[]))
    assert forbidden.status_code == 403 and forbidden.headers["content-type"] == "application/problem+json"
    assert (await client.get("/api/v1/profiles")).status_code == 401
    listed = (await client.get("/api/v1/profiles", headers=auth(dealers=["D1"]), params={"limit": 500})).json()
    assert all(p["dealer_id"] == "D1" for p in listed["items"])


async def test_dealer_thresholds_are_settings_and_a_change_rescores_the_dealer(client, auth, publish, published):
    dealer = f"D-{uuid.uuid4().hex[:6]}"
    headers = auth(dealers=[dealer])
    customer, car = uuid.uuid4(), uuid.uuid4()
    await publish(registered(customer, dealer), vehicle(customer, car, days_ago(700), dealer),
                  visit(customer, car, days_ago(300), dealer=dealer))
    await profile_when(client, headers, customer, lambda p: p["retention_status"] == "active")

    bad = await client.put(f"/api/v1/scoring/settings/{dealer}", headers=headers,
                           json={"active_months": 12, "lost_months": 6, "abc_a_share": 0.9, "abc_b_share": 0.5})
    assert bad.status_code == 422
    assert [e["pointer"] for e in bad.json()["errors"]] == ["/lost_months", "/abc_b_share"]
    unknown = await client.put(f"/api/v1/scoring/settings/{dealer}", headers=headers, json={"lost_after": 3})
    assert [e["pointer"] for e in unknown.json()["errors"]] == ["/lost_after"]
    defaults = await client.get(f"/api/v1/scoring/settings/{dealer}", headers=headers)
    assert defaults.json()["updated_at"] is None and defaults.headers["ETag"] == '"0"'

    # an OEM that calls a vehicle dormant after 6 months and lost after 9
    lost_after_9 = {"active_months": 6, "lost_months": 9}
    unconditional = await client.put(f"/api/v1/scoring/settings/{dealer}", headers=headers, json=lost_after_9)
    assert unconditional.status_code == 428
    saved = await client.put(f"/api/v1/scoring/settings/{dealer}", json=lost_after_9,
                             headers={**headers, "If-Match": defaults.headers["ETag"]})
    assert saved.status_code == 200 and saved.json()["settings"]["lost_months"] == 9
    assert saved.headers["ETag"] == '"1"' and saved.json()["version"] == 1
    stale = await client.put(f"/api/v1/scoring/settings/{dealer}", json={"active_months": 3},
                             headers={**headers, "If-Match": defaults.headers["ETag"]})
    assert stale.status_code == 412 and stale.json()["current_etag"] == '"1"'
    shown = await profile_when(client, headers, customer, lambda p: p["retention_status"] == "lost")
    assert shown["vehicle_profiles"][0]["status_reason"].startswith("lost: 9 months since last service")

    async def lost_event():
        changes = await published(customer, "crm.customer.status_changed.v1")
        return [e for e in changes if e.data["current"] == "lost"]

    assert (await eventually(lost_event))[0].data["previous"] == "active"
    other = await client.put("/api/v1/scoring/settings/D-NOT-MINE", headers=headers, json={})
    assert other.status_code == 404
