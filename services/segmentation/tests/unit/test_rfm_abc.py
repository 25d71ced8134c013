"""RFM quintiles, named segments, the 8-type split and ABC classes against hand-worked cases."""

import numpy as np

from crm_segmentation.domain import abc, rfm


def test_quintiles_cut_ranks_into_fifths_and_ties_are_ranked_by_order():
    spend = np.array([100, 900, 300, 300, 300, 50, 700, 800, 200, 1000])
    # ascending ranks: 50→0 100→1 200→2 300→3,4,5 (by position) 700→6 800→7 900→8 1000→9; score = rank·5//10 + 1
    assert rfm.quintile_scores(spend).tolist() == [1, 5, 2, 3, 3, 1, 4, 4, 2, 5]
    # the three tied 300s land in two quintiles: the tie is broken by order, not kept together
    order = np.array([0, 0, 0, 2, 1, 0, 0, 0, 0, 0])
    assert rfm.quintile_scores(spend, order).tolist()[2:5] == [2, 3, 3]


def test_recency_is_reversed_the_most_recent_scores_five():
    days_since_last_visit = np.array([10, 400, 30, 800, 90])
    assert rfm.quintile_scores(-days_since_last_visit).tolist() == [5, 2, 4, 1, 3]


def test_single_customers_are_placed_against_the_batch_cut_points():
    spend = np.array([100, 900, 300, 500, 50, 700, 800, 200, 1000, 400])
    scores = rfm.quintile_scores(spend)
    cuts = rfm.cut_points(spend, scores)
    assert cuts == [200, 400, 700, 900]
    assert [rfm.score_against(v, cuts) for v in (0, 199, 200, 650, 900, 5000)] == [1, 1, 2, 3, 5, 5]
    # recency cut points are of negated days, so fewer days scores higher
    recency_cuts = rfm.cut_points(-np.array([10, 400, 30, 800, 90]), rfm.quintile_scores(-np.array([10, 400, 30,
                                                                                                  800, 90])))
    assert rfm.score_against(-5, recency_cuts) == 5 and rfm.score_against(-1000, recency_cuts) == 1


def test_named_segments_follow_the_rf_grid():
    cases = {(5, 5): "champions", (4, 5): "loyal", (3, 4): "loyal", (5, 1): "new", (4, 1): "promising",
             (5, 3): "potential_loyalists", (3, 3): "needs_attention", (3, 1): "about_to_sleep",
             (2, 3): "at_risk", (1, 5): "cant_lose", (1, 1): "hibernating", (2, 2): "hibernating"}
    assert {rf: rfm.named_segment(*rf) for rf in cases} == cases
    assert rfm.SEGMENTS["cant_lose"].zh == "不能失去的客户"


def test_eight_types_split_high_and_low_against_the_dealer_means():
    means = rfm.Means(recency_days=120, frequency=4, monetary=6000)
    assert rfm.eight_type(30, 6, 9000, means) == "重要价值客户"
    assert rfm.eight_type(400, 6, 9000, means) == "重要保持客户"
    assert rfm.eight_type(30, 1, 9000, means) == "重要发展客户"
    assert rfm.eight_type(400, 1, 9000, means) == "重要挽留客户"
    assert rfm.eight_type(120, 4, 5999, means) == "一般价值客户"  # at the mean counts as high
    assert rfm.eight_type(400, 1, 100, means) == "一般挽留客户"
    assert rfm.EIGHT_TYPES_EN["重要挽留客户"] == "important retain"


def test_abc_classes_by_share_of_value():
    # total 10,000: 5,000 (0% before → A), 3,000 (50% → A), 1,000 (80% → B), 500 (90% → B), 300 (95% → C) …
    margins = np.array([1000, 5000, 100, 3000, 500, 300, 100, 0])
    classes = abc.abc_classes(margins)
    assert classes.tolist() == ["B", "A", "C", "A", "B", "C", "C", "C"]
    a_min, b_min = abc.thresholds(margins, classes)
    assert (a_min, b_min) == (3000, 500)
    assert [abc.abc_against(v, a_min, b_min) for v in (4000, 3000, 600, 499, 0)] == ["A", "A", "B", "C", "C"]
    # the cut points are dealer settings
    assert abc.abc_classes(margins, a_share=0.5, b_share=0.8).tolist()[:4] == ["C", "A", "C", "B"]
    assert abc.abc_classes(np.zeros(3)).tolist() == ["C", "C", "C"]
