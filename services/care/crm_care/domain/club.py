"""Club rules: who may sign up for an activity."""


class SignUpRefused(Exception):
    pass


def check_room(taken: int, capacity: int, already_signed_up: bool) -> None:
    """A member signing up again keeps their place even when the activity is full since."""
    if not already_signed_up and taken >= capacity:
        raise SignUpRefused("The activity is full.")
