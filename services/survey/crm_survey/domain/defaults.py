"""The templates every dealer starts with: SSI and CSI with the J.D. Power China factor sets and 2015
weights (DOMAIN.md), each with an NPS question, and a short follow-up survey after a resolved complaint."""

import uuid

from crm_survey.domain.templates import TemplateDefinition

SHIPPED_NAMESPACE = uuid.UUID("6f1c3e2a-5b7d-4e8f-9a01-2b3c4d5e6f70")


def shipped_template_id(kind: str) -> uuid.UUID:
    return uuid.uuid5(SHIPPED_NAMESPACE, f"default-{kind}")


def _t(zh: str, en: str) -> dict[str, str]:
    return {"zh-CN": zh, "en": en}


def _rated(qid: str, factor: str, zh: str, en: str) -> dict:
    return {"id": qid, "type": "scale_10", "factor": factor, "text": _t(zh, en)}


def _closing_questions(subject_zh: str, subject_en: str) -> list[dict]:
    return [
        {"id": "expectation_vs_experience", "type": "expectation_experience", "required": False,
         "text": _t(f"{subject_zh}之前您的期望值和实际体验分别是多少？(1–10)",
                    f"How high were your expectations of the {subject_en}, and how was the experience? (1–10)")},
        {"id": "recommend", "type": "nps",
         "text": _t("您向亲友推荐本店的可能性有多大？(0–10)",
                    "How likely are you to recommend this dealer to a friend or colleague? (0–10)")},
        {"id": "what_went_wrong", "type": "text", "required": False, "show_if": {"question": "recommend", "at_most": 6},
         "text": _t("请告诉我们哪里让您不满意。", "Please tell us what disappointed you.")},
        {"id": "comment", "type": "text", "required": False,
         "text": _t("其他意见或建议", "Any other comments or suggestions")},
    ]


SSI = {
    "kind": "ssi",
    "title": _t("销售满意度调查 (SSI)", "Sales satisfaction survey (SSI)"),
    "factors": [
        {"id": "delivery", "weight": 0.23, "text": _t("交车", "Delivery")},
        {"id": "sales_initiation", "weight": 0.21, "text": _t("销售启动", "Sales initiation")},
        {"id": "deal", "weight": 0.20, "text": _t("交易达成", "Deal")},
        {"id": "dealer_facility", "weight": 0.19, "text": _t("经销商设施", "Dealer facility")},
        {"id": "salesperson", "weight": 0.17, "text": _t("销售顾问", "Salesperson")},
    ],
    "questions": [
        _rated("delivery_on_time", "delivery", "交车是否准时", "Was the car delivered on time"),
        _rated("delivery_explained", "delivery", "交车时对车辆功能的讲解",
               "How the car's features were explained at delivery"),
        _rated("first_contact", "sales_initiation", "首次接待的及时与热情",
               "Promptness and warmth of the first welcome"),
        _rated("needs_understood", "sales_initiation", "对您需求的了解", "How well your needs were understood"),
        _rated("price_clarity", "deal", "价格与费用的透明度", "Clarity of price and fees"),
        _rated("paperwork_speed", "deal", "手续办理的效率", "Speed of the paperwork"),
        _rated("showroom_comfort", "dealer_facility", "展厅的舒适与整洁", "Comfort and cleanliness of the showroom"),
        _rated("test_drive", "dealer_facility", "试乘试驾安排", "Test-drive arrangements"),
        _rated("salesperson_knowledge", "salesperson", "销售顾问的专业知识", "Salesperson's product knowledge"),
        _rated("salesperson_honesty", "salesperson", "销售顾问的诚信", "Salesperson's honesty"),
        *_closing_questions("购车", "purchase"),
    ],
}

CSI = {
    "kind": "csi",
    "title": _t("售后服务满意度调查 (CSI)", "Service satisfaction survey (CSI)"),
    "factors": [
        {"id": "service_quality", "weight": 0.22, "text": _t("服务质量", "Service quality")},
        {"id": "vehicle_pickup", "weight": 0.20, "text": _t("取车", "Vehicle pick-up")},
        {"id": "service_facility", "weight": 0.20, "text": _t("服务设施", "Service facility")},
        {"id": "service_advisor", "weight": 0.19, "text": _t("服务顾问", "Service advisor")},
        {"id": "service_initiation", "weight": 0.19, "text": _t("服务启动", "Service initiation")},
    ],
    "questions": [
        _rated("fixed_first_time", "service_quality", "一次修复率", "Was the work done right the first time"),
        _rated("work_thoroughness", "service_quality", "维修保养的细致程度", "Thoroughness of the work"),
        _rated("ready_on_time", "vehicle_pickup", "是否按承诺时间交车", "Was the car ready when promised"),
        _rated("charges_explained", "vehicle_pickup", "取车时费用的解释", "How the charges were explained at pick-up"),
        _rated("lounge_comfort", "service_facility", "休息区的舒适度", "Comfort of the customer lounge"),
        _rated("facility_clean", "service_facility", "服务区的整洁", "Cleanliness of the service area"),
        _rated("advisor_courtesy", "service_advisor", "服务顾问的礼貌", "Service advisor's courtesy"),
        _rated("advisor_explained", "service_advisor", "服务顾问对维修项目的解释",
               "How the advisor explained the work"),
        _rated("appointment_ease", "service_initiation", "预约的便利性", "Ease of booking the appointment"),
        _rated("reception_speed", "service_initiation", "到店接待的速度", "Speed of reception on arrival"),
        *_closing_questions("本次服务", "service"),
    ],
}

FOLLOW_UP = {
    "kind": "follow_up",
    "title": _t("投诉处理回访", "Complaint follow-up"),
    "factors": [{"id": "resolution", "weight": 1.0, "text": _t("问题解决", "Resolution")}],
    "questions": [
        _rated("resolution_satisfaction", "resolution", "您对问题处理结果的满意度",
               "How satisfied are you with the resolution"),
        _rated("resolution_speed", "resolution", "问题处理的速度", "How quickly it was handled"),
        {"id": "recommend", "type": "nps",
         "text": _t("您向亲友推荐本店的可能性有多大？(0–10)",
                    "How likely are you to recommend this dealer to a friend or colleague? (0–10)")},
        {"id": "comment", "type": "text", "required": False, "text": _t("其他意见", "Any other comments")},
    ],
}

SHIPPED = {"ssi": SSI, "csi": CSI, "follow_up": FOLLOW_UP}


def shipped_definitions() -> dict[str, TemplateDefinition]:
    return {kind: TemplateDefinition.model_validate(raw) for kind, raw in SHIPPED.items()}
