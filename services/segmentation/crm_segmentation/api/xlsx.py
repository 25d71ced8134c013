"""The customer value report as an XLSX workbook: one sheet per section, Chinese names, numbers as numbers."""

import io

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from crm_segmentation.domain.report import name_zh
from crm_segmentation.models.kpis import AgeRowPublic
from crm_segmentation.models.report import CustomerValueReport

PERCENT = "0.0%"
MEASURE_ZH = {"value_type": "价值类型", "lifecycle_stage": "生命周期", "rfm_segment": "RFM分群"}
RISK_ZH = {"high": "高", "medium": "中", "low": "低"}
NOT_YET_ZH = {"ssi_csi": "SSI/CSI指数与弱项：细分服务尚未接收调查事件",
              "campaign_results": "活动成效：细分服务尚未接收关怀服务的活动事件"}


def _sheet(book: Workbook, title: str, header: list[str]) -> Worksheet:
    sheet = book.create_sheet(title)
    sheet.append(header)
    return sheet


def _age(age: int) -> str:
    return "合计" if age < 0 else ("10年及以上" if age >= 10 else f"{age}年")


def _grasp_cells(row: AgeRowPublic) -> list:
    return [row.sold, row.grasped, row.grasp_rate, row.base, row.active, row.active_ratio]


def workbook(report: CustomerValueReport) -> bytes:
    book = Workbook()
    overview = book.active
    overview.title = "概览"
    for label, cell in (("范围", report.scope), ("月份", report.month.strftime("%Y-%m")), ("截至", report.as_of),
                        ("客户数", report.customers), ("车辆数", report.vehicles),
                        ("无交车日期车辆数", report.vehicles_undated)):
        overview.append([label, cell])
    grasp = _sheet(book, "客户掌握率与活跃客户比例",
                   ["车龄", "本月销售车辆", "本月掌握车辆", "本月客户掌握率", "本月基盘车辆", "本月活跃车辆",
                    "本月活跃客户比例", "去年同月销售车辆", "去年同月掌握车辆", "去年同月客户掌握率",
                    "去年同月基盘车辆", "去年同月活跃车辆", "去年同月活跃客户比例"])
    for row in [*report.grasp.by_age, report.grasp.total]:
        grasp.append([_age(row.age_years), *_grasp_cells(row.month), *_grasp_cells(row.year_ago)])
    for column in ("D", "G", "J", "M"):
        for cell in grasp[column][1:]:
            cell.number_format = PERCENT
    distribution = _sheet(book, "客户分布", ["维度", "类别", "客户数"])
    movements = _sheet(book, "客户变动", ["维度", "上月类别", "本月类别", "客户数"])
    for section in report.classes:
        measure = MEASURE_ZH[section.measure]
        for code, count in (section.distribution or {}).items():
            distribution.append([measure, name_zh(section.measure, code), count])
        if section.movements is None:
            movements.append([measure, "无上月快照，无法计算变动", None, None])
        for move in section.movements or []:
            movements.append([measure, name_zh(section.measure, move.from_class),
                              name_zh(section.measure, move.to_class), move.customers])
    risks = _sheet(book, "流失风险客户", ["客户ID", "流失风险", "存活概率", "价值类型", "生命周期", "原因"])
    for risk in report.churn_risks:
        risks.append([str(risk.customer_id), RISK_ZH.get(risk.churn_risk, risk.churn_risk), risk.p_alive,
                      name_zh("value_type", risk.value_type or "unscored"),
                      name_zh("lifecycle_stage", risk.lifecycle_stage or "unscored"), "；".join(risk.reasons)])
    for cell in risks["C"][1:]:
        cell.number_format = PERCENT
    later = _sheet(book, "尚未提供", ["章节", "说明"])
    for section in report.not_yet:
        later.append([section.section, NOT_YET_ZH.get(section.section, section.reason)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
