"""The KPI screen's tables from the API's figures: what each chart draws and each CSV download holds.

Pure functions: the route fetches, these shape, the template and the chart module draw.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

OLDEST = 10  # the API's age 10 means "10 years and older"


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]


def age_label(age_years: int, translate: Callable[..., str]) -> str:
    """车龄 as dealers read it: age 0 is a car in its first year, 10 is ten years and older."""
    if age_years == 0:
        return translate("kpis.age_first")
    if age_years >= OLDEST:
        return translate("kpis.age_oldest", years=OLDEST)
    return translate("kpis.age_years", years=age_years)


@dataclass(frozen=True)
class MonthFigures:
    month: str  # YYYY-MM
    sold: int
    grasped: int
    base: int
    active: int

    @property
    def grasp_rate(self) -> float | None:
        return self.grasped / self.sold if self.sold else None

    @property
    def active_ratio(self) -> float | None:
        return self.active / self.base if self.base else None


def monthly_totals(snapshots: list[dict]) -> list[MonthFigures]:
    """The history's rows (per dealer, month and vehicle age) summed into one row per month, oldest first.

    Rates are recomputed from the summed counts: an average of per-age rates would weigh a handful of
    ten-year-old cars like the whole first-year cohort.
    """
    sums: dict[str, list[int]] = {}
    for row in snapshots:
        month = str(row["month"])[:7]
        counts = sums.setdefault(month, [0, 0, 0, 0])
        for index, key in enumerate(("sold", "grasped", "base", "active")):
            counts[index] += int(row[key])
    return [MonthFigures(month, *counts) for month, counts in sorted(sums.items())]


def month_label(month: str, language: str) -> str:
    year, number = month.split("-")
    return f"{year}年{int(number)}月" if language == "zh-CN" else f"{year}-{number}"


def csv_text(table: Table) -> str:
    """With a byte-order mark, so Excel on a Chinese Windows opens the Chinese headers as text, not mojibake."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(table.headers)
    writer.writerows(table.rows)
    return buffer.getvalue()


def _percent(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio * 100:.1f}%"


def grasp_table(report: dict, translate: Callable[..., str]) -> Table:
    headers = [translate(k) for k in ("kpis.vehicle_age", "kpis.sold", "kpis.grasped", "kpi.grasp_rate",
                                      "kpis.base", "kpis.active", "kpi.active_ratio")]
    rows = [[label, f"{r['sold']:,}", f"{r['grasped']:,}", _percent(r["grasp_rate"]), f"{r['base']:,}",
             f"{r['active']:,}", _percent(r["active_ratio"])]
            for label, r in [*((age_label(r["age_years"], translate), r) for r in report["by_age"]),
                             (translate("kpis.total"), report["total"])]]
    return Table(headers, rows)


def history_table(months: list[MonthFigures], translate: Callable[..., str], language: str) -> Table:
    headers = [translate(k) for k in ("kpis.month", "kpis.sold", "kpis.grasped", "kpi.grasp_rate", "kpis.base",
                                      "kpis.active", "kpi.active_ratio")]
    return Table(headers, [[month_label(m.month, language), f"{m.sold:,}", f"{m.grasped:,}", _percent(m.grasp_rate),
                            f"{m.base:,}", f"{m.active:,}", _percent(m.active_ratio)] for m in months])


def churn_table(report: dict, translate: Callable[..., str], language: str) -> Table:
    headers = [translate(k) for k in ("kpis.month", "kpis.cohort_month", "kpis.visited", "kpis.churned",
                                      "kpis.churn_rate")]
    return Table(headers, [[month_label(str(report["month"])[:7], language),
                            month_label(str(report["cohort_month"])[:7], language), f"{report['visited']:,}",
                            f"{report['churned']:,}", _percent(report["churn_rate"])]])


def distribution_table(counts: dict[str, int], label: Callable[[str], str], translate: Callable[..., str],
                       measure: str) -> Table:
    """Largest group first; each row's share of the customers counted."""
    total = sum(counts.values()) or 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return Table([translate(measure), translate("kpis.customers"), translate("kpis.share")],
                 [[label(code), f"{count:,}", _percent(count / total)] for code, count in ordered])
