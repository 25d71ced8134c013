"""The signed-in user's own account: /api/v1/me, changing one's password, temporary passwords, revocation."""

from .conftest import ADMIN_PASSWORD, admin_token
from .test_tokens import create_user

TEMPORARY = "correct horse battery"  # what create_user gives: chosen by the administrator


async def sign_in(client, username: str, password: str):
    return await client.post("/auth/token", data={"grant_type": "password", "username": username,
                                                  "password": password})


async def bearer(client, username: str, password: str) -> dict:
    response = await sign_in(client, username, password)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_me_names_the_user_roles_permissions_and_dealers_and_flags_a_temporary_password(gateway):
    admin = await admin_token(gateway)
    await create_user(gateway, admin, "chen.jing", ["cs_information_manager"], ["D-ME-1"])
    response = await gateway.get("/api/v1/me", headers=await bearer(gateway, "chen.jing", TEMPORARY))
    assert response.status_code == 200, response.text
    me = response.json()
    assert me["username"] == "chen.jing" and me["roles"] == ["cs_information_manager"]
    assert me["dealers"] == ["D-ME-1"] and me["dealer_names"] == {"D-ME-1": "D-ME-1"}
    assert "pii:read" in me["permissions"] and "admin" not in me["permissions"]
    assert me["must_change_password"] is True
    assert (await gateway.get("/api/v1/me")).status_code == 401


async def test_the_bootstrap_admin_has_chosen_its_password(gateway):
    me = (await gateway.get("/api/v1/me", headers=await bearer(gateway, "admin", ADMIN_PASSWORD))).json()
    assert me["dealers"] == ["*"] and me["must_change_password"] is False


async def test_changing_the_password_checks_the_current_one_and_the_policy_and_ends_the_flag(gateway):
    admin = await admin_token(gateway)
    await create_user(gateway, admin, "liu.yang", ["advisor"], ["D-ME-2"])
    headers = await bearer(gateway, "liu.yang", TEMPORARY)

    wrong = await gateway.post("/api/v1/me/password", headers=headers,
                               json={"current_password": "not it at all", "new_password": "Qingdao-2026-spring"})
    assert wrong.status_code == 422 and wrong.headers["content-type"] == "application/problem+json"
    assert [e["pointer"] for e in wrong.json()["errors"]] == ["/current_password"]

    for weak, reason in (("short1!", "at least 12"), ("liu.yang-password-1", "username"),
                         (TEMPORARY, "differ"), ("aaaaaaaaaaaaaaaa", "two kinds")):
        refused = await gateway.post("/api/v1/me/password", headers=headers,
                                     json={"current_password": TEMPORARY, "new_password": weak})
        assert refused.status_code == 422, weak
        errors = refused.json()["errors"]
        assert {e["pointer"] for e in errors} == {"/new_password"}
        assert any(reason in e["detail"] for e in errors), (weak, errors)
    # Nothing was changed by the refused attempts.
    assert (await sign_in(gateway, "liu.yang", TEMPORARY)).status_code == 200

    changed = await gateway.post("/api/v1/me/password", headers=headers,
                                 json={"current_password": TEMPORARY, "new_password": "Qingdao-2026-spring"})
    assert changed.status_code == 204, changed.text
    assert (await sign_in(gateway, "liu.yang", TEMPORARY)).status_code == 400
    me = (await gateway.get("/api/v1/me", headers=await bearer(gateway, "liu.yang", "Qingdao-2026-spring"))).json()
    assert me["must_change_password"] is False


async def test_an_administrators_reset_is_a_temporary_password_again(gateway):
    admin = await admin_token(gateway)
    user = await create_user(gateway, admin, "sun.li", ["cs_planner"], ["D-ME-3"])
    headers = await bearer(gateway, "sun.li", TEMPORARY)
    await gateway.post("/api/v1/me/password", headers=headers,
                       json={"current_password": TEMPORARY, "new_password": "Hangzhou-west-lake-9"})
    as_admin = {"Authorization": f"Bearer {admin}"}
    path = f"/api/v1/admin/users/{user['id']}"
    read = await gateway.get(path, headers=as_admin)
    assert read.headers["ETag"] == f'"{read.json()["version"]}"'
    unconditional = await gateway.patch(path, headers=as_admin, json={"password": "reset by the admin 1"})
    assert unconditional.status_code == 428
    reset = await gateway.patch(path, headers={**as_admin, "If-Match": read.headers["ETag"]},
                                json={"password": "reset by the admin 1"})
    assert reset.status_code == 200 and reset.json()["must_change_password"] is True
    stale = await gateway.patch(path, headers={**as_admin, "If-Match": read.headers["ETag"]},
                                json={"display_name": "孙丽"})
    assert stale.status_code == 412 and stale.json()["current_etag"] == reset.headers["ETag"] != read.headers["ETag"]
    assert (await gateway.get(path, headers=as_admin)).json()["display_name"] != "孙丽"
    me = (await gateway.get("/api/v1/me", headers=await bearer(gateway, "sun.li", "reset by the admin 1"))).json()
    assert me["must_change_password"] is True


async def test_demo_logins_must_change_their_well_known_password(gateway_settings):
    from crm_devstack.pytest_plugin import running
    from crm_gateway.main import create_app

    async with running(create_app(gateway_settings(demo_dealer="D-DEMO-ME"))) as client:
        headers = await bearer(client, "demo.cr-activity-owner", "demo-password")
        me = (await client.get("/api/v1/me", headers=headers)).json()
        assert me["must_change_password"] is True and me["dealers"] == ["D-DEMO-ME"]
        assert me["dealer_names"]["D-DEMO-ME"]


async def test_revoking_a_refresh_token_ends_its_sign_in_and_unknown_tokens_answer_200(gateway):
    admin = await admin_token(gateway)
    await create_user(gateway, admin, "zhou.xin", ["advisor"], ["D-ME-4"])
    first = (await sign_in(gateway, "zhou.xin", TEMPORARY)).json()
    rotated = (await gateway.post("/auth/token", data={"grant_type": "refresh_token",
                                                       "refresh_token": first["refresh_token"]})).json()
    other_sign_in = (await sign_in(gateway, "zhou.xin", TEMPORARY)).json()

    revoked = await gateway.post("/auth/revoke", data={"token": first["refresh_token"],
                                                       "token_type_hint": "refresh_token"})
    assert revoked.status_code == 200
    # The whole sign-in ends, including the token rotated from the revoked one; another sign-in lives on.
    after = await gateway.post("/auth/token", data={"grant_type": "refresh_token",
                                                    "refresh_token": rotated["refresh_token"]})
    assert after.status_code == 400 and after.json()["error"] == "invalid_grant"
    still = await gateway.post("/auth/token", data={"grant_type": "refresh_token",
                                                    "refresh_token": other_sign_in["refresh_token"]})
    assert still.status_code == 200
    assert (await gateway.post("/auth/revoke", data={"token": "never issued"})).status_code == 200
    missing = await gateway.post("/auth/revoke", data={})
    assert missing.status_code == 422 and missing.json()["errors"][0]["pointer"] == "/token"


async def test_guessing_the_current_password_is_throttled_like_signing_in(gateway):
    admin = await admin_token(gateway)
    await create_user(gateway, admin, "he.jun", ["advisor"], ["D-ME-5"])
    headers = await bearer(gateway, "he.jun", TEMPORARY)
    for attempt in range(5):
        wrong = await gateway.post("/api/v1/me/password", headers=headers, json={
            "current_password": f"guess number {attempt}", "new_password": "Xian-2026-spring"})
        assert wrong.status_code == 422
    blocked = await gateway.post("/api/v1/me/password", headers=headers,
                                 json={"current_password": TEMPORARY, "new_password": "Xian-2026-spring"})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
    assert (await sign_in(gateway, "he.jun", TEMPORARY)).status_code == 429  # the account, not just this route
