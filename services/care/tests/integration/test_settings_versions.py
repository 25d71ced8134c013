"""A dealer's plans, contact policy and wordings are changed with the ETag last read: two managers editing
at once cannot overwrite each other unseen."""

import pytest

PLAN = "/api/v1/care/plans/insurance_renewal"
POLICY = "/api/v1/care/contact-policy/{dealer}"
WORDING = {"purpose": "birthday", "channel": "sms", "language": "zh-CN", "body": "{{ name }}，生日快乐！"}


@pytest.mark.parametrize("path, body", [
    (PLAN, {"params": {"days_before": [45, 7]}}),
    (POLICY, {"quiet_start": "22:00", "quiet_end": "08:00", "cap": 3, "cap_days": 7}),
])
async def test_a_change_needs_the_etag_and_a_stale_one_is_refused_with_the_current(care, auth, path, body):
    dealer = f"DV-{len(path)}"
    manager, path = auth(dealers=[dealer]), path.format(dealer=dealer)
    defaults = await care.get(path, headers=manager)
    assert defaults.headers["ETag"] == '"0"'  # the defaults, never saved

    missing = await care.put(path, headers=manager, json=body)
    assert missing.status_code == 428 and missing.headers["content-type"] == "application/problem+json"

    first = await care.put(path, headers={**manager, "If-Match": defaults.headers["ETag"]}, json=body)
    assert first.status_code == 200, first.text
    assert first.headers["ETag"] == '"1"' == (await care.get(path, headers=manager)).headers["ETag"]

    stale = await care.put(path, headers={**manager, "If-Match": defaults.headers["ETag"]}, json=body)
    assert stale.status_code == 412 and stale.json()["current_etag"] == '"1"'

    again = await care.put(path, headers={**manager, "If-Match": first.headers["ETag"]}, json=body)
    assert again.status_code == 200 and again.headers["ETag"] == '"2"'


async def test_a_wording_is_put_with_its_listed_version_and_a_new_one_with_0(care, auth):
    manager = auth(dealers=["DW"])
    assert (await care.put("/api/v1/care/templates", headers=manager, json=WORDING)).status_code == 428
    created = await care.put("/api/v1/care/templates", headers={**manager, "If-Match": '"0"'}, json=WORDING)
    assert created.status_code == 200 and created.json()["version"] == 1, created.text
    listed = (await care.get("/api/v1/care/templates", headers=manager)).json()["items"]
    assert [(w["purpose"], w["version"]) for w in listed] == [("birthday", 1)]

    stale = await care.put("/api/v1/care/templates", headers={**manager, "If-Match": '"0"'},
                           json={**WORDING, "body": "另一位经理的措辞"})
    assert stale.status_code == 412 and stale.json()["current_etag"] == '"1"'
    changed = await care.put("/api/v1/care/templates", headers={**manager, "If-Match": '"1"'},
                             json={**WORDING, "body": "{{ name }}，祝您生日快乐！"})
    assert changed.status_code == 200 and changed.headers["ETag"] == '"2"'
    listed = (await care.get("/api/v1/care/templates", headers=manager)).json()["items"]
    assert [w["body"] for w in listed] == ["{{ name }}，祝您生日快乐！"]
