"""Retention status, first service (首保) and mileage against hand-worked dates."""

from datetime import date

from crm_segmentation.domain import retention
from crm_segmentation.domain.retention import Thresholds

DEFAULTS = Thresholds()


def test_months_are_whole_calendar_months():
    assert retention.months_between(date(2024, 3, 3), date(2024, 4, 3)) == 1
    assert retention.months_between(date(2024, 3, 3), date(2024, 4, 2)) == 0
    assert retention.months_between(date(2023, 1, 31), date(2025, 3, 1)) == 25
    assert retention.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert retention.add_months(date(2024, 5, 15), -6) == date(2023, 11, 15)


def test_status_by_months_since_last_service_with_the_manuals_defaults():
    today = date(2025, 6, 15)
    assert retention.retention_status(date(2024, 6, 15), None, today, DEFAULTS) == ("active", 12)
    assert retention.retention_status(date(2024, 6, 14), None, today, DEFAULTS) == ("dormant", 12)
    assert retention.retention_status(date(2024, 5, 15), None, today, DEFAULTS) == ("dormant", 13)
    assert retention.retention_status(date(2023, 6, 15), None, today, DEFAULTS) == ("dormant", 24)
    assert retention.retention_status(date(2023, 5, 1), None, today, DEFAULTS) == ("lost", 25)
    # never serviced: counted from delivery
    assert retention.retention_status(None, date(2022, 1, 1), today, DEFAULTS) == ("lost", 41)
    # an OEM that calls a vehicle lost after 6 months
    strict = Thresholds(active_months=3, lost_months=6)
    assert retention.retention_status(date(2024, 11, 1), None, today, strict) == ("lost", 7)


def test_reason_reads_like_a_sentence():
    assert (retention.status_reason("dormant", 14, 6.2, False)
            == "dormant: 14 months since last service; usual interval 6 months")
    assert retention.status_reason("lost", 30, 6, True).startswith("lost: 30 months since delivery, never serviced")


def test_usual_interval_is_the_vehicles_own_mean_gap():
    visits = [date(2023, 1, 10), date(2023, 5, 10), date(2023, 9, 10)]
    assert round(retention.usual_interval_months(visits, DEFAULTS), 1) == 4.0
    assert retention.usual_interval_months([date(2023, 1, 10)], DEFAULTS) == 6


def test_average_daily_mileage_from_readings_or_from_delivery():
    assert retention.average_daily_km([(date(2024, 1, 1), 10_000), (date(2024, 3, 1), 13_000)], None) == 50.0
    assert retention.average_daily_km([(date(2024, 4, 10), 4_000)], date(2024, 1, 1)) == 40.0
    assert retention.average_daily_km([(date(2024, 4, 10), 4_000)], None) is None


def test_first_service_due_done_and_lost():
    delivered = date(2024, 1, 1)
    status = retention.first_service_status
    assert status(delivered, None, date(2024, 3, 1), None, DEFAULTS) == "upcoming"
    assert status(delivered, None, date(2024, 7, 1), None, DEFAULTS) == "due"  # 6 months
    # 10,000 km at 100 km a day comes after 100 days, before the 6 months
    assert status(delivered, None, date(2024, 4, 15), 100.0, DEFAULTS) == "due"
    assert status(delivered, None, date(2025, 1, 1), None, DEFAULTS) == "lost"  # 12 months, not done
    assert status(delivered, date(2024, 6, 1), date(2026, 1, 1), None, DEFAULTS) == "done"
    assert status(None, None, date(2026, 1, 1), None, DEFAULTS) is None


def test_vehicle_age_in_whole_years_with_a_ten_plus_bucket():
    today = date(2025, 6, 15)
    assert retention.vehicle_age_years(date(2025, 1, 1), today) == 0
    assert retention.vehicle_age_years(date(2022, 6, 15), today) == 3
    assert retention.vehicle_age_years(date(2022, 6, 16), today) == 2
    assert retention.vehicle_age_years(date(2001, 1, 1), today) == 10
