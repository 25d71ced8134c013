"""An administrator disables, enables and rotates a partner's API client; the token endpoint follows at once."""

from .conftest import admin_token

CLIENTS = "/api/v1/admin/clients"


async def _grant(gateway, client_id: str, secret: str):
    return await gateway.post("/auth/token", data={"grant_type": "client_credentials", "client_id": client_id,
                                                   "client_secret": secret})


async def _partner(gateway, client_id: str) -> tuple[dict, dict]:
    headers = {"Authorization": f"Bearer {await admin_token(gateway)}"}
    await gateway.post("/api/v1/admin/dealers", headers=headers, json={"id": "D-CLI-1", "name": "Store"})
    created = await gateway.post(CLIENTS, headers=headers, json={
        "client_id": client_id, "name": "Roadside", "scope": ["webhooks:manage"], "dealers": ["D-CLI-1"]})
    assert created.status_code == 201, created.text
    return created.json(), headers


async def test_a_disabled_client_gets_no_token_and_an_enabled_one_does_again(gateway):
    client, headers = await _partner(gateway, "roadside-a")
    read = await gateway.get(f"{CLIENTS}/roadside-a", headers=headers)
    assert read.status_code == 200 and read.json()["active"] is True
    unconditional = await gateway.patch(f"{CLIENTS}/roadside-a", headers=headers, json={"active": False})
    assert unconditional.status_code == 428

    disabled = await gateway.patch(f"{CLIENTS}/roadside-a", json={"active": False},
                                   headers=headers | {"If-Match": read.headers["ETag"]})
    assert disabled.status_code == 200 and disabled.json()["active"] is False
    refused = await _grant(gateway, "roadside-a", client["client_secret"])
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"

    stale = await gateway.patch(f"{CLIENTS}/roadside-a", json={"active": True},
                                headers=headers | {"If-Match": read.headers["ETag"]})
    assert stale.status_code == 412
    enabled = await gateway.patch(f"{CLIENTS}/roadside-a", json={"active": True},
                                  headers=headers | {"If-Match": disabled.headers["ETag"]})
    assert enabled.status_code == 200 and enabled.json()["active"] is True
    assert (await _grant(gateway, "roadside-a", client["client_secret"])).status_code == 200


async def test_a_rotated_secret_is_shown_once_and_the_old_one_is_refused(gateway):
    client, headers = await _partner(gateway, "roadside-b")
    rotated = await gateway.post(f"{CLIENTS}/roadside-b/secret", headers=headers)
    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["client_secret"]
    assert new_secret != client["client_secret"] and rotated.headers["Cache-Control"] == "no-store"
    assert (await _grant(gateway, "roadside-b", client["client_secret"])).status_code == 401
    assert (await _grant(gateway, "roadside-b", new_secret)).status_code == 200
    listed = await gateway.get(CLIENTS, headers=headers)
    assert all("client_secret" not in c for c in listed.json()["items"])


async def test_an_unknown_client_is_404_and_a_dealer_administrator_may_not_change_one(gateway):
    _, headers = await _partner(gateway, "roadside-c")
    assert (await gateway.post(f"{CLIENTS}/nobody-here/secret", headers=headers)).status_code == 404
    await gateway.post("/api/v1/admin/users", headers=headers, json={
        "username": "store-admin", "password": "a-long-enough-password", "roles": ["dealer_admin"],
        "dealers": ["D-CLI-1"]})
    login = await gateway.post("/auth/token", data={"grant_type": "password", "username": "store-admin",
                                                    "password": "a-long-enough-password"})
    store = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert (await gateway.get(f"{CLIENTS}/roadside-c", headers=store)).status_code == 200
    assert (await gateway.post(f"{CLIENTS}/roadside-c/secret", headers=store)).status_code == 403
