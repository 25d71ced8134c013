"""Versioned templates: a published version never changes, a dealer's chosen template is the one sent."""

import copy

import pytest

from crm_survey.domain.defaults import CSI, shipped_template_id

from .conftest import csi_at_once, invitations_of

pytestmark = pytest.mark.timeout(180)


def short_csi(threshold=4):
    definition = copy.deepcopy(CSI)
    definition["questions"] = [q for q in definition["questions"] if q["id"] not in ("comment",)]
    definition["hot_alert_threshold"] = threshold
    return definition


async def test_publish_then_change_makes_a_new_version_and_the_dealer_sends_its_own(client, auth, upstream):
    headers = auth()
    shipped = (await client.get("/api/v1/surveys/templates", headers=headers, params={"kind": "csi"})).json()
    assert [(t["template_id"], t["status"]) for t in shipped] == [(str(shipped_template_id("csi")), "published")]

    created = await client.post("/api/v1/surveys/templates", headers=headers,
                                json={"name": "D1 CSI", "dealer_id": "D1", "definition": short_csi()})
    assert created.status_code == 201, created.text
    template = created.json()
    assert (template["version"], template["status"]) == (1, "draft")
    path = f"/api/v1/surveys/templates/{template['template_id']}"
    unconditional = await client.put(path, headers=headers, json={"definition": short_csi(3)})
    assert unconditional.status_code == 428
    edited = await client.put(path, headers={**headers, "If-Match": created.headers["ETag"]},
                              json={"definition": short_csi(3)})
    assert (edited.json()["version"], edited.json()["definition"]["hot_alert_threshold"]) == (1, 3)
    published = await client.post(f"{path}/versions/1/publish", headers=headers)
    assert published.json()["status"] == "published"

    # an editor who read the draft before it was published would overwrite what was published
    stale = await client.put(path, headers={**headers, "If-Match": edited.headers["ETag"]},
                             json={"definition": short_csi(4)})
    assert stale.status_code == 412 and stale.json()["current_etag"] == published.headers["ETag"]
    current = await client.get(path, headers=headers)
    assert current.headers["ETag"] == published.headers["ETag"] and current.json()["status"] == "published"
    changed = await client.put(path, headers={**headers, "If-Match": current.headers["ETag"]},
                               json={"definition": short_csi(5)})
    assert (changed.json()["version"], changed.json()["status"]) == (2, "draft")
    first = (await client.get(f"{path}/versions/1", headers=headers)).json()
    assert first["definition"]["hot_alert_threshold"] == 3 and first["status"] == "published"

    settings = await csi_at_once(client, headers, csi_template_id=template["template_id"])
    assert settings["csi_template_id"] == template["template_id"]
    customer = await upstream.customer()
    await upstream.visit(customer)
    [invitation] = await invitations_of(client, headers, customer, status="sent")
    assert (invitation["template_id"], invitation["template_version"]) == (template["template_id"], 1)
    questions = (await client.get(invitation["link_path"])).json()["questions"]
    assert "comment" not in [q["id"] for q in questions]


async def test_bad_templates_and_other_dealers_are_refused(client, auth):
    headers = auth()
    broken = short_csi()
    broken["factors"][0]["weight"] = 0.5
    broken["questions"][0]["factor"] = "nowhere"
    refused = await client.post("/api/v1/surveys/templates", headers=headers,
                                json={"name": "bad", "dealer_id": "D1", "definition": broken})
    assert refused.status_code == 422
    assert {e["pointer"] for e in refused.json()["errors"]} == {"/definition/factors", "/definition/questions/0/factor"}
    network = await client.post("/api/v1/surveys/templates", headers=headers,
                                json={"name": "network", "definition": short_csi()})
    assert [e["pointer"] for e in network.json()["errors"]] == ["/dealer_id"]
    shipped = f"/api/v1/surveys/templates/{shipped_template_id('csi')}"
    assert (await client.put(shipped, headers=headers, json={"definition": short_csi()})).status_code == 403
    created = (await client.post("/api/v1/surveys/templates", headers=auth(dealers=["D2"]),
                                 json={"name": "D2 CSI", "dealer_id": "D2", "definition": short_csi()})).json()
    assert (await client.get(f"/api/v1/surveys/templates/{created['template_id']}/versions/1",
                             headers=headers)).status_code == 404
    bad_choice = await client.put("/api/v1/surveys/settings/D1", headers=headers,
                                  json={"csi_template_id": created["template_id"], "expiry_days": 0})
    assert {e["pointer"] for e in bad_choice.json()["errors"]} == {"/expiry_days"}
    bad_choice = await client.put("/api/v1/surveys/settings/D1", headers=headers,
                                  json={"csi_template_id": created["template_id"]})
    assert [e["pointer"] for e in bad_choice.json()["errors"]] == ["/csi_template_id"]
