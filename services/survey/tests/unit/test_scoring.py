"""Scoring vectors worked out by hand: the J.D. Power-style index, NPS, C = b/a and hot alerts."""

import pytest

from crm_survey.domain.defaults import shipped_definitions
from crm_survey.domain.scoring import hot_alert, net_promoter_score, nps_category, rollup_metrics, score
from crm_survey.domain.templates import TemplateDefinition

CSI = shipped_definitions()["csi"]
SSI = shipped_definitions()["ssi"]


def csi_answers(**overrides):
    answers = {"fixed_first_time": 9, "work_thoroughness": 8,  # service quality 8.5  × 0.22 = 1.87
               "ready_on_time": 7, "charges_explained": 7,  # vehicle pick-up 7.0   × 0.20 = 1.40
               "lounge_comfort": 10, "facility_clean": 8,  # service facility 9.0  × 0.20 = 1.80
               "advisor_courtesy": 6, "advisor_explained": 8,  # service advisor 7.0   × 0.19 = 1.33
               "appointment_ease": 9, "reception_speed": 9,  # service initiation 9.0 × 0.19 = 1.71
               "recommend": 9}
    return {**answers, **overrides}


def test_csi_index_is_the_weighted_factor_means_on_a_thousand_points():
    scores = score(CSI, csi_answers())
    assert scores.factor_scores == {"service_quality": 8.5, "vehicle_pickup": 7.0, "service_facility": 9.0,
                                    "service_advisor": 7.0, "service_initiation": 9.0}
    assert scores.index == pytest.approx(811.0)  # (1.87 + 1.40 + 1.80 + 1.33 + 1.71) × 100
    assert scores.nps == 9 and scores.nps_category == "promoter"


def test_ssi_extremes_and_the_jd_power_weights():
    all_ten = {q.id: 10 for q in SSI.questions if q.factor} | {"recommend": 10}
    all_one = {q.id: 1 for q in SSI.questions if q.factor} | {"recommend": 10}
    assert score(SSI, all_ten).index == 1000
    assert score(SSI, all_one).index == 100
    assert SSI.factor_weights() == {"delivery": 0.23, "sales_initiation": 0.21, "deal": 0.20,
                                    "dealer_facility": 0.19, "salesperson": 0.17}
    only_delivery_low = all_ten | {"delivery_on_time": 4, "delivery_explained": 6}  # delivery mean 5
    assert score(SSI, only_delivery_low).index == pytest.approx(1000 - 0.23 * 5 * 100)  # 885


def two_factor_template(**extra) -> TemplateDefinition:
    return TemplateDefinition.model_validate({
        "kind": "csi", "title": {"zh-CN": "测试"},
        "factors": [{"id": "a", "weight": 0.6, "text": {"zh-CN": "甲"}},
                    {"id": "b", "weight": 0.4, "text": {"zh-CN": "乙"}}],
        "questions": [{"id": "a1", "type": "scale_5", "factor": "a", "text": {"zh-CN": "a1"}},
                      {"id": "b1", "type": "scale_10", "factor": "b", "required": False, "text": {"zh-CN": "b1"}},
                      {"id": "pair", "type": "expectation_experience", "required": False, "text": {"zh-CN": "期望"}},
                      {"id": "pair2", "type": "expectation_experience", "required": False, "text": {"zh-CN": "期望2"}}],
        **extra})


def test_a_five_point_answer_is_put_on_the_ten_point_scale_and_skipped_factors_rescale_the_weights():
    template = two_factor_template()
    assert score(template, {"a1": 4, "b1": 5}).factor_scores == {"a": 7.75, "b": 5.0}  # 1 + 3 × 9/4
    assert score(template, {"a1": 4, "b1": 5}).index == pytest.approx((0.6 * 7.75 + 0.4 * 5) * 100)  # 665
    assert score(template, {"a1": 5}).index == 1000  # b skipped: a carries the whole weight
    assert score(template, {"a1": 1}).index == 100


def test_satisfaction_ratio_is_experience_over_expectation():
    scores = score(two_factor_template(), {"a1": 3, "pair": {"expectation": 8, "experience": 6},
                                           "pair2": {"expectation": 5, "experience": 10}})
    assert scores.pair_ratios == {"pair": 0.75, "pair2": 2.0}
    assert scores.satisfaction_ratio == pytest.approx(1.375)


@pytest.mark.parametrize(("rating", "category"), [(10, "promoter"), (9, "promoter"), (8, "passive"),
                                                  (7, "passive"), (6, "detractor"), (0, "detractor")])
def test_nps_categories(rating, category):
    assert nps_category(rating) == category


def test_nps_is_percent_promoters_minus_percent_detractors():
    assert net_promoter_score([10, 9, 8, 7, 6, 0]) == 0  # 2 promoters, 2 detractors of 6
    assert net_promoter_score([10, 10, 9, 3]) == 50  # 75% − 25%
    assert net_promoter_score([5, 5]) == -100
    assert net_promoter_score([]) is None


def test_hot_alert_at_or_under_the_threshold_picks_the_worst_answer_with_the_comments():
    answers = csi_answers(advisor_courtesy=5, ready_on_time=3, comment="等了两个小时 ")
    alert = hot_alert(CSI, answers, score(CSI, answers))
    assert (alert.question_id, alert.score, alert.comment) == ("ready_on_time", 3, "等了两个小时")
    at_threshold = csi_answers(advisor_courtesy=5)
    assert hot_alert(CSI, at_threshold, score(CSI, at_threshold)).question_id == "advisor_courtesy"
    fine = csi_answers(advisor_courtesy=6)
    assert hot_alert(CSI, fine, score(CSI, fine)) is None


def test_an_nps_detractor_raises_a_hot_alert_even_with_good_ratings():
    answers = csi_answers(recommend=6, what_went_wrong="价格太贵")
    alert = hot_alert(CSI, answers, score(CSI, answers))
    assert (alert.question_id, alert.score, alert.comment) == ("recommend", 6, "价格太贵")


def test_a_five_point_answer_is_compared_with_the_threshold_on_the_ten_point_scale():
    template = two_factor_template(hot_alert_threshold=4)
    assert hot_alert(template, {"a1": 2}, score(template, {"a1": 2})).score == 2  # 3.25 on ten
    assert hot_alert(template, {"a1": 3}, score(template, {"a1": 3})) is None  # 5.5 on ten


def test_rollup_metrics_make_every_figure_a_mean():
    metrics = rollup_metrics(score(CSI, csi_answers(recommend=3)))
    assert metrics["answered"] == 1 and metrics["index"] == pytest.approx(811.0)
    assert metrics["nps"] == -100 and metrics["factor:service_advisor"] == 7.0
    assert metrics["question:advisor_courtesy"] == 6.0
