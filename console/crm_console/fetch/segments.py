"""What the segment screens read from and write to segmentation (through the gateway)."""

from crm_console.fetch import Section, section
from crm_console.gateway import Gateway
from crm_console.session import Viewer

LIST_PAGE = 100
MEMBERS_PAGE = 50


async def segments(gateway: Gateway, viewer: Viewer) -> Section:
    return await section(gateway.get("/api/v1/segments", viewer.token, dealer_id=viewer.dealer, limit=LIST_PAGE),
                         empty={"items": []})


async def preview(gateway: Gateway, viewer: Viewer, tree: dict) -> Section:
    """The live count: a preview that fails shows 暂不可用 beside the count, never a broken form."""
    return await section(gateway.post("/api/v1/segments/preview", viewer.token,
                                      {"dealer_id": viewer.dealer, "filter": tree}))


async def create(gateway: Gateway, viewer: Viewer, name: str, description: str | None, tree: dict) -> dict:
    return await gateway.post("/api/v1/segments", viewer.token,
                              {"dealer_id": viewer.dealer, "name": name, "description": description,
                               "kind": "dynamic", "filter": tree})


async def segment(gateway: Gateway, viewer: Viewer, segment_id: str) -> dict:
    return await gateway.get(f"/api/v1/segments/{segment_id}", viewer.token)


async def tagged_segment(gateway: Gateway, viewer: Viewer, segment_id: str) -> tuple[dict, str]:
    """The segment with the ETag an edit sends back as If-Match."""
    shown, etag = await gateway.get_tagged(f"/api/v1/segments/{segment_id}", viewer.token)
    return shown, etag or f'"{shown["version"]}"'


async def update(gateway: Gateway, viewer: Viewer, segment_id: str, etag: str, name: str, description: str | None,
                 tree: dict) -> dict:
    """Refused with 412 when a colleague saved the segment after `etag` was read."""
    return await gateway.put(f"/api/v1/segments/{segment_id}", viewer.token,
                             {"name": name, "description": description, "filter": tree}, etag)


async def members(gateway: Gateway, viewer: Viewer, segment_id: str, cursor: str | None) -> dict:
    return await gateway.get(f"/api/v1/segments/{segment_id}/members", viewer.token, limit=MEMBERS_PAGE,
                             cursor=cursor)


async def delete(gateway: Gateway, viewer: Viewer, segment_id: str) -> None:
    # The shared client has get/post only; a DELETE goes through its one sender so failures map the same way.
    await gateway._send("DELETE", f"/api/v1/segments/{segment_id}", viewer.token)
