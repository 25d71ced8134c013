"""The segment builder's rows become the filter tree segmentation takes, and bad rows are named by row."""

from crm_console.domain.segment_filters import (
    Row,
    blank_row,
    edit_rows,
    editable_rows,
    filter_of,
    rows_from_form,
    rows_of,
)


def test_maintain_customers_served_long_ago_become_one_all_filter():
    rows = rows_from_form(["value_type", "months_since_last_service"], ["eq", "ge"], ["maintain", "36"])
    tree, errors = filter_of(rows)
    assert errors == {}
    assert tree == {"all": [{"field": "value_type", "op": "eq", "value": "maintain"},
                            {"field": "months_since_last_service", "op": "ge", "value": 36}]}


def test_a_bad_number_is_named_on_its_own_row_and_no_filter_is_made():
    rows = rows_from_form(["value_type", "vehicles"], ["eq", "ge"], ["vip", "three"])
    tree, errors = filter_of(rows)
    assert tree is None
    assert errors == {1: "segments.error.whole"}


def test_amounts_take_yuan_with_separators_and_days_must_be_real_dates():
    tree, _ = filter_of([Row("spend_12m", "ge", "¥12,000.50")])
    assert tree["all"][0]["value"] == 12000.5
    assert filter_of([Row("last_visit_on", "lt", "2026-02-30")])[1] == {0: "segments.error.day"}


def test_an_operator_the_new_field_does_not_take_falls_back_to_its_first():
    rows = rows_from_form(["retention_status"], ["ge"], ["nonsense"])
    assert rows == [Row("retention_status", "eq", "active")]


def test_no_rows_is_refused_as_a_whole_not_stored_as_everyone():
    assert filter_of([]) == (None, {-1: "segments.error.no_rows"})


def test_adding_and_removing_rows_never_leaves_the_form_empty():
    two = edit_rows([blank_row()], "add")
    assert len(two) == 2
    assert edit_rows(two, "remove:0") == [blank_row()]
    assert edit_rows([blank_row()], "remove:0") == [blank_row()]


def test_a_saved_filter_reads_back_as_the_rows_that_made_it():
    rows = [Row("value_type", "eq", "maintain"), Row("vehicles", "ge", "1")]
    assert rows_of(filter_of(rows)[0]) == rows


def test_a_vehicle_age_range_is_one_row_so_one_car_must_fit_both_ends():
    tree, errors = filter_of(rows_from_form(["vehicle_age_years"], ["between"], ["3-5"]))
    assert errors == {}
    assert tree == {"all": [{"field": "vehicle_age_years", "op": "between", "value": [3, 5]}]}
    assert filter_of([Row("vehicle_age_years", "between", "5-3")])[1] == {0: "segments.error.age_range"}
    assert filter_of([Row("vehicle_age_years", "ge", "3")])[0]["all"][0]["value"] == 3
    assert rows_of(tree) == [Row("vehicle_age_years", "between", "3-5")]


def test_only_a_filter_the_builder_made_can_be_edited_without_losing_a_condition():
    made_here = {"all": [{"field": "vehicle_age_years", "op": "ge", "value": 3},
                         {"field": "retention_status", "op": "eq", "value": "lost"}]}
    assert editable_rows(made_here) == [Row("vehicle_age_years", "ge", "3"), Row("retention_status", "eq", "lost")]
    api_made = {"all": [*made_here["all"], {"field": "p_alive", "op": "lt", "value": 0.3}]}
    assert editable_rows(api_made) is None
    assert editable_rows({"any": made_here["all"]}) is None
    assert editable_rows({"all": [{"field": "retention_status", "op": "in", "value": ["lost"]}]}) is None
