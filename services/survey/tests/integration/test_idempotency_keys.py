"""The survey's retryable writes take the kit's Idempotency-Key: a retried history import answers what the first
one did, and the same key on another upload is refused naming the header."""

from datetime import UTC, datetime, timedelta

from .conftest import good_csi


async def test_a_retried_import_answers_the_first_counts_and_another_upload_under_its_key_is_refused(
        client, auth, upstream):
    headers = {**auth(dealers=["DK"]), "Idempotency-Key": "vendor-upload-1"}
    customer = await upstream.customer(dealer="DK")
    answered = datetime.now(UTC) - timedelta(days=40)
    row = {"external_id": "VENDOR-K1", "customer_id": str(customer), "kind": "csi",
           "answered_at": answered.isoformat(), "answers": good_csi()}
    body = {"dealer_id": "DK", "responses": [row]}

    first = await client.post("/api/v1/surveys/responses/import", headers=headers, json=body)
    assert first.status_code == 200, first.text
    assert first.json() == {"created": 1, "unchanged": 0}
    retried = await client.post("/api/v1/surveys/responses/import", headers=headers, json=body)
    assert retried.status_code == 200 and retried.json() == {"created": 1, "unchanged": 0}

    other = await client.post("/api/v1/surveys/responses/import", headers=headers,
                              json={"dealer_id": "DK", "responses": [{**row, "external_id": "VENDOR-K2"}]})
    assert other.status_code == 422
    assert [(e["in"], e["name"]) for e in other.json()["errors"]] == [("header", "Idempotency-Key")]
    listed = (await client.get("/api/v1/surveys/responses", headers=auth(dealers=["DK"]),
                               params={"customer_id": str(customer)})).json()["items"]
    assert len(listed) == 1
