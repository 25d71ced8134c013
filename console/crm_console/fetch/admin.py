"""What the administration screen reads from and writes to the gateway's user administration."""

from crm_console.fetch import Section, section
from crm_console.gateway import Gateway
from crm_console.session import Viewer

USERS_PAGE = 200


async def users(gateway: Gateway, viewer: Viewer) -> Section:
    """The gateway answers a dealer administrator with its own dealers' users only."""
    return await section(gateway.get("/api/v1/admin/users", viewer.token, limit=USERS_PAGE), empty={"items": []})


async def create_user(gateway: Gateway, viewer: Viewer, username: str, display_name: str, role: str,
                      password: str) -> dict:
    return await gateway.post("/api/v1/admin/users", viewer.token, {
        "username": username, "display_name": display_name or None, "roles": [role],
        "dealers": [viewer.dealer], "password": password})
