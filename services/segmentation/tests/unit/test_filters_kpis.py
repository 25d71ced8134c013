"""The segment filter language, and the KPIs against direct counts."""

from datetime import date

from crm_segmentation.domain import filters, kpis

PROFILE = {"retention_status": "dormant", "rfm_segment": "at_risk", "value_type": "vip", "visits_12m": 1,
           "clv": 12000.5, "last_service_on": date(2024, 3, 1), "abc_class": None}


def test_filters_combine_and_compare_typed_values():
    tree = {"all": [{"field": "retention_status", "op": "eq", "value": "dormant"},
                    {"any": [{"field": "rfm_segment", "op": "in", "value": ["at_risk", "cant_lose"]},
                             {"not": {"field": "value_type", "op": "eq", "value": "abandon"}}]},
                    {"field": "clv", "op": "ge", "value": 10000},
                    {"field": "last_service_on", "op": "lt", "value": "2024-06-01"}]}
    assert filters.validate(tree) == []
    assert filters.matches(tree, PROFILE)
    assert not filters.matches(tree, {**PROFILE, "retention_status": "active"})
    assert filters.matches({"field": "abc_class", "op": "is_null"}, PROFILE)
    assert not filters.matches({"field": "abc_class", "op": "eq", "value": "A"}, PROFILE)
    assert filters.matches({"field": "abc_class", "op": "ne", "value": "A"}, PROFILE)


def test_bad_filters_name_every_bad_place_and_nothing_is_evaluated():
    tree = {"all": [{"field": "__class__", "op": "eq", "value": 1},
                    {"field": "visits_12m", "op": "gt", "value": "many"},
                    {"field": "rfm_segment", "op": "like", "value": "x"},
                    {"any": []}]}
    assert filters.validate(tree) == [
        ("/all/0/field", f"unknown field; one of {', '.join(sorted(filters.FIELDS))}"),
        ("/all/1/value", "not a valid int for visits_12m"),
        ("/all/2/op", f"unknown operator; one of {', '.join(sorted(filters.OPERATORS))}"),
        ("/all/3/any", "a non-empty list of filters")]
    assert filters.validate("retention_status == 'lost'") != []
    deep = {"field": "vehicles", "op": "gt", "value": 0}
    for _ in range(10):
        deep = {"not": deep}
    assert filters.validate(deep)[0][1].startswith("nested deeper")


def test_grasp_rate_and_active_ratio_by_vehicle_age():
    vehicles = [kpis.BaseVehicle(0, True, True, "active"), kpis.BaseVehicle(0, True, False, "dormant"),
                kpis.BaseVehicle(3, True, True, "active"), kpis.BaseVehicle(3, False, True, "active"),
                kpis.BaseVehicle(3, True, True, "lost"), kpis.BaseVehicle(10, True, True, "lost"),
                kpis.BaseVehicle(None, True, True, "active")]
    rows = kpis.grasp_by_age(vehicles)
    assert len(rows) == 11
    assert (rows[0].sold, rows[0].grasped, rows[0].grasp_rate, rows[0].active_ratio) == (2, 1, 0.5, 0.5)
    # age 3: two sold (one active), three in the base (two active, one of them serviced here but bought elsewhere)
    assert (rows[3].sold, rows[3].grasped, rows[3].base, rows[3].active) == (2, 1, 3, 2)
    assert rows[3].active_ratio == round(2 / 3, 4)
    assert rows[10].grasp_rate == 0.0 and rows[5].grasp_rate is None
    total = kpis.total(rows)
    assert (total.sold, total.grasped, total.base, total.active) == (5, 2, 6, 3)


def test_monthly_churn_by_the_oem_rule():
    visits = [("A", date(2024, 1, 5)), ("B", date(2024, 1, 20)), ("C", date(2024, 1, 31)),
              ("B", date(2024, 4, 2)),  # came back
              ("C", date(2024, 8, 1)),  # after July: does not count for July
              ("D", date(2024, 3, 1))]  # not in the January cohort
    rate = kpis.churn_rate(date(2024, 7, 15), visits)
    assert (rate.cohort_month, rate.visited, rate.churned, rate.rate) == (date(2024, 1, 1), 3, 2, 0.6667)
    assert kpis.churn_rate(date(2024, 7, 1), []).rate is None


def test_a_whole_number_written_as_2_0_counts_as_a_count_as_the_published_schema_says():
    assert filters.validate({"field": "visits_12m", "op": "ge", "value": 2.0}) == []
    assert filters.validate({"field": "visits_12m", "op": "ge", "value": 2.5}) == [
        ("/value", "not a valid int for visits_12m")]
