"""A planner sees a wording filled in for a sample customer before saving it: the built-in text, the dealer's
saved one, or a draft; a draft naming a variable its purpose lacks is refused at the field that names it."""

DEALER = "DP-PREVIEW"
PREVIEW = "/api/v1/care/templates/preview"


async def test_the_built_in_greeting_is_filled_in_for_a_sample_customer(care, auth):
    shown = await care.post(PREVIEW, headers=auth(dealers=[DEALER]),
                            json={"purpose": "festival", "channel": "sms", "language": "zh-CN"})
    assert shown.status_code == 200, shown.text
    preview = shown.json()
    assert preview["source"] == "built_in" and preview["version"] == 0
    assert preview["body"] == "{{ name }}您好，{{ festival_name }}快乐！"
    assert preview["rendered_body"] == "王先生您好，春节快乐！"
    assert {"name", "festival_name"} <= set(preview["variables"])


async def test_a_draft_is_rendered_and_the_saved_wording_is_previewed_with_its_version(care, auth):
    manager = auth(dealers=[DEALER])
    draft = {"purpose": "birthday", "channel": "sms", "language": "zh-CN", "body": "亲爱的{{ name }}，生日快乐！"}
    shown = await care.post(PREVIEW, headers=manager, json=draft)
    assert shown.status_code == 200 and shown.json()["source"] == "draft"
    assert shown.json()["rendered_body"] == "亲爱的王先生，生日快乐！"

    saved = await care.put("/api/v1/care/templates", headers={**manager, "If-Match": '"0"'}, json=draft)
    assert saved.status_code == 200, saved.text
    in_use = (await care.post(PREVIEW, headers=manager, json={**draft, "body": None})).json()
    assert (in_use["source"], in_use["version"], in_use["body"]) == ("dealer", 1, draft["body"])


async def test_a_draft_naming_what_its_purpose_lacks_is_refused_at_that_field(care, auth):
    refused = await care.post(PREVIEW, headers=auth(dealers=[DEALER]), json={
        "purpose": "birthday", "channel": "email", "language": "en", "subject": "Hi {{ name }",
        "body": "Your car is due on {{ due_on }}"})
    assert refused.status_code == 422
    assert {e["pointer"] for e in refused.json()["errors"]} == {"/subject", "/body"}


async def test_another_dealers_wording_is_not_previewed(care, auth):
    refused = await care.post(PREVIEW, headers=auth(dealers=[DEALER]),
                              json={"dealer_id": "D-OTHER", "purpose": "birthday", "channel": "sms"})
    assert refused.status_code == 403
