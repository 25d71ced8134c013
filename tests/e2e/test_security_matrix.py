"""Permission x role x own/other dealer, across every route of every service, through the real stack.

Routes are not listed here: they are read from the live OpenAPI documents, so the matrix grows as the
services add routes. What each route needs is read from the route itself: a token without permissions
must be refused with 403 naming them. Then, for every role (from the gateway's own role table) at an own
and at another dealer: a role lacking the permission gets 403; a role holding it gets through at its own
dealer; and another dealer's record is never readable or writable (404 or refused, never 2xx), nor does
it appear in any list.
"""

import re
import uuid

import httpx
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

OWN, OTHER = "D-SEC-OWN", "D-SEC-OTHER"
PASSWORD = "matrix password 1"
METHODS = ("get", "post", "put", "patch", "delete")
NEEDS = re.compile(r"needs the permission\(s\): (.+?)\.?$")


async def login(client: httpx.AsyncClient, **form) -> str:
    response = await client.post("/auth/token", data=form)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
async def world(stack):
    """Two dealers, one user per role at each, a permission-less client, and records at the own dealer."""
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=30) as client:
        admin = bearer(await login(client, grant_type="password", username="admin", password=stack.admin_password))
        roles = {r["role"]: set(r["permissions"]) for r in (await client.get("/api/v1/admin/roles",
                                                                             headers=admin)).json()}
        for dealer in (OWN, OTHER):
            created = await client.post("/api/v1/admin/dealers", headers=admin, json={"id": dealer, "name": dealer})
            assert created.status_code in (201, 409), created.text
        tokens: dict[tuple[str, str], dict] = {}
        for role in roles:
            for dealer in (OWN, OTHER):
                username = f"sec.{role.replace('_', '-')}.{dealer[6:].lower()}"
                created = await client.post("/api/v1/admin/users", headers=admin, json={
                    "username": username, "password": PASSWORD, "roles": [role], "dealers": [dealer]})
                assert created.status_code in (201, 409), created.text
                tokens[role, dealer] = bearer(await login(client, grant_type="password", username=username,
                                                          password=PASSWORD))
        client_id = f"sec-nothing-{uuid.uuid4().hex[:6]}"
        nothing = await client.post("/api/v1/admin/clients", headers=admin, json={
            "client_id": client_id, "name": "No permissions", "scope": [], "dealers": [OWN]})
        assert nothing.status_code == 201, nothing.text
        powerless = bearer(await login(client, grant_type="client_credentials", client_id=client_id,
                                       client_secret=nothing.json()["client_secret"]))
        customer = await client.post("/api/v1/customers", headers=admin, json={
            "name": "矩阵测试", "mobile": f"139{uuid.uuid4().int % 10**8:08d}", "dealer_id": OWN})
        assert customer.status_code == 201, customer.text
        document = (await client.get("/openapi.json")).json()
    return {"admin": admin, "roles": roles, "tokens": tokens, "powerless": powerless, "document": document,
            "customer": customer.json()}


# A signed-in person's own account: no permission guards it, only being a staff user (a partner's client
# token has no account), so it stands outside the permission matrix and is checked on its own.
OWN_ACCOUNT = ("/api/v1/me", "/api/v1/me/password", "/api/v1/dealers", "/api/v1/care/notifications",
               "/api/v1/care/notifications/unread-count", "/api/v1/care/notifications/settings",
               "/api/v1/care/notifications/read-all", "/api/v1/care/notifications/{notification_id}/read")


def operations(document: dict) -> list[tuple[str, str]]:
    found = [(method, path) for path, item in document["paths"].items()
             if path.startswith("/api/v1/") and path not in OWN_ACCOUNT
             for method in METHODS if method in item]
    assert len(found) >= 10, found
    return found


def items_of(response: httpx.Response) -> list[dict]:
    """The records of a JSON list answer: a page (`items`) or a plain array; a stream (an export) has none."""
    if not response.headers.get("content-type", "").startswith("application/json"):
        return []
    answer = response.json()
    items = answer.get("items", []) if isinstance(answer, dict) else answer
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def belongs_to(item: dict, dealer: str) -> bool:
    return item.get("dealer_id") == dealer or item.get("dealers") == [dealer]


async def own_record_ids(client: httpx.AsyncClient, world: dict, paths: set[str]) -> dict[str, str]:
    """For each collection, the id of one record of the own dealer, found by listing it as the admin."""
    ids = {"/api/v1/customers": world["customer"]["id"]}
    for path in paths:
        if "{" in path or path in ids:
            continue
        listed = await client.get(path, headers=world["admin"], params={"limit": 200})
        if listed.status_code == 200:
            mine = [item for item in items_of(listed) if belongs_to(item, OWN) and "id" in item]
            if mine:
                ids[path] = str(mine[0]["id"])
    return ids


def fill(path: str, ids: dict[str, str], real: bool) -> tuple[str, bool]:
    """The path with its parameters filled: a dealer parameter names the own dealer; the first other one the own
    dealer's record where one is known (if `real`); the rest ids that do not exist. Also: does it target the own
    dealer's data?"""
    path, dealers = re.subn(r"\{dealer_id\}", OWN, path)
    collection, _, _ = path.partition("/{")
    first = ids.get(collection) if real else None
    filled, count = re.subn(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)
    if first is not None and count:
        filled = re.sub(r"\{[^}]+\}", first, path, count=1)
        filled = re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), filled)
    return filled, dealers > 0 or (first is not None and count > 0)


async def call(client: httpx.AsyncClient, method: str, path: str, headers: dict) -> httpx.Response:
    body = {"dealer_id": OWN} if method in ("post", "put", "patch") else None
    return await client.request(method.upper(), path, headers=headers, json=body,
                                params={"dealer_id": OWN} if method == "get" else None)


async def test_every_route_needs_a_token_and_names_the_permission_it_needs(stack, world):
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=30) as client:
        for method, path in operations(world["document"]):
            target, _ = fill(path, {}, real=False)
            anonymous = await call(client, method, target, {})
            assert anonymous.status_code == 401, (method, path, anonymous.status_code, anonymous.text)
            refused = await call(client, method, target, world["powerless"])
            assert refused.status_code == 403, (method, path, refused.status_code, refused.text)
            assert NEEDS.search(refused.json()["detail"]), (method, path, refused.text)
        change = {"current_password": "an-old-password-1", "new_password": "a-new-password-22"}
        own = [("GET", "/api/v1/me", None), ("POST", "/api/v1/me/password", change),
               ("GET", "/api/v1/care/notifications", None), ("GET", "/api/v1/care/notifications/unread-count", None),
               ("GET", "/api/v1/care/notifications/settings", None),
               ("PUT", "/api/v1/care/notifications/settings", {"dealer_id": OWN, "channel": "none"}),
               ("POST", "/api/v1/care/notifications/read-all", None),
               ("POST", f"/api/v1/care/notifications/{uuid.uuid4()}/read", None)]
        # Which dealers a token may see is no secret to its holder, a partner's client included: its own only.
        assert (await client.get("/api/v1/dealers")).status_code == 401
        theirs = (await client.get("/api/v1/dealers", headers=world["powerless"])).json()["items"]
        assert [dealer["id"] for dealer in theirs] == [OWN]
        for method, path, body in own:
            assert (await client.request(method, path, json=body)).status_code == 401, path
            refused = await client.request(method, path, json=body, headers=world["powerless"])
            assert refused.status_code == 403, (path, refused.text)


async def test_roles_get_exactly_what_their_permissions_allow_and_never_another_dealers_data(stack, world):
    breaches = []
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=30) as client:
        found = operations(world["document"])
        ids = await own_record_ids(client, world, {path for method, path in found if method == "get"})
        required = {}
        for method, path in found:
            refused = await call(client, method, fill(path, {}, real=False)[0], world["powerless"])
            required[method, path] = set(NEEDS.search(refused.json()["detail"]).group(1).split(", "))
        # Reads and writes of the own dealer's records by the other dealer first, then everything else.
        for (role, dealer), headers in world["tokens"].items():
            granted = world["roles"][role]
            for method, path in found:
                allowed = required[method, path] <= granted
                if dealer == OTHER:
                    target, targets_own_record = fill(path, ids, real=True)
                    response = await call(client, method, target, headers)
                    if not allowed and response.status_code != 403:
                        breaches.append((role, dealer, method, target, response.status_code, "expected 403"))
                    elif targets_own_record and response.is_success:
                        breaches.append((role, dealer, method, target, response.status_code, "other dealer's record"))
                    elif (method == "get" and response.is_success and "{" not in path
                          and any(belongs_to(item, OWN) for item in items_of(response))):
                        breaches.append((role, dealer, method, target, response.status_code, "listed"))
        for (role, dealer), headers in world["tokens"].items():
            if dealer != OWN:
                continue
            granted = world["roles"][role]
            for method, path in found:
                allowed = required[method, path] <= granted
                # Own records are read for real; writes go to ids that do not exist, so the data stays put.
                target, _ = fill(path, ids, real=method == "get")
                response = await call(client, method, target, headers)
                if allowed and response.status_code in (401, 403):
                    breaches.append((role, dealer, method, target, response.status_code, "own dealer refused"))
                if not allowed and response.status_code != 403:
                    breaches.append((role, dealer, method, target, response.status_code, "expected 403"))
                if response.status_code >= 500:
                    breaches.append((role, dealer, method, target, response.status_code, "server error"))
        still = await client.get(f"/api/v1/customers/{world['customer']['id']}", headers=world["admin"])
    assert breaches == [], "\n".join(map(str, breaches))
    assert still.status_code == 200 and still.json()["name"] == world["customer"]["name"]


async def test_another_dealers_user_cannot_create_records_at_this_dealer(stack, world):
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=30) as client:
        for role in world["roles"]:
            response = await client.post("/api/v1/customers", headers=world["tokens"][role, OTHER], json={
                "name": "越权", "mobile": f"137{uuid.uuid4().int % 10**8:08d}", "dealer_id": OWN})
            assert not response.is_success, (role, response.text)


async def test_a_service_called_directly_refuses_a_missing_or_foreign_token(stack, world):
    import jwt
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    forged = jwt.encode({"iss": "crm-gateway", "aud": "crm", "sub": "admin", "iat": 0, "exp": 4102444800,
                         "scope": " ".join(sorted(set().union(*world["roles"].values()))), "dealers": ["*"]},
                        Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": "forged"})
    async with httpx.AsyncClient(timeout=30) as client:
        for service in ("customer", "segmentation", "survey", "care"):
            document = (await client.get(stack.url(service) + "/openapi.json")).json()
            for path, item in document["paths"].items():
                if not path.startswith("/api/v1/"):
                    continue
                for method in (m for m in METHODS if m in item):
                    target = stack.url(service) + fill(path, {}, real=False)[0]
                    for headers in ({}, bearer(forged)):
                        response = await call(client, method, target, headers)
                        assert response.status_code == 401, (service, method, path, response.text)
