"""Throttling repeated failed logins: after a few failures in a row, each further one blocks for longer.

Counted per account and source address together, so a guesser elsewhere cannot lock the owner out
(OWASP Authentication Cheat Sheet), and per address across every account, so one address cannot try a
few passwords on each of many accounts.
"""

from datetime import datetime, timedelta

MAX_BLOCK = timedelta(minutes=15)
# Failures further apart than this are not "in a row": the count starts again.
FORGET_AFTER = timedelta(hours=1)


def blocked_until(failures: int, last_failure: datetime, *, max_failures: int, first_block_seconds: float
                  ) -> datetime | None:
    """When the next attempt is allowed after `failures` failures in a row, None if at once.

    5 failures allowed, then 30 s, 60 s, 120 s … up to 15 minutes: a person who mistyped waits
    seconds, a password-guessing script gets a few hundred tries a day per account and address.
    """
    if failures < max_failures:
        return None
    block = timedelta(seconds=first_block_seconds * 2 ** min(failures - max_failures, 20))
    return last_failure + min(block, MAX_BLOCK)
