"""The survey page's pure parts: a browser's form read back as answers, what each question shows,
answers worded for reading back, the catalogues, and the CSS that hides a follow-up question."""

import json
from datetime import UTC, datetime

from crm_survey.domain.answers import answer_errors
from crm_survey.domain.defaults import shipped_definitions
from crm_survey.domain.templates import TemplateDefinition
from crm_survey.pages import views
from crm_survey.pages.catalogue import MESSAGES, from_accept_language, texts
from crm_survey.pages.form import answers_from_form
from crm_survey.pages.render import conditional_css

CSI = shipped_definitions()["csi"]
CHOICES = TemplateDefinition.model_validate({
    "kind": "nps", "title": {"zh-CN": "到店体验", "en": "Visit"},
    "questions": [
        {"id": "visited_for", "type": "single_choice", "text": {"zh-CN": "来店目的"},
         "options": [{"id": "service", "text": {"zh-CN": "保养", "en": "Service"}},
                     {"id": "repair", "text": {"zh-CN": "维修", "en": "Repair"}}]},
        {"id": "liked", "type": "multiple_choice", "required": False, "text": {"zh-CN": "您喜欢的"},
         "options": [{"id": "coffee", "text": {"zh-CN": "咖啡"}}, {"id": "wifi", "text": {"zh-CN": "无线网络"}}]},
        {"id": "rating", "type": "scale_5", "text": {"zh-CN": "总体评价"}},
    ]})


def test_a_filled_in_form_becomes_the_answers_the_api_takes():
    form = {"fixed_first_time": ["9"], "recommend": ["10"], "comment": ["  服务很好 "],
            "expectation_vs_experience.expectation": ["7"], "expectation_vs_experience.experience": ["9"],
            "what_went_wrong": [""], "unrelated": ["x"]}
    assert answers_from_form(CSI, form) == {
        "fixed_first_time": 9, "recommend": 10, "comment": "服务很好",
        "expectation_vs_experience": {"expectation": 7, "experience": 9}}


def test_choices_and_checkboxes_and_a_value_that_is_no_number_reach_the_answer_check_unchanged():
    form = {"visited_for": ["repair"], "liked": ["coffee", "wifi"], "rating": ["five"]}
    answers = answers_from_form(CHOICES, form)
    assert answers == {"visited_for": "repair", "liked": ["coffee", "wifi"], "rating": "five"}
    assert [(e.question_id, e.detail) for e in answer_errors(CHOICES, answers)] == [
        ("rating", "a whole number from 1 to 5")]


def test_a_complaint_written_before_raising_the_score_is_dropped_not_refused():
    """Without JavaScript the follow-up question stays visible; the respondent did nothing wrong."""
    form = {"recommend": ["9"], "what_went_wrong": ["等待太久"]}
    assert answers_from_form(CSI, form) == {"recommend": 9}
    assert answers_from_form(CSI, {"recommend": ["3"], "what_went_wrong": ["等待太久"]}) == {
        "recommend": 3, "what_went_wrong": "等待太久"}


def test_half_a_pair_is_passed_on_so_the_check_names_the_question():
    answers = answers_from_form(CSI, {"expectation_vs_experience.experience": ["8"]})
    assert answers == {"expectation_vs_experience": {"expectation": None, "experience": 8}}
    assert "expectation_vs_experience" in {e.question_id for e in answer_errors(CSI, answers)}


def test_questions_show_in_the_customers_language_with_what_was_already_chosen():
    t = texts("zh-CN")
    shown = views.question_views(CSI, "zh-CN", t, {"recommend": ["8"]}, {"ready_on_time": "error_required"})
    recommend = next(q for q in shown if q.id == "recommend")
    assert recommend.text == "您向亲友推荐本店的可能性有多大？(0–10)" and recommend.required
    [scale] = recommend.groups
    assert [c.value for c in scale.choices] == [str(n) for n in range(11)]
    assert [c.value for c in scale.choices if c.checked] == ["8"]
    assert (scale.low, scale.high) == ("0 = 完全不可能", "10 = 非常可能")
    ready = next(q for q in shown if q.id == "ready_on_time")
    assert ready.error == "请回答此题" and ready.groups[0].high == "10 = 非常满意"
    pair = next(q for q in shown if q.id == "expectation_vs_experience")
    assert [g.legend for g in pair.groups] == ["您之前的期望", "您的实际体验"] and not pair.required
    assert next(q for q in shown if q.id == "what_went_wrong").conditional


def test_an_option_question_in_english_falls_back_to_chinese_where_a_text_has_no_english():
    shown = views.question_views(CHOICES, "en", texts("en"), {"liked": ["wifi"]}, {})
    assert [(c.label, c.checked) for c in shown[0].groups[0].choices] == [("Service", False), ("Repair", False)]
    assert shown[1].groups[0].multiple and [c.checked for c in shown[1].groups[0].choices] == [False, True]
    assert shown[0].text == "来店目的"


def test_refused_questions_are_told_apart_unanswered_from_answered_wrongly():
    keys = views.error_keys(CHOICES, {"rating": "five"}, ["rating", "visited_for", "colour"])
    assert keys == {"rating": "error_invalid", "visited_for": "error_required"}


def test_answers_are_read_back_in_words_in_the_questionnaires_order():
    answers = {"recommend": 9, "fixed_first_time": 8, "comment": "很好",
               "expectation_vs_experience": {"expectation": 7, "experience": 9}}
    lines = views.answer_lines(CSI, answers, "zh-CN", texts("zh-CN"))
    assert [(line.question, line.answer) for line in lines] == [
        ("一次修复率", "8 分（满分 10）"),
        ("本次服务之前您的期望值和实际体验分别是多少？(1–10)", "期望 7 分，体验 9 分"),
        ("您向亲友推荐本店的可能性有多大？(0–10)", "9 分（0–10）"),
        ("其他意见或建议", "很好")]
    chosen = views.answer_lines(CHOICES, {"visited_for": "repair", "liked": ["coffee", "wifi"]}, "en", texts("en"))
    assert [line.answer for line in chosen] == ["Repair", "咖啡, 无线网络"]


def test_the_answer_date_is_the_day_in_china():
    late_evening_utc = datetime(2026, 11, 27, 17, 30, tzinfo=UTC)  # already the 28th in Beijing
    assert views.long_date(late_evening_utc, texts("zh-CN")) == "2026年11月28日"
    assert views.long_date(late_evening_utc, texts("en")) == "28 November 2026"


def test_both_catalogues_have_every_text():
    catalogues = {path.stem: json.loads(path.read_text()) for path in MESSAGES.glob("*.json")}
    assert set(catalogues) == {"zh-CN", "en"}
    assert set(catalogues["zh-CN"]) == set(catalogues["en"])
    assert all(value for catalogue in catalogues.values() for value in catalogue.values())


def test_a_link_without_an_invitation_speaks_the_browsers_language():
    assert from_accept_language("en-GB,en;q=0.9") == "en"
    assert from_accept_language("zh-TW,zh;q=0.9,en;q=0.8") == "zh-CN"
    assert from_accept_language("fr-FR,fr;q=0.9") == "zh-CN"
    assert from_accept_language(None) == "zh-CN"


def test_the_follow_up_question_is_shown_by_css_only_for_a_detractors_score():
    css = str(conditional_css(CSI))
    assert ".q-what_went_wrong { display: none; }" in css
    shown_for = [n for n in range(11) if f'input[name="recommend"][value="{n}"]:checked' in css]
    assert shown_for == [0, 1, 2, 3, 4, 5, 6]
    assert str(conditional_css(CHOICES)) == ""
