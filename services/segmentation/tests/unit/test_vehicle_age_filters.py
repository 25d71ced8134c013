"""车龄 in segment filters: a rule on vehicle age matches a customer when any one of their vehicles fits."""

from crm_segmentation.domain import filters

TWO_CARS = {"visits_total": 3, "vehicle_age_years": [0, 4]}
NO_CAR = {"visits_total": 0, "vehicle_age_years": []}


def test_any_vehicle_of_the_age_makes_the_customer_match():
    three_to_five = {"field": "vehicle_age_years", "op": "between", "value": [3, 5]}
    assert filters.validate(three_to_five) == []
    assert filters.matches(three_to_five, TWO_CARS)
    assert not filters.matches(three_to_five, {**TWO_CARS, "vehicle_age_years": [0, 6]})
    assert filters.matches({"field": "vehicle_age_years", "op": "le", "value": 0}, TWO_CARS)
    assert not filters.matches({"field": "vehicle_age_years", "op": "ge", "value": 5}, TWO_CARS)
    assert filters.matches({"field": "vehicle_age_years", "op": "ge", "value": 10}, {"vehicle_age_years": [10]})
    assert not filters.matches(three_to_five, NO_CAR)


def test_a_customer_without_a_vehicle_of_known_age_is_null_for_the_rule():
    unknown = {"field": "vehicle_age_years", "op": "is_null"}
    assert filters.matches(unknown, NO_CAR)
    assert filters.matches(unknown, {"vehicle_age_years": [None]})
    assert not filters.matches(unknown, TWO_CARS)
    assert filters.matches({"field": "vehicle_age_years", "op": "not_null"}, TWO_CARS)


def test_between_works_on_profile_fields_and_needs_two_ends():
    assert filters.matches({"field": "visits_total", "op": "between", "value": [3, 3]}, TWO_CARS)
    assert not filters.matches({"field": "visits_total", "op": "between", "value": [4, 9]}, TWO_CARS)
    assert filters.validate({"field": "vehicle_age_years", "op": "between", "value": [3]}) == [
        ("/value", "[low, high] for between")]
    assert filters.validate({"field": "vehicle_age_years", "op": "between", "value": [3, "old"]}) == [
        ("/value", "not a valid int for vehicle_age_years")]
