"""The club's capacity rule."""

import pytest

from crm_care.domain.club import SignUpRefused, check_room


def test_a_place_is_left_until_the_capacity_is_reached():
    check_room(taken=1, capacity=2, already_signed_up=False)
    with pytest.raises(SignUpRefused, match="full"):
        check_room(taken=2, capacity=2, already_signed_up=False)


def test_a_member_signed_up_already_keeps_the_place_when_the_activity_is_full():
    check_room(taken=2, capacity=2, already_signed_up=True)
