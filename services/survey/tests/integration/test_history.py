"""A dealer leaving its previous survey vendor brings a year of results: they count in the indices, NPS
and trend as live answers do, a second upload of the same file changes nothing, and a bad row refuses the
whole upload, naming the field."""

import uuid
from datetime import UTC, datetime, timedelta
from statistics import mean

import pytest

from crm_contracts import permissions
from crm_devstack.pytest_plugin import eventually
from crm_survey.domain.defaults import SHIPPED

from .conftest import good_csi

pytestmark = pytest.mark.timeout(120)

WEIGHTS = {f["id"]: f["weight"] for f in SHIPPED["csi"]["factors"]}
FACTOR_OF = {q["id"]: q["factor"] for q in SHIPPED["csi"]["questions"] if q.get("factor")}


def index_of(answers: dict) -> float:
    return sum(w * mean(v for q, v in answers.items() if FACTOR_OF.get(q) == f) for f, w in WEIGHTS.items()) * 100


def past(external_id: str, customer_id, answered_at: datetime, answers: dict, **extra) -> dict:
    return {"external_id": external_id, "customer_id": str(customer_id), "kind": "csi",
            "answered_at": answered_at.isoformat(), "advisor_id": "SA-03", "answers": answers, **extra}


async def overview(client, headers, dealer: str, month: datetime) -> dict:
    period = month.strftime("%Y-%m")
    reply = await client.get(f"/api/v1/surveys/analytics/dealers/{dealer}", headers=headers,
                             params={"kind": "csi", "from": period, "to": period})
    assert reply.status_code == 200, reply.text
    return reply.json()


async def test_past_results_count_like_live_answers_and_a_second_upload_changes_nothing(
        client, auth, upstream, survey_events):
    headers = auth(dealers=["DH"])
    customer = await upstream.customer(dealer="DH")
    month = (datetime.now(UTC).replace(day=1) - timedelta(days=95)).replace(day=10, hour=3, tzinfo=UTC)
    answers = [good_csi(), good_csi(fixed_first_time=2, recommend=3, what_went_wrong="等了很久"),
               good_csi(recommend=10, advisor_courtesy=10)]
    body = {"dealer_id": "DH", "responses": [
        past(f"VENDOR-{n}", customer, month + timedelta(days=n), a, sent_at=(month - timedelta(days=2)).isoformat())
        for n, a in enumerate(answers)]}

    first = await client.post("/api/v1/surveys/responses/import", headers=headers, json=body)
    assert first.status_code == 200, first.text
    assert first.json() == {"created": 3, "unchanged": 0}
    figures = await overview(client, headers, "DH", month)
    assert figures["responses"] == 3 and figures["invitations_sent"] == 3
    assert figures["index"] == pytest.approx(mean(index_of(a) for a in answers), abs=0.06)
    assert figures["nps"] == pytest.approx((2 - 1) / 3 * 100, abs=0.06)  # two promoters, one detractor
    [trend] = figures["trend"]
    assert trend["month"].startswith(month.strftime("%Y-%m")) and trend["responses"] == 3

    listed = (await client.get("/api/v1/surveys/responses", headers=headers,
                               params={"customer_id": str(customer)})).json()["items"]
    assert sorted(r["recorded_at"][:10] for r in listed) == [
        (month + timedelta(days=n)).date().isoformat() for n in range(3)]
    assert {r["free_text"].get("what_went_wrong") for r in listed} == {None, "等了很久"}
    published = await survey_events(customer, count=3)
    assert {e.type for e in published} == {"crm.survey.response.recorded.v1"}
    assert sorted(e.data["recorded_at"][:10] for e in published) == sorted(r["recorded_at"][:10] for r in listed)
    alerts = (await client.get("/api/v1/surveys/alerts", headers=headers)).json()["items"]
    assert alerts == []  # the vendor handled its alerts; none opens a case today

    again = await client.post("/api/v1/surveys/responses/import", headers=headers, json=body)
    assert again.status_code == 200 and again.json() == {"created": 0, "unchanged": 3}
    assert await overview(client, headers, "DH", month) == figures
    assert len((await client.get("/api/v1/surveys/responses", headers=headers,
                                 params={"customer_id": str(customer)})).json()["items"]) == 3


async def test_a_bad_row_refuses_the_upload_naming_each_field_and_stores_nothing(client, auth, upstream, database):
    headers = auth(dealers=["DI"])
    customer = await upstream.customer(dealer="DI")
    elsewhere = await upstream.customer(dealer="DJ")
    when = datetime.now(UTC) - timedelta(days=40)
    rows = [past("V-1", customer, when, good_csi()),
            past("V-2", customer, datetime.now(UTC) + timedelta(days=2), good_csi()),
            past("V-3", customer, when, good_csi(recommend=11, lounge_comfort=None)),
            past("V-1", customer, when, good_csi()),
            past("V-5", customer, when, good_csi(), sent_at=(when + timedelta(days=1)).isoformat())]
    reply = await client.post("/api/v1/surveys/responses/import", headers=headers,
                              json={"dealer_id": "DI", "responses": rows})
    assert reply.status_code == 422 and reply.headers["content-type"].startswith("application/problem+json")
    pointers = {e["pointer"] for e in reply.json()["errors"]}
    assert pointers == {"/responses/1/answered_at", "/responses/2/answers/recommend",
                        "/responses/2/answers/lounge_comfort", "/responses/3/external_id", "/responses/4/sent_at"}
    assert await database("SELECT count(*) FROM responses WHERE dealer_id = 'DI'") == [(0,)]
    assert await database("SELECT count(*) FROM score_rollups WHERE dealer_id = 'DI'") == [(0,)]

    unknown_kind = await client.post("/api/v1/surveys/responses/import", headers=headers, json={
        "dealer_id": "DI", "responses": [{**rows[0], "kind": "nps", "answered_at": "2026-01-05T10:00:00"}]})
    assert {e["pointer"] for e in unknown_kind.json()["errors"]} == {"/responses/0/kind"}

    async def known_elsewhere():
        return await database("SELECT dealer_id FROM survey_customers WHERE customer_id = :id", id=elsewhere)

    assert await eventually(known_elsewhere, timeout=30) == [("DJ",)]
    refused = await client.post("/api/v1/surveys/responses/import", headers=headers, json={
        "dealer_id": "DI", "responses": [past("V-9", elsewhere, when, good_csi())]})
    assert {e["pointer"] for e in refused.json()["errors"]} == {"/responses/0/customer_id"}
    assert await database("SELECT count(*) FROM responses WHERE dealer_id = 'DI'") == [(0,)]


async def test_only_survey_managers_of_the_dealer_may_import(client, auth):
    row = past("V-1", uuid.uuid4(), datetime.now(UTC) - timedelta(days=3), good_csi())
    other = await client.post("/api/v1/surveys/responses/import", headers=auth(dealers=["DK"]),
                              json={"dealer_id": "DL", "responses": [row]})
    assert other.status_code == 404
    reader = await client.post("/api/v1/surveys/responses/import",
                               headers=auth(dealers=["DL"], scope=[permissions.SURVEYS_READ]),
                               json={"dealer_id": "DL", "responses": [row]})
    assert reader.status_code == 403
