"""The value report's own arithmetic: month ends, distributions, who moved between classes, network sums."""

import uuid
from datetime import date

from crm_segmentation.domain.kpis import AgeRow
from crm_segmentation.domain.report import Classes, Movement, distribution, month_end, movements, name_zh, summed

A, B, C, D = (uuid.UUID(int=n) for n in range(1, 5))


def test_a_month_is_as_of_its_last_day_or_today_for_the_current_month():
    assert month_end(date(2024, 2, 1), date(2026, 11, 28)) == date(2024, 2, 29)
    assert month_end(date(2026, 11, 1), date(2026, 11, 28)) == date(2026, 11, 28)


def test_distribution_counts_unscored_customers_under_their_own_name():
    classes = [Classes(A, "vip", "growth", None), Classes(B, "vip", None, "champions"), Classes(C, None, None, None)]
    assert distribution(classes, "value_type") == {"unscored": 1, "vip": 2}
    assert distribution(classes, "rfm_segment") == {"champions": 1, "unscored": 2}


def test_movements_count_who_changed_class_and_newcomers_but_not_who_stayed_or_left():
    before = [Classes(A, "vip", "maturity", None), Classes(B, "vip", "maturity", None),
              Classes(C, "improve", "growth", None), Classes(D, "maintain", "growth", None)]
    after = [Classes(A, "abandon", "decline", None), Classes(B, "abandon", "maturity", None),
             Classes(C, "improve", "growth", None), Classes(uuid.UUID(int=9), "maintain", "prospect", None)]
    assert movements(before, after, "value_type") == [Movement("value_type", "vip", "abandon", 2),
                                                      Movement("value_type", "new", "maintain", 1)]
    assert movements(before, after, "lifecycle_stage") == [Movement("lifecycle_stage", "maturity", "decline", 1),
                                                           Movement("lifecycle_stage", "new", "prospect", 1)]


def test_the_network_sums_each_age_and_recomputes_its_rates():
    one = [AgeRow(0, sold=4, grasped=3, base=5, active=3), AgeRow(1, sold=0, grasped=0, base=1, active=0)]
    two = [AgeRow(0, sold=6, grasped=2, base=6, active=2), AgeRow(1, sold=2, grasped=1, base=2, active=1)]
    network = summed([one, two])
    assert [(r.sold, r.grasped, r.grasp_rate, r.active_ratio) for r in network] == [(10, 5, 0.5, 0.4545),
                                                                                     (2, 1, 0.5, 0.3333)]
    assert summed([]) == []


def test_classes_are_named_in_chinese_in_the_workbook():
    assert name_zh("value_type", "vip") == "贵宾型"
    assert name_zh("lifecycle_stage", "decline") == "衰退期"
    assert name_zh("rfm_segment", "at_risk") == "有流失风险客户"
    assert name_zh("value_type", "new") == "新增客户"
