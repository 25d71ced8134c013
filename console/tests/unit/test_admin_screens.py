"""What the administration screens show: event types grouped as a dealer thinks of them, a delivery's state in
words a partner's contact understands, and every permission and event type named in both languages."""

from datetime import UTC, datetime

from crm_console.domain.admin import (
    PERMISSION_ORDER,
    delivery_state,
    grouped_event_types,
    in_reading_order,
    parse_moment,
    replayable,
)
from crm_console.i18n import catalogue
from crm_contracts import REGISTRY
from crm_contracts import permissions as p


def test_event_types_are_grouped_customer_first_and_every_one_is_offered():
    groups = grouped_event_types(REGISTRY)
    assert groups[0][0] == "customer" and groups[1][0] == "vehicle"
    assert "crm.customer.registered.v1" in groups[0][1]
    assert ("survey", ["crm.survey.hot_alert.raised.v1", "crm.survey.invitation.created.v1",
                       "crm.survey.invitation.expired.v1", "crm.survey.response.recorded.v1"]) in groups
    assert sorted(t for _, types in groups for t in types) == sorted(REGISTRY)


def test_a_delivery_tried_and_refused_is_retrying_and_only_a_finished_one_is_sent_again():
    queued = {"status": "pending", "attempts": 0}
    retrying = {"status": "pending", "attempts": 2}
    assert [delivery_state(d) for d in (queued, retrying)] == ["queued", "retrying"]
    assert delivery_state({"status": "failed", "attempts": 8}) == "failed"
    assert not replayable(retrying)
    assert replayable({"status": "delivered", "attempts": 1}) and replayable({"status": "failed", "attempts": 8})


def test_a_replay_time_must_carry_its_zone():
    assert parse_moment("2026-11-28T10:00:00+08:00") == datetime(2026, 11, 28, 2, tzinfo=UTC)
    assert parse_moment("2026-11-28T10:00:00") is None
    assert parse_moment("yesterday") is None


def test_every_permission_event_type_and_role_has_a_label_in_both_languages():
    permissions = [v for k, v in vars(p).items() if k.isupper() and k != "ALL_DEALERS"]
    for language in ("zh-CN", "en"):
        texts = catalogue(language)
        assert [x for x in permissions if "admin.permission." + x.replace(":", "_") not in texts] == []
        assert [e for e in REGISTRY if f"admin.event.{e}" not in texts] == []
        assert {g for g, _ in grouped_event_types(REGISTRY)} <= {k.rsplit(".", 1)[1] for k in texts
                                                                  if k.startswith("admin.event_group.")}
    assert catalogue("zh-CN")["admin.event.crm.customer.registered.v1"] == "新客户登记"
    assert catalogue("zh-CN")["admin.permission.pii_read"].startswith("查看完整手机号")


def test_permissions_read_customer_record_first_and_a_new_one_is_kept_last():
    every = [v for k, v in vars(p).items() if k.isupper() and k != "ALL_DEALERS"]
    assert sorted(PERMISSION_ORDER) == sorted(every)
    assert in_reading_order(["admin", "care:read", "future:thing", "customers:read"]) == [
        "customers:read", "care:read", "admin", "future:thing"]
