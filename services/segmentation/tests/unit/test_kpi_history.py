"""A month's grasp rate from dates alone equals the per-vehicle rules applied on that month's last day."""

import random
from datetime import date, timedelta

import numpy as np

from crm_segmentation.domain import kpis, retention
from crm_segmentation.domain.retention import Thresholds


def direct(vehicles, as_of: date, thresholds: Thresholds) -> list[kpis.AgeRow]:
    """The scalar rules, vehicle by vehicle."""
    base = []
    for delivered, sold, services in vehicles:
        if delivered > as_of:
            continue
        last = max((d for d in services if d <= as_of), default=None)
        status, _ = retention.retention_status(last, delivered, as_of, thresholds)
        base.append(kpis.BaseVehicle(retention.vehicle_age_years(delivered, as_of), sold, last is not None, status))
    return kpis.grasp_by_age(base)


def fleet_of(vehicles) -> kpis.Fleet:
    return kpis.Fleet(
        delivered=np.array([d for d, _, _ in vehicles], dtype="datetime64[D]"),
        sold_by_dealer=np.array([s for _, s, _ in vehicles], dtype=bool),
        service_vehicle=np.array([i for i, (_, _, services) in enumerate(vehicles) for _ in services], dtype=np.int64),
        service_day=np.array([d for _, _, services in vehicles for d in services], dtype="datetime64[D]"))


def test_every_month_of_three_years_matches_the_per_vehicle_rules():
    rng = random.Random(7)
    start = date(2012, 1, 31)
    vehicles = []
    for _ in range(400):
        delivered = start + timedelta(days=rng.randrange(14 * 365))
        services = sorted({delivered + timedelta(days=rng.randrange(1, 4000)) for _ in range(rng.randrange(0, 8))})
        vehicles.append((delivered, rng.random() < 0.8, services))
    fleet = fleet_of(vehicles)
    for thresholds in (Thresholds(), Thresholds(active_months=6, lost_months=12)):
        for month, as_of in kpis.month_ends(date(2023, 1, 1), date(2025, 12, 1), date(2025, 11, 17)):
            assert [vars(r) for r in kpis.grasp_as_of(fleet, as_of, thresholds)] == \
                [vars(r) for r in direct(vehicles, as_of, thresholds)], month


def test_month_ends_stop_at_today_and_end_on_the_last_day():
    assert kpis.month_ends(date(2024, 1, 1), date(2024, 4, 1), date(2024, 3, 10)) == [
        (date(2024, 1, 1), date(2024, 1, 31)), (date(2024, 2, 1), date(2024, 2, 29)),
        (date(2024, 3, 1), date(2024, 3, 10))]


def test_the_active_window_ends_on_the_same_day_of_the_month():
    """Serviced 31 Jan: active through 31 Jan a year later with 12 months; 29 Feb rolls to 28 Feb."""
    vehicles = [(date(2020, 1, 1), True, [date(2023, 1, 31)]), (date(2020, 1, 1), True, [date(2024, 2, 29)])]
    fleet = fleet_of(vehicles)
    for as_of in (date(2024, 1, 31), date(2024, 2, 1), date(2025, 2, 28), date(2025, 3, 1)):
        assert [vars(r) for r in kpis.grasp_as_of(fleet, as_of, Thresholds())] == \
            [vars(r) for r in direct(vehicles, as_of, Thresholds())], as_of
