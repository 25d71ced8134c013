"""The KPI screen's panels: for each figure, its chart and the table beside it (which is also its CSV)."""

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup

from crm_console.domain import charts
from crm_console.domain.kpi_tables import (
    Table,
    age_label,
    churn_table,
    distribution_table,
    grasp_table,
    history_table,
    monthly_totals,
)

# Distribution measure -> the catalogue group of its codes (the same terms the Customer 360 uses).
DISTRIBUTIONS = {"value_type": "value_type", "lifecycle_stage": "lifecycle", "rfm_segment": "rfm_segment",
                 "abc_class": "abc_class"}
PANELS = ("grasp", "history", "churn", *DISTRIBUTIONS)


@dataclass(frozen=True)
class Panel:
    key: str  # also the CSV's name: /console/kpis/<key>.csv
    title: str
    table: Table
    chart: Markup | None = None


def _term(translate, group: str) -> Callable[[str], str]:
    def label(code: str) -> str:
        key = f"{group}.{code}"
        if translate.has(key):
            return translate(key)
        return translate("kpis.unscored") if code == "unscored" else code  # profiles not scored yet
    return label


def panels(values: dict, translate, language: str) -> dict[str, Panel]:
    """Panels for the parts that were fetched (a part that is missing or unavailable has no panel)."""
    t = translate
    shown: dict[str, Panel] = {}
    ratios = (t("kpi.grasp_rate"), t("kpi.active_ratio"))
    if values.get("grasp"):
        rows = values["grasp"]["by_age"]
        title = t("kpis.grasp_title")
        shown["grasp"] = Panel("grasp", title, grasp_table(values["grasp"], t), charts.percent_bars(
            title, [age_label(r["age_years"], t) for r in rows],
            [charts.Series(ratios[0], [r["grasp_rate"] for r in rows]),
             charts.Series(ratios[1], [r["active_ratio"] for r in rows])],
            y_unit=t("kpis.percent_axis"), x_unit=t("kpis.vehicle_age")))
    if values.get("history"):
        months = monthly_totals(values["history"])
        title = t("kpis.history_title")
        shown["history"] = Panel("history", title, history_table(months, t, language), charts.percent_lines(
            title, [t("kpis.month_short", month=int(m.month[5:])) for m in months],
            [charts.Series(ratios[0], [m.grasp_rate for m in months]),
             charts.Series(ratios[1], [m.active_ratio for m in months])],
            y_unit=t("kpis.percent_axis"), x_unit=t("kpis.month"),
            groups=[t("kpis.year", year=m.month[:4]) for m in months]))
    if values.get("churn"):
        shown["churn"] = Panel("churn", t("kpis.churn_title"), churn_table(values["churn"], t, language))
    for measure, group in DISTRIBUTIONS.items():
        counts = (values.get("distributions") or {}).get(measure)
        if counts is None:
            continue
        title = t(f"kpis.distribution.{measure}")
        table = distribution_table(counts, _term(t, group), t, f"profile.{measure}")
        chart = charts.count_bars(title, [row[0] for row in table.rows],
                                  [int(row[1].replace(",", "")) for row in table.rows], t("kpis.customers_axis"))
        shown[measure] = Panel(measure, title, table, chart)
    return shown
