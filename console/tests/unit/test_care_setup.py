"""Care setup: a plan's form sends only what the planner changed, a stale save re-applies over a colleague's
newer values, the dry-run reads by day and rule, and an SMS is counted as carriers bill it."""

from crm_console.domain.care_setup import (
    dry_run_rows,
    dry_run_totals,
    plan_changes,
    plan_fields,
    reapplied,
    sms_length,
    stale_fields,
    update_body,
)

INSURANCE = {"enabled": True, "days_before": [90, 60, 30, 7], "window_days": 7}
WIN_BACK = {"enabled": True, "statuses": ["dormant", "lost"], "window_days": 30}


def test_the_form_shows_on_off_first_and_lists_as_the_planner_types_them():
    fields = plan_fields(INSURANCE)
    assert [(f.name, f.kind, f.text) for f in fields] == [
        ("enabled", "flag", "on"), ("days_before", "days", "90, 60, 30, 7"), ("window_days", "number", "7")]
    assert plan_fields(WIN_BACK)[1].choices == ("dormant", "lost")


def test_only_what_the_planner_changed_is_sent_and_enabled_travels_beside_params():
    was = {f.name: f.text for f in plan_fields(INSURANCE)}
    changed, errors = plan_changes(INSURANCE, was, {**was, "enabled": "", "days_before": "60，30、7"})
    assert errors == {}
    assert update_body(changed) == {"params": {"days_before": [60, 30, 7]}, "enabled": False}


def test_a_bad_value_is_named_with_a_message_for_its_kind():
    was = {f.name: f.text for f in plan_fields(WIN_BACK)}
    _, errors = plan_changes(WIN_BACK, was, {**was, "window_days": "两天", "statuses": ""})
    assert errors == {"window_days": "care_setup.error.number", "statuses": "care_setup.error.choices"}


def test_a_stale_save_keeps_the_colleagues_change_and_reapplies_mine():
    was = {f.name: f.text for f in plan_fields(INSURANCE)}
    now = {**INSURANCE, "days_before": [45, 7]}  # a colleague's newer save
    fields = stale_fields(now, was, {**was, "window_days": "2"})
    moved = {f.name: (f.was, f.now, f.mine) for f in fields if f.moved or f.touched}
    assert moved == {"days_before": ("90, 60, 30, 7", "45, 7", "90, 60, 30, 7"), "window_days": ("7", "7", "2")}
    assert reapplied(fields) == {"enabled": "on", "days_before": "45, 7", "window_days": "2"}


def test_the_dry_run_counts_by_day_then_in_the_pages_rule_order():
    actions = [{"due_on": "2026-12-02", "rule": "birthday", "critical": False},
               {"due_on": "2026-12-01", "rule": "birthday", "critical": False},
               {"due_on": "2026-12-01", "rule": "maintenance_due", "critical": True},
               {"due_on": "2026-12-01", "rule": "maintenance_due", "critical": True}]
    rows = dry_run_rows(actions)
    assert [(r.day, r.rule, r.actions, r.critical) for r in rows] == [
        ("2026-12-01", "maintenance_due", 2, 2), ("2026-12-01", "birthday", 1, 0), ("2026-12-02", "birthday", 1, 0)]
    assert dry_run_totals(rows) == [("maintenance_due", 2), ("birthday", 2)]


def test_a_chinese_sms_is_billed_by_70_characters_and_67_a_part_when_longer():
    assert sms_length("王先生您好，祝您生日快乐！").characters == 13
    assert sms_length("好" * 70).parts == 1 and sms_length("好" * 71).parts == 2 and sms_length("好" * 135).parts == 3


def test_a_latin_sms_is_billed_by_160_characters_and_an_emoji_takes_two():
    assert (sms_length("a" * 160).parts, sms_length("a" * 161).parts) == (1, 2)
    assert sms_length("生日快乐🎂").characters == 6
