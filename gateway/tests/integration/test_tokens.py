"""POST /auth/token end to end: each grant, rotation and reuse of refresh tokens, throttling, bad tokens."""

import time

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from crm_contracts import permissions
from crm_devstack.pytest_plugin import running
from crm_gateway.domain.roles import ROLES
from crm_gateway.main import create_app
from crm_gateway.tokens import SigningKey
from crm_kit.auth import TokenVerifier

from .conftest import ADMIN_PASSWORD, admin_token, pem


async def verify_as_a_service(client, token: str):
    """What every service does: verify against the gateway's published JWKS."""
    keys = (await client.get("/.well-known/jwks.json")).json()
    verifier = TokenVerifier(issuer="crm-gateway", audience="crm")
    verifier._keys = {k["kid"]: jwt.PyJWK.from_dict(k) for k in keys["keys"]}
    return await verifier.verify(token)


async def create_user(client, admin: str, username: str, roles: list[str], dealers: list[str]) -> dict:
    headers = {"Authorization": f"Bearer {admin}"}
    for dealer in dealers:
        if dealer != "*":
            await client.post("/api/v1/admin/dealers", headers=headers, json={"id": dealer, "name": dealer})
    response = await client.post("/api/v1/admin/users", headers=headers, json={
        "username": username, "password": "correct horse battery", "roles": roles, "dealers": dealers})
    assert response.status_code == 201, response.text
    return response.json()


async def test_password_grant_gives_a_signed_token_with_role_permissions_and_dealer_scope(gateway):
    admin = await admin_token(gateway)
    await create_user(gateway, admin, "li.na", ["cr_activity_owner"], ["D-TOK-1"])
    response = await gateway.post("/auth/token", data={"grant_type": "password", "username": "li.na",
                                                       "password": "correct horse battery"})
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "EdDSA" and header["kid"] == gateway.app.state.keyring.current.kid
    principal = await verify_as_a_service(gateway, body["access_token"])
    assert principal.subject == "li.na" and principal.roles == {"cr_activity_owner"}
    assert principal.permissions == ROLES["cr_activity_owner"] and principal.dealers == {"D-TOK-1"}
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["typ"] == "user" and claims["iss"] == "crm-gateway" and claims["aud"] == "crm"
    assert claims["exp"] - claims["iat"] == 900


async def test_bootstrap_admin_holds_every_permission_for_every_dealer(gateway):
    principal = await verify_as_a_service(gateway, await admin_token(gateway))
    assert permissions.ADMIN in principal.permissions and principal.all_dealers
    assert {permissions.READ_PII, permissions.NETWORK_READ, permissions.WEBHOOKS_MANAGE} <= principal.permissions


async def test_wrong_password_and_unknown_user_answer_alike_then_throttle(gateway):
    admin = await admin_token(gateway)
    await create_user(gateway, admin, "wang.wei", ["advisor"], ["D-TOK-2"])
    wrong = await gateway.post("/auth/token", data={"grant_type": "password", "username": "wang.wei",
                                                    "password": "not the password"})
    unknown = await gateway.post("/auth/token", data={"grant_type": "password", "username": "nobody",
                                                      "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json()["error"] == unknown.json()["error"] == "invalid_grant"
    assert wrong.json()["detail"] == unknown.json()["detail"]
    for _ in range(4):
        await gateway.post("/auth/token", data={"grant_type": "password", "username": "wang.wei",
                                                "password": "still wrong"})
    blocked = await gateway.post("/auth/token", data={"grant_type": "password", "username": "wang.wei",
                                                      "password": "correct horse battery"})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
    assert blocked.headers["content-type"] == "application/problem+json"
    other = await gateway.post("/auth/token", data={"grant_type": "password", "username": "admin",
                                                    "password": ADMIN_PASSWORD})
    assert other.status_code == 200  # throttling is per account


async def test_refresh_tokens_rotate_and_a_reused_one_revokes_the_family(gateway):
    admin = await admin_token(gateway)
    await create_user(gateway, admin, "zhao.min", ["cs_planner"], ["D-TOK-3"])
    first = (await gateway.post("/auth/token", data={"grant_type": "password", "username": "zhao.min",
                                                     "password": "correct horse battery"})).json()
    second = await gateway.post("/auth/token", data={"grant_type": "refresh_token",
                                                     "refresh_token": first["refresh_token"]})
    assert second.status_code == 200, second.text
    second = second.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert (await verify_as_a_service(gateway, second["access_token"])).subject == "zhao.min"

    reused = await gateway.post("/auth/token", data={"grant_type": "refresh_token",
                                                     "refresh_token": first["refresh_token"]})
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    # The thief's replay ended the session: the legitimate newer token is dead too.
    after = await gateway.post("/auth/token", data={"grant_type": "refresh_token",
                                                    "refresh_token": second["refresh_token"]})
    assert after.status_code == 400


async def test_client_credentials_for_the_care_service_read_customers_and_pii_everywhere(gateway):
    response = await gateway.post("/auth/token", data={"grant_type": "client_credentials", "client_id": "crm-care",
                                                       "client_secret": "care-dev-secret"})
    assert response.status_code == 200, response.text
    assert "refresh_token" not in response.json()
    principal = await verify_as_a_service(gateway, response.json()["access_token"])
    assert principal.is_client and principal.all_dealers
    assert principal.permissions == {permissions.CUSTOMERS_READ, permissions.READ_PII}
    wrong = await gateway.post("/auth/token", data={"grant_type": "client_credentials", "client_id": "crm-care",
                                                    "client_secret": "guess"})
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"


async def test_partner_client_created_by_admin_gets_its_scope_and_dealers(gateway):
    admin = await admin_token(gateway)
    headers = {"Authorization": f"Bearer {admin}"}
    await gateway.post("/api/v1/admin/dealers", headers=headers, json={"id": "D-INS-1", "name": "Store"})
    created = await gateway.post("/api/v1/admin/clients", headers=headers, json={
        "client_id": "insurer-a", "name": "Insurer A", "scope": ["webhooks:manage"], "dealers": ["D-INS-1"],
        "event_types": ["crm.customer.registered.v1"]})
    assert created.status_code == 201, created.text
    token = await gateway.post("/auth/token", data={"grant_type": "client_credentials", "client_id": "insurer-a",
                                                    "client_secret": created.json()["client_secret"]})
    principal = await verify_as_a_service(gateway, token.json()["access_token"])
    assert principal.permissions == {"webhooks:manage"} and principal.dealers == {"D-INS-1"}


async def test_expired_forged_and_foreign_key_tokens_are_refused(gateway):
    admin = await admin_token(gateway)
    key = gateway.app.state.keyring.current
    now = int(time.time())
    claims = {"iss": "crm-gateway", "aud": "crm", "sub": "admin", "typ": "user", "roles": ["system_admin"],
              "scope": "admin", "dealers": ["*"]}
    expired = jwt.encode({**claims, "iat": now - 3600, "exp": now - 600}, key.private, algorithm="EdDSA",
                         headers={"kid": key.kid})
    foreign = jwt.encode({**claims, "iat": now, "exp": now + 600}, Ed25519PrivateKey.generate(),
                         algorithm="EdDSA", headers={"kid": key.kid})
    head, _, signature = admin.split(".")
    tampered_claims = jwt.utils.base64url_encode(
        jwt.api_jws.json.dumps({**jwt.decode(admin, options={"verify_signature": False}),
                                "dealers": ["D-OTHER"]}).encode()).decode()
    forged = f"{head}.{tampered_claims}.{signature}"
    unsigned = jwt.encode({**claims, "iat": now, "exp": now + 600}, key="", algorithm="none")
    for token, detail in ((expired, "expired"), (foreign, "not valid"), (forged, "not valid"),
                          (unsigned, "unknown key")):
        response = await gateway.get("/api/v1/admin/users", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, (detail, response.text)
        assert detail in response.json()["detail"]
    assert (await gateway.get("/api/v1/admin/users", headers={"Authorization": f"Bearer {admin}"})).status_code == 200


async def test_rotated_key_still_verifies_its_tokens_and_both_keys_are_published(gateway_settings):
    old = Ed25519PrivateKey.generate()
    async with running(create_app(gateway_settings(signing_key=pem(old)))) as before:
        old_token = await admin_token(before)
    old_public = SigningKey.from_pem(pem(old)).public_pem()
    async with running(create_app(gateway_settings(retired_public_keys=[old_public]))) as after:
        kids = [k["kid"] for k in (await after.get("/.well-known/jwks.json")).json()["keys"]]
        assert len(kids) == 2 and SigningKey.from_pem(pem(old)).kid in kids
        new_token = await admin_token(after)
        assert jwt.get_unverified_header(new_token)["kid"] == kids[0]
        for token in (old_token, new_token):
            listed = await after.get("/api/v1/admin/dealers", headers={"Authorization": f"Bearer {token}"})
            assert listed.status_code == 200
