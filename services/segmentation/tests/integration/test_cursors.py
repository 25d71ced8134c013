"""A cursor segmentation did not give out is the client's mistake (400 naming `cursor`), not a server error."""

import base64

import pytest

# Well-formed base64 JSON of the right length whose value is no id: it used to reach uuid.UUID() and answer 500
NOT_AN_ID = base64.urlsafe_b64encode(b'["not an id"]').decode().rstrip("=")


@pytest.mark.parametrize("path", ["/api/v1/profiles", "/api/v1/segments"])
async def test_a_forged_cursor_answers_400_naming_the_cursor(client, auth, path):
    for cursor in ("garbage!", NOT_AN_ID):
        answer = await client.get(path, params={"cursor": cursor}, headers=auth())
        assert answer.status_code == 400, (path, cursor, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert [(e["in"], e["name"]) for e in answer.json()["errors"]] == [("query", "cursor")]
