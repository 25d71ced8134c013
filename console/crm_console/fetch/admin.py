"""What the administration screens read from and write to the gateway's user, role and API-client administration."""

from typing import Any

from crm_console.fetch import Section, section
from crm_console.gateway import Gateway
from crm_console.session import Viewer

USERS_PAGE = 50
CLIENTS_PAGE = 50
USERS = "/api/v1/admin/users"


async def users(gateway: Gateway, viewer: Viewer, cursor: str | None = None) -> Section:
    """The gateway answers a dealer administrator with its own dealers' users only."""
    return await section(gateway.get(USERS, viewer.token, limit=USERS_PAGE, cursor=cursor),
                         empty={"items": [], "next_cursor": None})


async def create_user(gateway: Gateway, viewer: Viewer, username: str, display_name: str, role: str,
                      password: str) -> dict:
    return await gateway.post(USERS, viewer.token, {
        "username": username, "display_name": display_name or None, "roles": [role],
        "dealers": [viewer.dealer], "password": password})


async def user(gateway: Gateway, viewer: Viewer, user_id: str) -> tuple[dict, str | None]:
    """The user and the ETag to change them with (None while the gateway gives none)."""
    response = await gateway.exchange("GET", f"{USERS}/{user_id}", viewer.token)
    return response.json(), response.headers.get("ETag")


async def change_user(gateway: Gateway, viewer: Viewer, user_id: str, change: dict[str, Any],
                      etag: str | None) -> dict:
    """A 412 (someone changed the user since `etag` was read) comes back as Refused for the screen to explain."""
    headers = {"If-Match": etag} if etag else None
    return (await gateway.exchange("PATCH", f"{USERS}/{user_id}", viewer.token, change, headers)).json()


async def roles(gateway: Gateway, viewer: Viewer) -> Section:
    return await section(gateway.get("/api/v1/admin/roles", viewer.token), empty=[])


async def clients(gateway: Gateway, viewer: Viewer, cursor: str | None = None) -> Section:
    """Partners' API clients that reach the viewer's dealers."""
    return await section(gateway.get("/api/v1/admin/clients", viewer.token, limit=CLIENTS_PAGE, cursor=cursor),
                         empty={"items": [], "next_cursor": None})


async def create_client(gateway: Gateway, viewer: Viewer, client: dict[str, Any]) -> dict:
    return await gateway.post("/api/v1/admin/clients", viewer.token, client)


CLIENTS = "/api/v1/admin/clients"


async def client(gateway: Gateway, viewer: Viewer, client_id: str) -> tuple[dict, str | None]:
    """The client and the ETag to disable or enable it with."""
    response = await gateway.exchange("GET", f"{CLIENTS}/{client_id}", viewer.token)
    return response.json(), response.headers.get("ETag")


async def set_client_active(gateway: Gateway, viewer: Viewer, client_id: str, active: bool, etag: str | None
                            ) -> dict:
    """Disabled: its next token request is refused; a token it holds lives out its short life (an hour)."""
    headers = {"If-Match": etag} if etag else None
    return (await gateway.exchange("PATCH", f"{CLIENTS}/{client_id}", viewer.token, {"active": active},
                                   headers)).json()


async def rotate_client_secret(gateway: Gateway, viewer: Viewer, client_id: str) -> dict:
    """The answer holds the new secret, shown once; the old one is refused from now on."""
    return await gateway.post(f"{CLIENTS}/{client_id}/secret", viewer.token, {})
