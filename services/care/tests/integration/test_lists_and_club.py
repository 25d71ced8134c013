"""Every care list pages with `limit`/`cursor`; a forged cursor is a 400; the club keeps its capacity."""

import base64
import uuid
from datetime import timedelta

import pytest

from .conftest import now

LISTS = ["/api/v1/care/tasks", "/api/v1/care/messages", "/api/v1/care/cases", "/api/v1/care/rescue",
         "/api/v1/care/club/members", "/api/v1/care/club/activities", "/api/v1/care/templates",
         "/api/v1/care/plans"]


@pytest.mark.parametrize("path", LISTS)
async def test_a_forged_cursor_answers_400_naming_the_cursor(care, auth, path):
    forged = base64.urlsafe_b64encode(b'["not a time", "not an id"]').decode().rstrip("=")
    for cursor in ("garbage!", forged):
        answer = await care.get(path, params={"cursor": cursor}, headers=auth())
        assert answer.status_code == 400, (path, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert [(e["in"], e["name"]) for e in answer.json()["errors"]] == [("query", "cursor")]


async def test_complaint_cases_come_a_page_at_a_time_oldest_first_and_filtered_by_state(care, auth):
    customer = uuid.uuid4()
    opened = []
    for n in range(5):
        answer = await care.post("/api/v1/care/cases", headers=auth(),
                                 json={"customer_id": str(customer), "summary": f"投诉 {n}"})
        assert answer.status_code == 201, answer.text
        opened.append(answer.json()["id"])
    await care.post(f"/api/v1/care/cases/{opened[0]}/actions", headers=auth(), json={"action": "start"})

    seen, cursor = [], None
    while True:
        params = {"customer_id": str(customer), "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await care.get("/api/v1/care/cases", params=params, headers=auth())).json()
        assert len(page["items"]) <= 2
        seen += [case["id"] for case in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == opened
    still_open = (await care.get("/api/v1/care/cases", params={"customer_id": str(customer), "state": "open"},
                                 headers=auth())).json()["items"]
    assert [case["id"] for case in still_open] == opened[1:]
    assert all(case["first_contact_overdue"] is False for case in still_open)
    other_dealer = (await care.get("/api/v1/care/cases", params={"customer_id": str(customer)},
                                   headers=auth(dealers=["D2"]))).json()
    assert other_dealer == {"items": [], "next_cursor": None}


async def test_club_sign_ups_stop_at_the_capacity_and_count_a_second_sign_up_once(care, auth):
    members = [uuid.uuid4() for _ in range(3)]
    for customer in members:
        joined = await care.post("/api/v1/care/club/members", headers=auth(), json={"customer_id": str(customer)})
        assert joined.status_code == 201 and joined.json()["level"] == "member"
    activity = (await care.post("/api/v1/care/club/activities", headers=auth(), json={
        "title": "自驾游", "starts_at": (now() + timedelta(days=10)).isoformat(), "capacity": 2})).json()
    signups = f"/api/v1/care/club/activities/{activity['id']}/signups"

    first = await care.post(signups, headers=auth(), json={"customer_id": str(members[0])})
    assert first.status_code == 201 and first.json()["signed_up"] == 1
    assert (await care.post(signups, headers=auth(), json={"customer_id": str(members[0])})).json()["signed_up"] == 1
    assert (await care.post(signups, headers=auth(), json={"customer_id": str(members[1])})).json()["signed_up"] == 2
    full = await care.post(signups, headers=auth(), json={"customer_id": str(members[2])})
    assert full.status_code == 409 and full.headers["content-type"] == "application/problem+json"
    stranger = await care.post(signups, headers=auth(), json={"customer_id": str(uuid.uuid4())})
    assert stranger.status_code == 422 and [e["pointer"] for e in stranger.json()["errors"]] == ["/customer_id"]
    assert (await care.post(signups, headers=auth(dealers=["D2"]),
                            json={"customer_id": str(members[2])})).status_code == 404

    listed = (await care.get("/api/v1/care/club/activities", headers=auth())).json()["items"]
    assert [a["id"] for a in listed] == [activity["id"]] and listed[0]["capacity"] == 2
    page = (await care.get("/api/v1/care/club/members", params={"limit": 2}, headers=auth())).json()
    rest = (await care.get("/api/v1/care/club/members", params={"cursor": page["next_cursor"]},
                           headers=auth())).json()
    assert sorted(m["customer_id"] for m in page["items"] + rest["items"]) == sorted(map(str, members))


async def test_every_care_reply_has_a_schema_in_the_openapi_document(care):
    spec = (await care.get("/openapi.json")).json()
    untyped = [(method, path) for path, operations in spec["paths"].items() for method, operation in operations.items()
               for status, response in operation["responses"].items()
               if status.startswith("2") and "$ref" not in response.get("content", {}).get(
                   "application/json", {}).get("schema", {"$ref": "none"})]
    assert untyped == []
