"""What a staff password must be: long enough to resist guessing, and not the account's own name.

Length is what counts (NIST SP 800-63B §5.1.1.2): at least 12 characters and no composition rules beyond
two kinds of character, so a passphrase in pinyin or English passes and "aaaaaaaaaaaa" does not.
"""

MIN_LENGTH = 12
MAX_LENGTH = 200


def password_problems(new: str, *, username: str, current: str | None = None) -> list[str]:
    """Why `new` is refused, one plain sentence per reason; empty when it is acceptable."""
    problems = []
    if len(new) < MIN_LENGTH:
        problems.append(f"must be at least {MIN_LENGTH} characters")
    if len(new) > MAX_LENGTH:
        problems.append(f"must be at most {MAX_LENGTH} characters")
    if username and username.lower() in new.lower():
        problems.append("must not contain the username")
    if current is not None and new == current:
        problems.append("must differ from the current password")
    kinds = sum(any(test(c) for c in new) for test in (str.isalpha, str.isdigit, lambda c: not c.isalnum()))
    if len(set(new)) < 4 or kinds < 2:
        problems.append("must mix at least two kinds of character (letters, digits, symbols) and not repeat one")
    return problems
