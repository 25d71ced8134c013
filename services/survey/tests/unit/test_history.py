"""The rules for past survey results brought from a previous vendor."""

from datetime import UTC, datetime, timedelta

from crm_survey.domain.history import PastResponseDates, date_errors, duplicate_positions, invitation_key

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def test_the_vendor_number_is_the_key_within_a_dealer():
    assert invitation_key("D1", "VENDOR-0001") == invitation_key("D1", "VENDOR-0001")
    assert invitation_key("D1", "VENDOR-0001") != invitation_key("D2", "VENDOR-0001")
    assert invitation_key("D1", "VENDOR-0001") != invitation_key("D1", "VENDOR-0002")


def test_an_answer_is_in_the_past_with_an_offset_and_after_its_sending():
    past = NOW - timedelta(days=30)
    assert date_errors(PastResponseDates(past, past - timedelta(days=1)), NOW) == []
    assert [f for f, _ in date_errors(PastResponseDates(NOW + timedelta(hours=1), None), NOW)] == ["answered_at"]
    assert [f for f, _ in date_errors(PastResponseDates(past.replace(tzinfo=None), None), NOW)] == ["answered_at"]
    assert [f for f, _ in date_errors(PastResponseDates(past, past + timedelta(days=1)), NOW)] == ["sent_at"]


def test_a_number_repeated_in_one_upload_is_named_where_it_repeats():
    assert duplicate_positions(["A", "B", "A", "C", "B"]) == [2, 4]
    assert duplicate_positions(["A", "B"]) == []
