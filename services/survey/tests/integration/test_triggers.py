"""From the customer service's events to invitations: exactly one per visit within the survey window, or a
recorded suppression; a visit outside the window (imported history, a late entry) gets none at all."""

from datetime import UTC, date, datetime, timedelta

import pytest

from crm_devstack.pytest_plugin import eventually

from .conftest import csi_at_once, invitations_of

pytestmark = pytest.mark.timeout(180)


async def test_a_closed_service_visit_leads_to_exactly_one_invitation_announced_once(
        client, auth, upstream, survey_events):
    headers = auth()
    await csi_at_once(client, headers)
    customer = await upstream.customer()
    visit = await upstream.visit(customer)

    [sent] = await invitations_of(client, headers, customer, status="sent")
    assert sent["kind"] == "csi" and sent["visit_id"] == visit.data["visit_id"] and sent["advisor_id"] == "SA-01"
    assert sent["link_path"].startswith("/s/") and len(sent["link_path"]) > 30
    expires = datetime.fromisoformat(sent["expires_at"]) - datetime.fromisoformat(sent["send_at"])
    assert expires == timedelta(days=15)

    await upstream.resend(visit)  # the same event again (a redelivery)
    await upstream.visit(customer, visit_id=visit.data["visit_id"])  # the same visit in a new event
    await upstream.visit(customer, closed=False)  # an open repair order is not surveyed
    events = await survey_events(customer, count=1)
    assert [e.type for e in events] == ["crm.survey.invitation.created.v1"]
    created = events[0].data
    assert created["invitation_id"] == sent["id"] and created["link_path"] == sent["link_path"]
    assert created["survey_kind"] == "csi" and created["visit_id"] == visit.data["visit_id"]
    listed = (await client.get("/api/v1/surveys/invitations", headers=headers,
                               params={"customer_id": str(customer)})).json()["items"]
    assert len(listed) == 1


async def test_a_purchase_schedules_an_ssi_on_day_three_and_nothing_is_sent_yet(client, auth, upstream, survey_events):
    headers = auth()
    customer = await upstream.customer()
    await upstream.visit(customer, kind="purchase", visited_on=date.today())
    [scheduled] = await invitations_of(client, headers, customer)
    assert scheduled["kind"] == "ssi" and scheduled["status"] == "scheduled"
    assert datetime.fromisoformat(scheduled["send_at"]) > datetime.now(UTC) + timedelta(days=2)
    assert (await client.get(scheduled["link_path"])).status_code == 404  # not sent: the link does not work yet


async def test_suppressed_without_consent_when_erased_and_within_the_quiet_period(
        client, auth, upstream):
    headers = auth()
    await csi_at_once(client, headers)
    no_consent = await upstream.customer(consent=False)
    await upstream.visit(no_consent)
    withdrawn = await upstream.customer()
    await upstream.consent(withdrawn, granted=False)
    await upstream.visit(withdrawn)
    erased = await upstream.customer()
    await upstream.erase(erased)
    await upstream.visit(erased)
    twice = await upstream.customer()
    await upstream.visit(twice)
    await invitations_of(client, headers, twice, status="sent")
    await upstream.visit(twice)  # a second visit the same week

    expected = {no_consent: "no_consent", withdrawn: "no_consent", erased: "erased"}
    for customer, reason in expected.items():
        [invitation] = await invitations_of(client, headers, customer)
        assert (invitation["status"], invitation["suppressed_reason"]) == ("suppressed", reason)
        assert (await client.get(invitation["link_path"])).status_code == 404
    both = await invitations_of(client, headers, twice, count=2)
    assert sorted((i["status"], i["suppressed_reason"]) for i in both) == [
        ("sent", None), ("suppressed", "quiet_period")]


async def test_only_visits_within_the_survey_window_are_invited_by_the_visits_own_date(
        client, auth, upstream, survey_events):
    headers = auth()
    await csi_at_once(client, headers)
    customer = await upstream.customer()
    today = date.today()
    # ten years of history arriving now, as an import sends it: none of it is surveyed
    for years in range(10, 0, -1):
        await upstream.visit(customer, visited_on=today - timedelta(days=365 * years))
    # the window is counted in the dealer's time zone, so the dates keep a day clear of its edge
    await upstream.visit(customer, kind="purchase", visited_on=today - timedelta(days=16))  # past the 14 days
    recent = await upstream.visit(customer, visited_on=today - timedelta(days=12))
    # events of one customer are handled in order: once the recent visit's invitation is there, the old
    # ones have been handled too
    [invited] = await invitations_of(client, headers, customer, status="sent")
    assert invited["visit_id"] == recent.data["visit_id"] and invited["kind"] == "csi"
    assert [e.data["visit_id"] for e in await survey_events(customer, count=1)] == [recent.data["visit_id"]]
    listed = (await client.get("/api/v1/surveys/invitations", headers=headers,
                               params={"customer_id": str(customer)})).json()["items"]
    assert len(listed) == 1  # not even a suppressed invitation for the old visits


async def test_a_dealer_can_widen_or_narrow_the_survey_window(client, auth, upstream):
    headers = auth(dealers=["D3"])
    await csi_at_once(client, headers, dealer="D3", stale_visit_days=60, quiet_period_days=0)
    customer = await upstream.customer(dealer="D3")
    await upstream.visit(customer, dealer="D3", visited_on=date.today() - timedelta(days=61))
    month_old = await upstream.visit(customer, dealer="D3", visited_on=date.today() - timedelta(days=45))
    [invited] = await invitations_of(client, headers, customer, status="sent")
    assert invited["visit_id"] == month_old.data["visit_id"]

    await csi_at_once(client, headers, dealer="D3", stale_visit_days=1, quiet_period_days=0)
    await upstream.visit(customer, dealer="D3", visited_on=date.today() - timedelta(days=3))
    today = await upstream.visit(customer, dealer="D3")
    both = await invitations_of(client, headers, customer, count=2, status="sent")
    assert {i["visit_id"] for i in both} == {month_old.data["visit_id"], today.data["visit_id"]}


async def test_consent_withdrawn_or_erasure_while_waiting_stops_the_invitation(client, auth, upstream, database,
                                                                              survey_events):
    headers = auth()
    await csi_at_once(client, headers, csi_delay_hours=48)
    changed_mind, erased = await upstream.customer(), await upstream.customer()
    for customer in (changed_mind, erased):
        await upstream.visit(customer)
        await invitations_of(client, headers, customer, status="scheduled")
    await upstream.consent(changed_mind, granted=False)
    await upstream.erase(erased)

    async def erased_suppressed():
        [invitation] = await invitations_of(client, headers, erased)
        return invitation["suppressed_reason"] == "erased"

    await eventually(erased_suppressed)
    await upstream.visit(changed_mind)  # same key, so handled after the withdrawal: a marker to wait on
    marker = [i for i in await invitations_of(client, headers, changed_mind, count=2) if i["status"] == "suppressed"]
    assert marker[0]["suppressed_reason"] == "no_consent"
    await database("UPDATE invitations SET send_at = now() - interval '1 minute' WHERE customer_id = :c",
                   c=changed_mind)
    both = await invitations_of(client, headers, changed_mind, count=2, status="suppressed")
    assert {i["suppressed_reason"] for i in both} == {"no_consent"}
    assert await survey_events(changed_mind, count=0) == []


async def test_another_dealers_invitations_are_not_found(client, auth, upstream):
    await csi_at_once(client, auth(dealers=["D2"]), dealer="D2")
    customer = await upstream.customer(dealer="D2")
    await upstream.visit(customer, dealer="D2")
    [invitation] = await invitations_of(client, auth(dealers=["D2"]), customer, status="sent")
    assert (await client.get(f"/api/v1/surveys/invitations/{invitation['id']}", headers=auth())).status_code == 404
    listed = await client.get("/api/v1/surveys/invitations", headers=auth(), params={"customer_id": str(customer)})
    assert listed.json()["items"] == []
    assert (await client.put("/api/v1/surveys/settings/D2", headers=auth(), json={})).status_code == 404
    refused = await client.get("/api/v1/surveys/invitations", headers=auth(scope=["customers:read"]))
    assert refused.status_code == 403
    assert (await client.get("/api/v1/surveys/invitations")).status_code == 401
