"""Contact policy, Aliyun request signing, templates and case states."""

from datetime import UTC, datetime, time

import pytest

from crm_care.domain import cases, policy, signing
from crm_care.domain.templates import TemplateInvalid, default_template, render

RULES = policy.ContactRules()


def test_consent_quiet_hours_and_the_frequency_cap_each_block():
    noon = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
    assert policy.decide(now=noon, consented=True, critical=False, recent_contacts=0, rules=RULES).allowed
    assert policy.decide(now=noon, consented=False, critical=False, recent_contacts=0,
                         rules=RULES).reason == "no_consent"
    assert policy.decide(now=noon, consented=True, critical=False, recent_contacts=2,
                         rules=RULES).reason == "frequency_cap"
    assert policy.decide(now=noon, consented=True, critical=True, recent_contacts=5, rules=RULES).allowed
    late = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)  # 22:30 in Shanghai
    decision = policy.decide(now=late, consented=True, critical=True, recent_contacts=0, rules=RULES)
    assert decision.reason == "quiet_hours"
    assert decision.not_before == datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # 09:00 the next morning
    assert policy.decide(now=late, consented=True, critical=False, recent_contacts=0, erased=True,
                         rules=RULES).reason == "erased"


def test_no_quiet_hours_when_start_equals_end_and_channel_choice():
    always = policy.ContactRules(quiet_start=time(0, 0), quiet_end=time(0, 0))
    assert policy.quiet_until(datetime(2026, 11, 23, 16, 0, tzinfo=UTC), always) is None
    assert policy.choose_channel({"sms", "email"}, {"email", "wechat"}) == "email"
    assert policy.choose_channel({"sms"}, {"email"}) is None
    assert [policy.retry_delay(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]


def test_aliyun_signature_matches_the_documented_example():
    # The worked example of Aliyun's RPC signature documentation (SendSms, secret "testSecret").
    params = {"AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123",
              "PhoneNumbers": "15300000001", "RegionId": "cn-hangzhou", "SignName": "阿里云短信测试专用",
              "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
              "SignatureVersion": "1.0", "TemplateCode": "SMS_71390007", "TemplateParam": '{"customer":"test"}',
              "Timestamp": "2017-07-12T02:42:19Z", "Version": "2017-05-25"}
    assert signing.signature("GET", params, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="
    assert signing.percent_encode("a b*~") == "a%20b%2A~"
    assert signing.mainland_number("+8613800138000") == "13800138000"


def test_templates_render_in_a_sandbox():
    template = default_template("insurance_renewal", "sms", "zh-CN")
    text = render(template.body, {"name": "王伟", "due_on": "2026-12-31", "days_left": 30})
    assert text == "王伟您好，您的车险将于2026-12-31到期（还有30天），欢迎续保。"
    with pytest.raises(TemplateInvalid):
        render("{{ name.__class__.__mro__ }}", {"name": "x"})
    with pytest.raises(TemplateInvalid):
        render("{{ missing }}", {})


def test_a_case_closes_only_with_the_resolution_confirmed():
    assert cases.next_case_state("open", "start") == "in_progress"
    assert cases.next_case_state("in_progress", "resolve") == "resolved"
    with pytest.raises(cases.MoveRefused):
        cases.next_case_state("resolved", "close")
    assert cases.next_case_state("resolved", "close", resolution_confirmed=True) == "closed"
    with pytest.raises(cases.MoveRefused):
        cases.next_case_state("closed", "reopen")
    assert cases.next_rescue_state("requested", "dispatched") == "dispatched"
    with pytest.raises(cases.MoveRefused):
        cases.next_rescue_state("completed", "dispatched")


def test_production_refuses_every_providers_dev_secret():
    from pydantic import ValidationError

    from crm_care.settings import CareSettings

    real = {"environment": "prod", "database_url": "postgresql+asyncpg://crm:S3cret@db/crm",
            "jwt_jwks_url": "https://gateway.example/.well-known/jwks.json", "client_secret": "s"}
    with pytest.raises(ValidationError) as refused:
        CareSettings(**real)
    for name in ("SMS_ACCESS_KEY_SECRET", "WECHAT_APP_SECRET", "WECOM_CORP_SECRET"):
        assert name in str(refused.value)
    CareSettings(**real, sms_access_key_secret="a", wechat_app_secret="b", wecom_corp_secret="c")
