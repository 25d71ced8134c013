"""The public survey page's limit per link holds across two replicas sharing one database.

Both replicas run in this process on the same database. The link is well formed but unknown, so each
request the limit lets through is answered 404 and each one it stops 429.
"""

import asyncio

from crm_devstack.pytest_plugin import running
from crm_survey.main import create_app
from crm_survey.settings import SurveySettings

BURST = 6
PACE_SECONDS = 0.05
SLACK = 4  # between two reconciles (0.1 s) each replica admits without knowing the other's share


async def test_two_replicas_hold_a_link_to_one_limit_and_say_how_long_to_wait(settings_for):
    settings = settings_for(SurveySettings, public_rate_per_token=0.5, public_burst=BURST,
                            public_rate_per_address=6000, public_limit_sync_seconds=0.1)
    link = "/s/" + "z" * 32
    answers = []
    async with running(create_app(settings)) as first, running(create_app(settings)) as second:
        for turn in range(4 * BURST):
            answers.append(await (first if turn % 2 == 0 else second).get(link))
            await asyncio.sleep(PACE_SECONDS)
    admitted = [a.status_code for a in answers if a.status_code != 429]
    assert set(admitted) == {404}
    assert BURST <= len(admitted) <= BURST + SLACK, len(admitted)  # one replica alone would admit 2 × BURST
    limited = next(a for a in answers if a.status_code == 429)
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.headers["ratelimit-policy"] == f'"link";q={BURST};w={BURST * 120}'
    assert limited.headers["ratelimit"].startswith('"link";r=0;t=')
