"""Answers checked against a template version, and the rules a template must keep."""

from crm_survey.domain.answers import AnswerError, answer_errors, split_free_text, visible_questions
from crm_survey.domain.defaults import shipped_definitions
from crm_survey.domain.templates import TemplateDefinition, definition_errors

CSI = shipped_definitions()["csi"]


def template(questions, factors=()) -> TemplateDefinition:
    return TemplateDefinition.model_validate({"kind": "nps", "title": {"zh-CN": "测试"}, "factors": list(factors),
                                              "questions": questions})


CHOICES = template([
    {"id": "visited_for", "type": "single_choice", "text": {"zh-CN": "来店目的"},
     "options": [{"id": "repair", "text": {"zh-CN": "维修"}}, {"id": "maintenance", "text": {"zh-CN": "保养"}}]},
    {"id": "repair_quality", "type": "scale_10", "text": {"zh-CN": "维修质量"},
     "show_if": {"question": "visited_for", "any_of": ["repair"]}},
    {"id": "channels", "type": "multiple_choice", "required": False, "text": {"zh-CN": "渠道"},
     "options": [{"id": "sms", "text": {"zh-CN": "短信"}}, {"id": "wechat", "text": {"zh-CN": "微信"}}]},
    {"id": "recommend", "type": "nps", "text": {"zh-CN": "推荐"}},
])


def complete_csi(**overrides):
    return {**{q.id: 8 for q in CSI.questions if q.factor}, "recommend": 9, **overrides}


def test_complete_answers_pass():
    assert answer_errors(CSI, complete_csi()) == []


def test_every_bad_answer_is_named_at_once():
    answers = complete_csi(fixed_first_time=11, ready_on_time="7", lounge_comfort=True, colour="red")
    del answers["recommend"]
    assert sorted(answer_errors(CSI, answers), key=lambda e: e.question_id) == [
        AnswerError("colour", "not a question of this survey"),
        AnswerError("fixed_first_time", "a whole number from 1 to 10"),
        AnswerError("lounge_comfort", "a whole number from 1 to 10"),
        AnswerError("ready_on_time", "a whole number from 1 to 10"),
        AnswerError("recommend", "an answer is required"),
    ]


def test_a_conditional_question_is_required_only_when_shown_and_refused_when_hidden():
    assert answer_errors(CHOICES, {"visited_for": "repair", "recommend": 10}) == [
        AnswerError("repair_quality", "an answer is required")]
    assert answer_errors(CHOICES, {"visited_for": "maintenance", "recommend": 10}) == []
    assert answer_errors(CHOICES, {"visited_for": "maintenance", "repair_quality": 9, "recommend": 10}) == [
        AnswerError("repair_quality", "this question is not shown for your earlier answers")]
    assert [q.id for q in visible_questions(CHOICES, {"visited_for": "repair"})] == [
        "visited_for", "repair_quality", "channels", "recommend"]


def test_the_nps_follow_up_text_shows_for_detractors_only():
    assert answer_errors(CSI, complete_csi(recommend=9, what_went_wrong="排队太久")) == [
        AnswerError("what_went_wrong", "this question is not shown for your earlier answers")]
    assert answer_errors(CSI, complete_csi(recommend=4, what_went_wrong="排队太久")) == []


def test_choices_pairs_and_text_are_checked():
    errors = answer_errors(CHOICES, {"visited_for": "wash", "channels": ["sms", "sms"], "recommend": 11})
    assert {e.question_id for e in errors} == {"visited_for", "channels", "recommend"}
    assert answer_errors(CSI, complete_csi(expectation_vs_experience={"expectation": 0, "experience": 5}))
    assert answer_errors(CSI, complete_csi(comment="   ")) == [AnswerError("comment", "text")]
    assert answer_errors(CSI, complete_csi(comment="x" * 2001)) == [AnswerError("comment", "at most 2000 characters")]


def test_free_text_is_kept_apart_from_ratings():
    rated, free = split_free_text(CSI, complete_csi(comment=" 很好 "))
    assert free == {"comment": "很好"} and "comment" not in rated and rated["recommend"] == 9


def test_template_rules_beyond_field_types():
    broken = template(
        [{"id": "q1", "type": "scale_10", "factor": "missing", "text": {"zh-CN": "一"}},
         {"id": "q1", "type": "text", "factor": "a", "text": {"zh-CN": "二"}},
         {"id": "q3", "type": "single_choice", "text": {"zh-CN": "三"},
          "options": [{"id": "x", "text": {"zh-CN": "x"}}]},
         {"id": "q4", "type": "scale_10", "text": {"zh-CN": "四"}, "show_if": {"question": "q9", "at_most": 3}}],
        factors=[{"id": "a", "weight": 0.5, "text": {"zh-CN": "甲"}},
                 {"id": "b", "weight": 0.3, "text": {"zh-CN": "乙"}}])
    assert sorted(definition_errors(broken)) == sorted([
        ("/factors", "factor weights must add up to 1"),
        ("/questions/0/factor", "no factor 'missing' in this template"),
        ("/questions/1/id", "question id 'q1' is used twice"),
        ("/questions/1/factor", "only 1–5 and 1–10 scale questions belong to a factor"),
        ("/questions/2/options", "a choice question needs at least two options"),
        ("/questions/3/show_if/question", "must name an earlier question"),
        ("/factors", "factor 'b' has no question"),
    ])


def test_shipped_templates_keep_every_rule_and_speak_both_languages():
    for definition in shipped_definitions().values():
        assert definition_errors(definition) == []
        assert all(q.text.en for q in definition.questions)
    assert CSI.question("recommend").text.in_language("en").startswith("How likely")
    assert CSI.question("recommend").text.in_language("zh-CN").startswith("您向亲友推荐")
