"""/api/v1/dealers: a network user names every dealer, a dealer's staff only their own, page by page."""

from .conftest import admin_token
from .test_me import bearer
from .test_tokens import create_user


async def _all_pages(client, headers: dict, limit: int) -> list[dict]:
    items, cursor = [], None
    while True:
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/api/v1/dealers", headers=headers, params=params)
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return items


async def test_a_carmaker_analyst_sees_every_dealer_with_its_name_page_by_page(gateway):
    admin = await admin_token(gateway)
    await gateway.post("/api/v1/admin/dealers", headers={"Authorization": f"Bearer {admin}"},
                       json={"id": "D-LIST-1", "name": "青岛丰田4S店"})
    await create_user(gateway, admin, "staff.list2", ["cs_planner"], ["D-LIST-2"])
    await create_user(gateway, admin, "oem.analyst", ["carmaker_analyst"], ["*"])

    seen = await _all_pages(gateway, await bearer(gateway, "oem.analyst", "correct horse battery"), limit=1)
    names = {d["id"]: d["name"] for d in seen}
    assert names["D-LIST-1"] == "青岛丰田4S店" and "D-LIST-2" in names
    assert [d["id"] for d in seen] == sorted(names)  # each dealer once, in id order across the pages


async def test_a_dealers_staff_see_only_their_own_and_strangers_nothing(gateway):
    admin = await admin_token(gateway)
    await create_user(gateway, admin, "staff.list3", ["advisor"], ["D-LIST-3"])
    await create_user(gateway, admin, "staff.list4", ["advisor"], ["D-LIST-4"])

    own = await gateway.get("/api/v1/dealers", headers=await bearer(gateway, "staff.list3", "correct horse battery"))
    assert own.status_code == 200 and [d["id"] for d in own.json()["items"]] == ["D-LIST-3"]
    assert (await gateway.get("/api/v1/dealers")).status_code == 401
    forged = await gateway.get("/api/v1/dealers", params={"cursor": "not-a-cursor"},
                               headers={"Authorization": f"Bearer {admin}"})
    assert forged.status_code == 400 and forged.headers["content-type"] == "application/problem+json"
