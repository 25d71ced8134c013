"""A retried segment creation (Idempotency-Key) answers the segment the first request created."""


async def test_a_retried_segment_creation_is_one_segment_and_another_body_is_refused(client, auth):
    body = {"dealer_id": "D1", "name": "Spring service campaign", "kind": "static"}
    headers = {**auth(), "Idempotency-Key": "seg-1"}
    first = await client.post("/api/v1/segments", headers=headers, json=body)
    assert first.status_code == 201, first.text
    again = await client.post("/api/v1/segments", headers=headers, json=body)
    assert again.status_code == 201, again.text
    assert again.json() == first.json() and again.headers["location"] == first.headers["location"]

    other = await client.post("/api/v1/segments", headers=headers, json={**body, "name": "Autumn campaign"})
    assert other.status_code == 422
    assert [(e["in"], e["name"]) for e in other.json()["errors"]] == [("header", "Idempotency-Key")]

    unkeyed = await client.post("/api/v1/segments", headers=auth(), json=body)
    assert unkeyed.status_code == 409
    listed = (await client.get("/api/v1/segments", headers=auth())).json()["items"]
    assert [s["name"] for s in listed] == ["Spring service campaign"]
