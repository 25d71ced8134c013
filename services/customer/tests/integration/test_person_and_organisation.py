"""Marital status and children of a person; the contacts of an organisation, masked like a mobile."""

from .conftest import person

FLEET = {"kind": "organisation", "name": "顺达物流有限公司", "mobile": "13800138000", "dealer_id": "D1",
         "credit_code": "91350100M000100Y43"}
CONTACTS = [{"name": "赵强", "role": "车队经理", "mobile": "139 0013 9000"}, {"name": "钱伟"}]


async def test_a_persons_family_is_kept_and_refused_for_an_organisation(client, auth):
    created = await client.post("/api/v1/customers", headers=auth(), json=person(marital_status="married",
                                                                                 children=2))
    assert created.status_code == 201, created.text
    assert (created.json()["marital_status"], created.json()["children"]) == ("married", 2)
    changed = await client.patch(f"/api/v1/customers/{created.json()['id']}",
                                 headers={**auth(), "If-Match": '"1"'}, json={"children": 3})
    assert changed.json()["children"] == 3
    refused = await client.post("/api/v1/customers", headers=auth(), json={
        **FLEET, "marital_status": "single", "children": -1})
    assert refused.status_code == 422 and [e["pointer"] for e in refused.json()["errors"]] == ["/children"]
    refused = await client.post("/api/v1/customers", headers=auth(), json={**FLEET, "marital_status": "single"})
    assert refused.status_code == 422 and [e["pointer"] for e in refused.json()["errors"]] == ["/marital_status"]


async def test_an_organisations_contacts_are_masked_unless_permitted_and_erased(client, auth, events):
    created = await client.post("/api/v1/customers", headers=auth(pii=True), json={**FLEET, "contacts": CONTACTS})
    assert created.status_code == 201, created.text
    assert created.json()["contacts"] == [{"name": "赵强", "role": "车队经理", "mobile": "+8613900139000"},
                                          {"name": "钱伟", "role": None, "mobile": None}]
    masked = (await client.get(f"/api/v1/customers/{created.json()['id']}", headers=auth())).json()
    assert masked["contacts"] == [{"name": "赵*", "role": "车队经理", "mobile": "139****9000"},
                                  {"name": "钱*", "role": None, "mobile": None}]
    bad = await client.post("/api/v1/customers", headers=auth(), json={
        **FLEET, "mobile": "13700137000", "contacts": [{"name": "孙", "mobile": "123"}, {"name": "李", "x": 1}]})
    assert bad.status_code == 422 and [e["pointer"] for e in bad.json()["errors"]] == ["/contacts/1/x"]
    bad = await client.post("/api/v1/customers", headers=auth(), json={
        **FLEET, "mobile": "13700137000", "contacts": [{"name": "孙", "mobile": "123"}]})
    assert bad.status_code == 422 and [e["pointer"] for e in bad.json()["errors"]] == ["/contacts/0/mobile"]
    on_a_person = await client.post("/api/v1/customers", headers=auth(), json=person(
        mobile="13700137000", contacts=CONTACTS))
    assert on_a_person.status_code == 422 and on_a_person.json()["errors"][0]["pointer"] == "/contacts"

    erased = await client.post(f"/api/v1/customers/{created.json()['id']}/erase", headers=auth())
    assert erased.status_code == 200 and erased.json()["contacts"] == []
    published = await events(created.json()["id"], count=2)
    assert "13900139000" not in "".join(e.to_json().decode() for e in published)
