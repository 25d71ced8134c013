"""What the console decides without I/O: searches, links by permission, today's work, reason texts."""

from datetime import UTC, datetime, timedelta

from crm_console.domain.nav import may_open, visible_screens
from crm_console.domain.problems import problem_key
from crm_console.domain.reasons import localised_reason
from crm_console.domain.search import search_filter
from crm_console.domain.work import cases_near_sla, queues_of, todays_tasks
from crm_console.i18n import Translator
from crm_contracts import permissions as p


def test_one_box_finds_by_vin_plate_mobile_or_name():
    assert search_filter("lfv2a21k5e3031234") == {"vin": "LFV2A21K5E3031234"}
    assert search_filter("京A 12345") == {"plate": "京A12345"}
    assert search_filter("粤BD12345") == {"plate": "粤BD12345"}  # new-energy plate
    assert search_filter("138-0013-8000") == {"mobile": "13800138000"}
    assert search_filter("+8613800138000") == {"mobile": "+8613800138000"}
    assert search_filter(" 王伟 ") == {"name": "王伟"}
    assert search_filter("   ") is None


def test_a_role_sees_only_the_screens_its_permissions_open():
    analyst = frozenset({p.PROFILES_READ, p.KPIS_READ, p.NETWORK_READ, p.SURVEYS_READ})
    assert [s.key for s in visible_screens(analyst)] == ["home", "kpis", "surveys"]
    assert not may_open("customers", analyst)
    assert may_open("customers", frozenset({p.CUSTOMERS_READ}))


def test_todays_tasks_split_overdue_from_due_and_show_a_task_once():
    now = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    end = datetime(2026, 11, 28, 16, 0, tzinfo=UTC)
    late = {"id": "1", "status": "open", "due_at": (now - timedelta(days=2)).isoformat(),
            "sla_at": (now - timedelta(hours=1)).isoformat()}
    today = {"id": "2", "status": "open", "due_at": (now + timedelta(hours=3)).isoformat(),
             "sla_at": (now + timedelta(days=1)).isoformat()}
    tomorrow = {"id": "3", "status": "open", "due_at": (now + timedelta(days=1)).isoformat(),
                "sla_at": (now + timedelta(days=2)).isoformat()}
    result = todays_tasks([late, today, tomorrow, dict(today)], now, end)
    assert [t["id"] for t in result.overdue] == ["1"]
    assert [t["id"] for t in result.due_today] == ["2"]
    assert queues_of(["cr_activity_owner", "cs_planner"]) == ["cr_activity"]


def test_cases_near_their_first_contact_sla_are_the_uncontacted_ones_due_within_a_day():
    now = datetime(2026, 11, 28, tzinfo=UTC)
    due_soon = {"id": "a", "state": "open", "first_contacted_at": None,
                "first_contact_due": (now + timedelta(hours=5)).isoformat()}
    late = {"id": "b", "state": "open", "first_contacted_at": None,
            "first_contact_due": (now - timedelta(hours=5)).isoformat()}
    contacted = {**due_soon, "id": "c", "first_contacted_at": now.isoformat()}
    far = {**due_soon, "id": "d", "first_contact_due": (now + timedelta(days=3)).isoformat()}
    closed = {**late, "id": "e", "state": "closed"}
    assert [c["id"] for c in cases_near_sla([due_soon, late, contacted, far, closed], now)] == ["b", "a"]


def test_churn_reasons_and_password_problems_read_in_the_users_language():
    zh, en = Translator("zh-CN"), Translator("en")
    reason = "Corolla: 19 months since last service; usual interval 6 months"
    assert localised_reason(reason, zh) == "Corolla：距上次保养已19个月（通常6个月一次）"
    assert localised_reason("P(alive) 0.31", en) == "P(alive) only 0.31"
    assert localised_reason("first service missed", zh) == "首保流失"
    assert localised_reason("a reason nobody wrote a text for", zh) == "a reason nobody wrote a text for"
    assert zh(problem_key("must be at least 12 characters")) == "新密码至少需要12个字符。"
