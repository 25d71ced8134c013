"""The survey screen's pure shapes: the index as dealers read it, the trend table and CSV, the line chart on the
1,000-point scale with Chinese month labels, and a hot alert's age against its 24-hour limit."""

from datetime import UTC, datetime

from crm_console.domain import surveys as shape

TREND = [{"month": "2025-12", "index": 812.44, "nps": 35.0, "responses": 40, "response_rate": 0.5},
         {"month": "2026-01", "index": 790.0, "nps": -5.25, "responses": 1_200, "response_rate": None},
         {"month": "2026-02", "index": None, "nps": None, "responses": 0, "response_rate": None}]


def test_index_and_nps_are_written_as_dealers_read_them():
    assert shape.index_text(812.44) == "812.4"
    assert shape.index_text(None) == "—"
    assert shape.nps_text(35.0) == "+35.0"
    assert shape.nps_text(-5.25) == "-5.2"


def test_trend_rows_give_each_month_its_figures_and_a_dash_where_there_are_none():
    rows = shape.trend_rows(TREND)
    assert rows[0] == ["2025-12", "812.4", "+35.0", "40", "50.0%"]
    assert rows[1][3] == "1200" and rows[1][4] == "—"
    assert rows[2][1:3] == ["—", "—"]


def test_the_csv_opens_in_excel_with_chinese_headers():
    text = shape.csv_text(["月份", "指数"], [["2026-01", "790.0"]])
    assert text.startswith("\ufeff月份,指数")
    assert "2026-01,790.0" in text


def test_the_trend_chart_has_its_title_axis_unit_month_labels_and_values():
    svg = str(shape.index_line("CSI指数月度趋势", TREND, "指数（分，满分1,000）", "月份"))
    assert "<title>CSI指数月度趋势</title>" in svg
    assert "指数（分，满分1,000）" in svg and ">1,000<" in svg
    assert ">12月<" in svg and ">1月<" in svg and ">2月<" in svg
    assert ">2025<" in svg and ">2026<" in svg  # the year once where it starts or turns
    assert ">812<" in svg and ">790<" in svg
    assert svg.count("<circle") == 2  # a month without responses draws no point


def test_a_hot_alert_past_24_hours_is_overdue():
    now = datetime(2026, 11, 28, 12, tzinfo=UTC)
    assert shape.alert_age_hours("2026-11-28T02:30:00+00:00", now) == 9
    assert not shape.alert_overdue("2026-11-28T02:30:00+00:00", now)
    assert shape.alert_overdue("2026-11-27T11:00:00+00:00", now)


ALERT = {"id": "a1", "kind": "csi", "question_text": "休息区的舒适度", "score": 2.0, "comment": "太吵",
         "customer_id": "c1"}


def test_a_case_opened_here_names_its_alert_and_is_found_again():
    summary = shape.case_summary(ALERT)
    assert summary == "CSI 休息区的舒适度: 2 — 太吵 [a1]"
    cases = [{"id": "k0", "alert_id": None, "summary": "another complaint"}, {"id": "k1", "summary": summary}]
    assert shape.cases_by_alert([ALERT, {**ALERT, "id": "a2"}], cases) == {"a1": "k1"}


def test_the_case_care_opened_from_the_alert_counts_as_its_case():
    cases = [{"id": "k2", "alert_id": "a1", "summary": "CSI 休息区的舒适度: 2"}]
    assert shape.cases_by_alert([ALERT], cases) == {"a1": "k2"}


DEFINITION = {"kind": "csi", "title": {"zh-CN": "售后满意度"}, "questions": [
    {"id": "lounge", "type": "scale_10", "text": {"zh-CN": "休息区的舒适度", "en": "Lounge comfort"}},
    {"id": "recommend", "type": "nps", "text": {"zh-CN": "您会推荐吗？"}},
    {"id": "pair", "type": "expectation_experience", "text": {"zh-CN": "期望与体验"}},
    {"id": "heard", "type": "multiple_choice", "text": {"zh-CN": "从哪里得知"}, "required": False,
     "options": [{"id": "friend", "text": {"zh-CN": "朋友"}}, {"id": "web", "text": {"zh-CN": "网站"}}]},
    {"id": "comment", "type": "text", "text": {"zh-CN": "其他意见"}, "required": False}]}


def test_the_caller_reads_each_question_in_the_page_language_with_its_possible_answers():
    questions = shape.phone_questions(DEFINITION, "zh-CN")
    assert [q["text"] for q in questions][:2] == ["休息区的舒适度", "您会推荐吗？"]
    assert [v for v, _ in questions[0]["choices"]] == [str(n) for n in range(1, 11)]
    assert questions[1]["choices"][0] == ("0", "0")  # NPS runs 0–10
    assert questions[3]["choices"] == [("friend", "朋友"), ("web", "网站")]
    english = shape.phone_questions(DEFINITION, "en")
    assert english[0]["text"] == "Lounge comfort" and english[1]["text"] == "您会推荐吗？"  # no English: Chinese


def test_the_form_becomes_the_answers_the_survey_api_reads_and_leaves_out_the_unanswered():
    questions = shape.phone_questions(DEFINITION, "zh-CN")
    form = {"lounge": ["3"], "recommend": ["0"], "pair.expectation": ["9"], "pair.experience": ["4"],
            "heard": ["friend", "web"], "comment": ["  "]}
    assert shape.phone_answers(questions, form) == {
        "lounge": 3, "recommend": 0, "pair": {"expectation": 9, "experience": 4}, "heard": ["friend", "web"]}
    assert shape.phone_answers(questions, {"pair.expectation": ["9"]}) == {}


TEMPLATE = {"kind": "csi", "title": {"zh-CN": "售后满意度"}, "factors": [{"id": "facility", "weight": 1.0,
                                                                     "text": {"zh-CN": "服务设施"}}],
            "questions": [{"id": "lounge", "type": "scale_10", "text": {"zh-CN": "休息区的舒适度"},
                           "factor": "facility", "required": True}]}


def test_an_edit_changes_texts_factor_kind_and_required_and_keeps_the_rest():
    form = {"q0.zh": "休息区是否舒适", "q0.en": "Was the lounge comfortable?", "q0.factor": "", "q0.kind": "scale_5"}
    edited, errors = shape.edited_definition(TEMPLATE, form)
    assert errors == {}
    assert edited["questions"][0] == {"id": "lounge", "type": "scale_5", "factor": None, "required": False,
                                      "text": {"zh-CN": "休息区是否舒适", "en": "Was the lounge comfortable?"}}
    assert edited["factors"] == TEMPLATE["factors"]


def test_an_edit_without_chinese_text_or_with_an_unknown_factor_is_refused_on_its_field():
    _, errors = shape.edited_definition(TEMPLATE, {"q0.zh": " ", "q0.factor": "parking", "q0.kind": "stars"})
    assert errors == {"q0.zh": "surveys.edit.error.text", "q0.factor": "surveys.edit.error.factor",
                      "q0.kind": "surveys.edit.error.kind"}


def test_the_stamp_changes_when_a_colleague_edits_the_same_draft_version():
    before = shape.definition_stamp({"version": 2, "definition": TEMPLATE})
    edited, _ = shape.edited_definition(TEMPLATE, {"q0.zh": "新题目", "q0.factor": "facility", "q0.required": "on"})
    assert before.startswith("2:")
    assert shape.definition_stamp({"version": 2, "definition": edited}) != before
    assert shape.definition_stamp({"version": 2, "definition": dict(TEMPLATE)}) == before
