"""The last days' surveys answered as customers would, on the public answer path `/s/{token}`.

Most respondents are happy; one in six rates something badly, which raises a hot alert, and care opens a
complaint case for it by itself. A re-run finds the invitations answered and answers nothing twice.
"""

import random
import time
from datetime import UTC, datetime

from crm_devstack.demo_api import (
    DEMO_DEALER,
    INVITATIONS_TIMEOUT,
    UNHAPPY_EVERY,
    DemoClient,
    answers_for,
    checked,
)
from crm_devstack.demo_scoring import Progress

LIVE = ("sent", "opened", "answered")
# cases and invitation messages come from survey's topic only: care's far longer read of the import itself
# (follow-up calls of the last days' visits) is not waited for
CARE_READS = ("crm.survey.v1",)
CARE_TIMEOUT = 180.0
ANSWERED_SHARE = 0.75


def _pages(api: DemoClient, path: str, **params) -> list[dict]:
    items, cursor = [], None
    while True:
        page = api._get(path, limit=200, **params, **({"cursor": cursor} if cursor else {}))
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def _live_invitations(api: DemoClient, customers: set[str]) -> list[dict]:
    return [invitation for status in LIVE for invitation in _pages(api, "/api/v1/surveys/invitations", status=status)
            if invitation["dealer_id"] == DEMO_DEALER and invitation["customer_id"] in customers]


def _all_sent(api: DemoClient, customers: set[str], invitations: list[dict]) -> bool:
    """Every customer has a live invitation, or survey has read every visit and none is due unsent (the
    quiet period or a missing consent keeps some customers from being surveyed)."""
    if {i["customer_id"] for i in invitations} >= customers:
        return True
    if api.lag("survey") != 0:
        return False
    now = datetime.now(UTC).isoformat()
    due = [i for i in _pages(api, "/api/v1/surveys/invitations", status="scheduled")
           if i["customer_id"] in customers and i["send_at"] <= now]
    return not due


def answer_recent_invitations(api: DemoClient, customer_ids: list[str]) -> None:
    customers = set(customer_ids)
    progress = Progress("surveys of the last days")
    invitations = _live_invitations(api, customers)
    while not _all_sent(api, customers, invitations) and progress.elapsed() < INVITATIONS_TIMEOUT:
        progress.say(f"{len(invitations)} invitations sent to {len(customers)} customers with recent visits")
        time.sleep(1)
        invitations = _live_invitations(api, customers)
    questions = {kind: api._template_questions(kind) for kind in {i["kind"] for i in invitations}}
    answered = alerts = 0
    for number, invitation in enumerate(sorted(invitations, key=lambda i: (i["send_at"], i["customer_id"]))):
        rng = random.Random(invitation["customer_id"])
        if invitation["status"] == "answered":
            answered += 1
            continue
        if rng.random() > ANSWERED_SHARE and number % UNHAPPY_EVERY:
            continue
        mood = "unhappy" if number % UNHAPPY_EVERY == 0 else rng.choice(("delighted", "content"))
        _answer(api, invitation["link_path"], answers_for(questions[invitation["kind"]], mood, rng))
        answered, alerts = answered + 1, alerts + (mood == "unhappy")
    cases = _wait_for_cases(api, progress)
    sent = _sent(api)
    messages = "?" if sent is None else len(sent)
    print(f"  recent surveys: {len(invitations)} sent, {answered} answered ({alerts} badly, now: {cases} open "
          f"complaint cases); care has sent {messages} messages", flush=True)


def _sent(api: DemoClient, limit: int | None = None) -> list[dict] | None:
    """Messages care has sent for the demo dealer (the first `limit` of them, when given); None when care
    cannot list them: the demo says so instead of stopping `make run`."""
    try:
        if limit is not None:
            return api._get("/api/v1/care/messages", dealer_id=DEMO_DEALER, status="sent", limit=limit)["items"]
        return _pages(api, "/api/v1/care/messages", dealer_id=DEMO_DEALER, status="sent")
    except RuntimeError as error:
        print(f"  WARNING: {error}", flush=True)
        return None


def _answer(api: DemoClient, link_path: str, answers: dict) -> None:
    """As the customer's phone would, within the public path's rate limit (it answers 429 beyond it)."""
    while True:
        reply = api.client.post(link_path, json={"answers": answers})
        if reply.status_code != 429:
            checked(reply)
            return
        time.sleep(float(reply.headers.get("Retry-After", "1")))


def _wait_for_cases(api: DemoClient, progress: Progress) -> int:
    """Care opens a case for each hot alert and delivers each invitation as it reads them: wait (a bounded
    while) until every alert has its case and a message has gone out."""
    alerts = [a for a in _pages(api, "/api/v1/surveys/alerts", status="open") if a["dealer_id"] == DEMO_DEALER]
    deadline = time.monotonic() + CARE_TIMEOUT
    while True:
        cases = [c for c in _pages(api, "/api/v1/care/cases", state="open")
                 if c["dealer_id"] == DEMO_DEALER]
        sent = _sent(api, limit=1)
        if (len(cases) >= len(alerts) and (sent is None or sent)) or time.monotonic() > deadline:
            return len(cases)
        lag = api.lag("care", CARE_READS)
        progress.say(f"care has opened {len(cases)} complaint cases for {len(alerts)} hot alerts"
                     + (f" and has {lag} events still to read" if lag else ""))
        time.sleep(1)
