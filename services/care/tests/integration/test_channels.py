"""Messages through the real channels, with contact details from the real customer service, and the
contact policy (consent, quiet hours, frequency cap) each holding one back."""

import base64
import hashlib
import hmac
import random
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from crm_care.main import create_app
from crm_contracts import permissions
from crm_contracts.events.customer import ConsentChanged, VehicleRegistered
from crm_contracts.events.survey import SurveyInvitationCreated
from crm_customer.main import create_app as create_customer_app
from crm_customer.settings import CustomerSettings
from crm_devstack.pytest_plugin import eventually, running

from .conftest import edited, free_port, now, serving

pytestmark = pytest.mark.timeout(240)


def aliyun_signature_is_valid(params: dict[str, str], secret: str) -> bool:
    """Written from the provider's documentation, independently of crm_care.domain.signing."""
    def encode(text: str) -> str:
        return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.~") else
                       "".join(f"%{byte:02X}" for byte in ch.encode()) for ch in text)

    unsigned = {k: v for k, v in params.items() if k != "Signature"}
    query = "&".join(f"{encode(k)}={encode(unsigned[k])}" for k in sorted(unsigned))
    to_sign = "POST&" + encode("/") + "&" + encode(query)
    expected = base64.b64encode(hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()).decode()
    return hmac.compare_digest(expected, params["Signature"])


def mobile() -> str:
    return "139" + "".join(random.choices("0123456789", k=8))


@pytest.fixture
async def customer_service(settings_for, postgres):
    settings = settings_for(CustomerSettings, database_url=postgres.url(f"test_customer_{uuid.uuid4().hex[:12]}"))
    async with serving(create_customer_app(settings), free_port()) as url:
        yield url


async def test_email_and_signed_sms_arrive_and_the_policy_holds_back_the_rest(
        care_settings, customer_service, sinks, mint, auth, publish):
    settings = care_settings(customer_url=customer_service, smtp_url=sinks["smtp_url"],
                             sms_url=sinks["http"] + "/sms/", wechat_url=sinks["http"] + "/wechat",
                             customer_api_token=mint(scope=[permissions.CUSTOMERS_READ, permissions.READ_PII],
                                                     dealers=["*"], kind="client"))
    writer = {"Authorization": "Bearer " + mint(scope=[permissions.CUSTOMERS_WRITE, permissions.CUSTOMERS_READ],
                                                dealers=["D1", "DQ"])}
    async with httpx.AsyncClient(base_url=customer_service, headers=writer, timeout=20) as customers:
        async def register(dealer: str, **contact) -> tuple[uuid.UUID, str]:
            number = mobile()
            created = await customers.post("/api/v1/customers", json={
                "kind": "person", "name": contact.pop("name", "王伟"), "mobile": number, "dealer_id": dealer,
                **contact})
            assert created.status_code == 201, created.text
            return uuid.UUID(created.json()["id"]), number

        emailed, _ = await register("D1", name="李娜", email="li.na@example.cn")
        texted, texted_mobile = await register("D1", name="张伟")
        unconsented, unconsented_mobile = await register("D1")
        surveyed, surveyed_mobile = await register("D1", name="刘洋")
        night_owl, night_mobile = await register("DQ")
        followed, _ = await register("D1", name="陈静", wechat_openid="oWx-test-openid-1")

    async with running(create_app(settings)) as care:
        local = datetime.now(ZoneInfo("Asia/Shanghai"))
        quiet = {"quiet_start": (local - timedelta(hours=1)).strftime("%H:00"),
                 "quiet_end": (local + timedelta(hours=2)).strftime("%H:00")}
        for dealer, policy in (("D1", {"quiet_start": "00:00", "quiet_end": "00:00"}), ("DQ", quiet)):
            answer = await edited(care, f"/api/v1/care/contact-policy/{dealer}", auth(dealers=["D1", "DQ"]),
                                  {**policy, "cap": 2, "cap_days": 7})
            assert answer.status_code == 200, answer.text
        for customer, purpose, channel, dealer in ((emailed, "care", "email", "D1"), (texted, "care", "sms", "D1"),
                                                   (surveyed, "survey", "sms", "D1"), (night_owl, "care", "sms", "DQ"),
                                                   (followed, "care", "wechat", "D1")):
            await publish(ConsentChanged(customer_id=customer, dealer_id=dealer, purpose=purpose, channel=channel,
                                         granted=True, changed_at=now(), source="app"),
                          service="customer", subject=customer, dealer_id=dealer)
        expiry = (now() + timedelta(days=29)).date()  # the 30-day renewal reminder fell due yesterday
        for customer, dealer in ((emailed, "D1"), (texted, "D1"), (unconsented, "D1"), (night_owl, "DQ"),
                                 (followed, "D1")):
            await publish(VehicleRegistered(vehicle_id=uuid.uuid4(), customer_id=customer, dealer_id=dealer,
                                            brand="Toyota", model="Corolla", insurance_expiry=expiry,
                                            sold_by_dealer=True, registered_at=now()),
                          service="customer", subject=customer, dealer_id=dealer)
        for _ in range(3):
            await publish(SurveyInvitationCreated(
                invitation_id=uuid.uuid4(), customer_id=surveyed, dealer_id="D1", survey_kind="csi",
                template_id=uuid.uuid4(), template_version=1, link_path=f"/s/{uuid.uuid4().hex}",
                send_at=now() - timedelta(minutes=1), expires_at=now() + timedelta(days=15)),
                service="survey", subject=surveyed)

        async def settled(customer, count=1, dealer="D1"):
            async def check():
                found = (await care.get("/api/v1/care/messages", params={"customer_id": str(customer)},
                                        headers=auth(dealers=[dealer]))).json()["items"]
                done = [m for m in found if m["status"] != "queued" or m["block_reason"] == "quiet_hours"]
                return done if len(done) >= count else None

            return await eventually(check, timeout=60)

        [mail] = await settled(emailed)
        [sms] = await settled(texted)
        [held] = await settled(unconsented)
        survey_messages = await settled(surveyed, count=3)
        [night] = await settled(night_owl, dealer="DQ")
        [wechat] = await settled(followed)

    outbox = sinks["outbox"]
    [email] = [m for m in outbox if m["channel"] == "email"]
    assert mail["status"] == "sent" and mail["channel"] == "email"
    assert email["to"] == ["li.na@example.cn"] and email["subject"] == "续保提醒"
    assert email["body"].strip().startswith("李娜您好，您的车险将于" + expiry.isoformat())

    texts = [m["params"] for m in outbox if m["channel"] == "sms"]
    to_texted = [p for p in texts if p["PhoneNumbers"] == texted_mobile[-11:]]
    assert sms["status"] == "sent" and len(to_texted) == 1
    assert to_texted[0]["Action"] == "SendSms" and to_texted[0]["TemplateCode"] == "SMS_CRM_INSURANCE_RENEWAL"
    assert '"name":"张伟"' in to_texted[0]["TemplateParam"]
    assert all(aliyun_signature_is_valid(p, settings.sms_access_key_secret) for p in texts)
    assert not aliyun_signature_is_valid({**to_texted[0], "PhoneNumbers": "13900000000"},
                                         settings.sms_access_key_secret)

    [template_message] = [m["body"] for m in outbox if m["channel"] == "wechat"]
    assert wechat["status"] == "sent" and template_message["touser"] == "oWx-test-openid-1"
    assert template_message["data"]["name"] == {"value": "陈静"}
    assert template_message["data"]["due_on"] == {"value": expiry.isoformat()}

    assert (held["status"], held["block_reason"]) == ("blocked", "no_consent")
    assert sorted(m["status"] for m in survey_messages) == ["blocked", "sent", "sent"]
    assert [m["block_reason"] for m in survey_messages if m["status"] == "blocked"] == ["frequency_cap"]
    assert len([p for p in texts if p["PhoneNumbers"] == surveyed_mobile]) == 2
    assert (night["status"], night["block_reason"]) == ("queued", "quiet_hours")
    phones = {p["PhoneNumbers"] for p in texts}
    assert unconsented_mobile not in phones and night_mobile not in phones
