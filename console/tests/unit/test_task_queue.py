"""The task queue's SLA clock, tabs and case moves, as the CR and CS staff read them."""

from datetime import UTC, datetime, timedelta

from crm_console.domain.task_queue import case_moves, case_timeline, sla_clock, tab_query, unassigned

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


def test_time_left_is_told_in_hours_then_days_and_lateness_likewise():
    assert sla_clock(NOW + timedelta(hours=3, minutes=20), NOW) == ("tasks.sla.left_hours", {"n": 3})
    assert sla_clock(NOW + timedelta(minutes=25), NOW) == ("tasks.sla.left_minutes", {"n": 25})
    assert sla_clock(NOW - timedelta(days=2, hours=5), NOW) == ("tasks.sla.late_days", {"n": 2})
    assert sla_clock((NOW - timedelta(hours=5)).isoformat(), NOW) == ("tasks.sla.late_hours", {"n": 5})


def test_tabs_ask_care_for_my_work_my_roles_queue_and_the_late_ones():
    assert tab_query("mine", "cr.1", ["cr_activity"]) == {"assignee": "cr.1"}
    assert tab_query("unassigned", "cr.1", ["cr_activity"]) == {"role": "cr_activity"}
    assert tab_query("overdue", "cr.1", ["cr_activity"]) == {"overdue": "true", "role": "cr_activity"}
    assert unassigned([{"id": 1, "assignee": None}, {"id": 2, "assignee": "cr.1"}]) == [{"id": 1, "assignee": None}]


def test_a_case_is_closed_only_once_resolved():
    assert "close" not in case_moves("open") and "close" not in case_moves("in_progress")
    assert case_moves("resolved") == ("close", "reopen")
    assert case_moves("closed") == ()


def test_the_timeline_lists_what_happened_in_order():
    case = {"opened_at": "2026-11-27T09:00:00+00:00", "first_contacted_at": "2026-11-27T10:00:00+00:00",
            "resolved_at": None, "closed_at": None}
    assert [step for step, _ in case_timeline(case)] == ["opened", "first_contacted"]
