"""The gateway's field errors are English sentences of known wording; the console shows its own texts."""

PROBLEM_KEYS = {
    "is not the current password": "password.wrong_current",
    "must be at least 12 characters": "password.too_short",
    "must be at most 200 characters": "password.too_long",
    "must not contain the username": "password.has_username",
    "must differ from the current password": "password.same_as_current",
    "must mix at least two kinds of character (letters, digits, symbols) and not repeat one": "password.too_simple",
}


def problem_key(detail: str) -> str:
    """The catalogue key for a known detail; an unknown one is returned as is and shown untranslated."""
    return PROBLEM_KEYS.get(detail, detail)
