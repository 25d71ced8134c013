"""The KPI and import screens' pure parts: SVG charts, KPI tables and CSVs, an import's phase and report."""

import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest

from crm_console.domain import charts
from crm_console.domain.imports import content_type_of, handled_share, phase, report_csv, report_rows
from crm_console.domain.kpi_screen import panels
from crm_console.domain.kpi_tables import age_label, csv_text, monthly_totals
from crm_console.i18n import Translator

SVG = "{http://www.w3.org/2000/svg}"
ZH = Translator("zh-CN")


def texts(svg: str) -> list[str]:
    return [element.text for element in ET.fromstring(svg).iter(SVG + "text")]


def test_grasp_chart_names_each_vehicle_age_and_writes_each_bar_s_percentage():
    svg = charts.percent_bars("客户掌握率", ["1年", "2年", "3年"],
                              [charts.Series("客户掌握率", [0.92, 0.71, None]),
                               charts.Series("活跃客户比例", [0.88, 0.64, 0.40])], "比例（%）", "车龄")
    shown = texts(svg)
    assert [t for t in shown if t.endswith("年")] == ["1年", "2年", "3年"]
    assert {"92%", "71%", "88%", "64%", "40%"} <= set(shown)
    assert {"0%", "20%", "40%", "60%", "80%", "100%", "车龄", "比例（%）"} <= set(shown)  # axes and units
    assert ET.fromstring(svg).find(SVG + "title").text == "客户掌握率"
    # No bar for a vehicle age with nothing to divide: 3 bars for grasp rate would claim a 0%.
    assert len([r for r in ET.fromstring(svg).iter(SVG + "rect") if r.get("fill") == charts.COLOURS[0]]) == 1 + 2


def test_a_higher_share_draws_a_taller_bar():
    svg = charts.percent_bars("t", ["a", "b"], [charts.Series("s", [0.9, 0.3])], "%", "x")
    bars = [r for r in ET.fromstring(svg).iter(SVG + "rect") if r.get("width") != "12"]
    assert float(bars[0].get("height")) == pytest.approx(3 * float(bars[1].get("height")), abs=0.2)


def test_history_lines_label_months_and_end_with_the_latest_figure():
    months = [f"2026年{m}月" for m in range(1, 13)]
    svg = charts.percent_lines("趋势", months, [charts.Series("客户掌握率", [0.5 + m / 100 for m in range(12)])],
                               "比例（%）", "月份")
    shown = texts(svg)
    assert "2026年1月" in shown and "2026年12月" in shown
    assert "61.0%" in shown
    assert len(list(ET.fromstring(svg).iter(SVG + "polyline"))) == 1


def test_24_months_keep_short_labels_and_write_each_year_once():
    months = [(2025 + (m // 12), m % 12 + 1) for m in range(24)]
    svg = charts.percent_lines("趋势", [f"{m}月" for _, m in months], [charts.Series("s", [0.5] * 24)], "%", "月份",
                               groups=[f"{y}年" for y, _ in months])
    shown = texts(svg)
    assert shown.count("2025年") == 1 and shown.count("2026年") == 1
    assert len([t for t in shown if t.endswith("月") and t != "月份"]) == 12  # every other month: no overlap
    assert "12月" in shown  # the latest month is always labelled


def test_labels_are_escaped_not_markup():
    svg = charts.count_bars("<b>", ["A&B"], [3], "人")
    assert "A&B" in texts(svg) and "<b>" not in svg.replace("&lt;b&gt;", "")


def test_distribution_bars_show_count_and_share():
    assert {"300 (75.0%)", "100 (25.0%)"} <= set(texts(charts.count_bars("价值类型", ["贵宾型", "维持型"],
                                                                          [300, 100], "客户数")))


def test_vehicle_age_reads_as_dealers_say_it():
    assert [age_label(a, ZH) for a in (0, 1, 5, 10)] == ["不足1年", "1年", "5年", "10年及以上"]
    assert age_label(3, Translator("en")) == "3 yr"


def test_monthly_totals_recompute_rates_from_summed_counts():
    rows = [{"month": "2026-10-01", "sold": 100, "grasped": 90, "base": 120, "active": 100},
            {"month": "2026-10-01", "sold": 10, "grasped": 1, "base": 10, "active": 1},
            {"month": "2026-09-01", "sold": 0, "grasped": 0, "base": 0, "active": 0}]
    september, october = monthly_totals(rows)
    assert september.month == "2026-09" and september.grasp_rate is None
    assert october.grasp_rate == 91 / 110  # not the mean of 90% and 10%
    assert october.active_ratio == 101 / 130


def test_kpi_panels_hold_tables_in_chinese_and_their_csv_opens_in_excel():
    row = {"sold": 100, "grasped": 62, "grasp_rate": 0.62, "base": 150, "active": 75, "active_ratio": 0.5}
    values = {"grasp": {"by_age": [{"age_years": 1, **row}], "total": row},
              "distributions": {"value_type": {"vip": 3, "maintain": 1}, "lifecycle_stage": {},
                                "rfm_segment": {}, "abc_class": {"A": 1}}}
    shown = panels(values, ZH, "zh-CN")
    assert shown["grasp"].table.rows[0] == ["1年", "100", "62", "62.0%", "150", "75", "50.0%"]
    assert shown["grasp"].table.rows[-1][0] == "合计"
    assert shown["value_type"].table.rows[0] == ["贵宾型", "3", "75.0%"]
    assert "history" not in shown  # not fetched: no empty chart pretending to be one
    text = csv_text(shown["grasp"].table)
    assert text.startswith("\ufeff车龄,")
    assert list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1][3] == "62.0%"


def test_an_import_reads_importing_then_scoring_then_done():
    job = {"status": "running", "processed": 3, "total_rows": 4}
    assert phase(job, None, follows_scoring=True) == "importing"
    assert handled_share(job) == 0.75
    done = {**job, "status": "done", "processed": 4}
    assert phase(done, None, follows_scoring=True) == "scoring"  # segmentation has not seen it yet
    assert phase(done, {"status": "applying"}, follows_scoring=True) == "scoring"
    assert phase(done, {"status": "done"}, follows_scoring=True) == "done"
    assert phase(done, {"status": "unchanged"}, follows_scoring=True) == "done"
    assert phase(done, {"status": "failed"}, follows_scoring=True) == "scoring_failed"
    assert phase(done, None, follows_scoring=False) == "done"
    assert phase({**job, "status": "aborted"}, None, follows_scoring=True) == "aborted"


def test_a_file_s_format_comes_from_its_name():
    assert content_type_of("客户.CSV") == "text/csv"
    assert content_type_of("visits.ndjson") == "application/x-ndjson"
    assert content_type_of("客户.xlsx") is None


def test_the_report_names_line_field_and_error_and_its_csv_holds_them():
    rows = report_rows([{"line": 3, "errors": [{"in": "body", "pointer": "/mobile", "detail": "无效手机号"}]},
                        {"line": 7, "errors": [{"in": "body", "pointer": "", "detail": "not JSON"}]}], str)
    assert rows == [(3, "mobile", "无效手机号"), (7, "—", "not JSON")]
    text = report_csv(["行号", "字段", "错误"], rows)
    assert re.search(r"^3,mobile,无效手机号\r?$", text, re.M)
