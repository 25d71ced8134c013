"""How the demo loader talks to the suite: only through the gateway's public API, as a dealer's staff and
customers would (plus, while it waits, segmentation's own metrics to say how far it has read the import)."""

import json
import random
import re
import time
from collections.abc import Iterator
from datetime import date, datetime
from datetime import time as clock
from zoneinfo import ZoneInfo

import httpx

DEMO_DEALER = "D-DEMO-001"
DEALER_TIME = ZoneInfo("Asia/Shanghai")
PROGRESS_EVERY = 5.0  # seconds between progress lines while waiting
SCORING_TIMEOUT = 600.0
INVITATIONS_TIMEOUT = 300.0  # survey reads the import while segmentation scores; under load it can take minutes
UNHAPPY_EVERY = 6  # one recent respondent in six answers badly: a hot alert and a complaint case
HOT_ALERT_SCORE = 3
HISTORY_BATCH = 100


class DemoClient:
    def __init__(self, gateway: str, username: str, password: str, services: dict[str, str] | None = None):
        self.client = httpx.Client(base_url=gateway, timeout=120)
        self.services = services or {}  # service -> its own address, whose /metrics say how far it has read
        token = self.client.post("/auth/token", data={"grant_type": "password", "username": username,
                                                      "password": password}).raise_for_status().json()
        self.headers = {"Authorization": f"Bearer {token['access_token']}"}

    def __enter__(self) -> "DemoClient":
        return self

    def __exit__(self, *_) -> None:
        self.client.close()

    def _get(self, path: str, **params) -> dict | list:
        return checked(self.client.get(path, params=params, headers=self.headers)).json()

    def configure_dealer(self) -> None:
        """The demo dealer surveys a repair order as soon as it closes and sends at any hour, so what the
        last days' visits cause is there when `make run` says it is ready, whatever the time of day."""
        self._change(f"/api/v1/surveys/settings/{DEMO_DEALER}", {"csi_delay_hours": 0})
        self._change(f"/api/v1/care/contact-policy/{DEMO_DEALER}", {"quiet_start": "00:00", "quiet_end": "00:00"})

    def _change(self, path: str, body: dict) -> None:
        """Read, then put the change with the ETag read, as every settings change is made."""
        etag = checked(self.client.get(path, headers=self.headers)).headers["ETag"]
        checked(self.client.put(path, json=body, headers={**self.headers, "If-Match": etag}))

    def run_import(self, kind: str, rows: list[dict]) -> dict:
        started = self.client.post("/api/v1/imports", params={"kind": kind, "dealer_id": DEMO_DEALER},
                                   headers={**self.headers, "Content-Type": "application/x-ndjson"},
                                   content=_ndjson(rows, date.today())).raise_for_status().json()
        while True:
            job = self._get(f"/api/v1/imports/{started['id']}")
            if job["status"] == "done":
                return job
            time.sleep(0.5)

    def customer_ids(self, job_id: str, mobiles: list[str]) -> dict[str, str]:
        """Each imported customer's id, from the import's report (line n is the n-th customer)."""
        ids, cursor = {}, None
        while True:
            page = self._get(f"/api/v1/imports/{job_id}/report", limit=500,
                             **({"cursor": cursor} if cursor else {}))
            for row in page["items"]:
                if row.get("record_id") and row["line"] <= len(mobiles):
                    ids[mobiles[row["line"] - 1]] = row["record_id"]
            cursor = page.get("next_cursor")
            if not cursor:
                return ids

    def grant_consent(self, customer_ids: list[str]) -> None:
        """Before the visits arrive: survey and care look at consent when a visit comes in."""
        for customer_id in customer_ids:
            for purpose in ("survey", "care"):
                self.client.post(f"/api/v1/customers/{customer_id}/consents", headers=self.headers, json={
                    "purpose": purpose, "channel": "sms", "granted": True, "source": "demo: signed at the desk",
                }).raise_for_status()

    def import_survey_history(self, past: list[tuple[str, str, str, date, str]]) -> None:
        """A year of the previous vendor's results; a re-run finds them all there already."""
        questions = {kind: self._template_questions(kind) for kind in ("ssi", "csi")}
        rng = random.Random(7)
        rows = [{"external_id": ref, "customer_id": customer_id, "kind": kind,
                 "answered_at": datetime.combine(on, clock(11), DEALER_TIME).isoformat(),
                 "answers": answers_for(questions[kind], mood, rng)}
                for ref, customer_id, kind, on, mood in past]
        created = unchanged = 0
        for start in range(0, len(rows), HISTORY_BATCH):
            reply = self._retried_post("/api/v1/surveys/responses/import", {
                "dealer_id": DEMO_DEALER, "responses": rows[start:start + HISTORY_BATCH]})
            if reply.status_code in (404, 405):
                print("  (this survey service cannot import past results yet: no survey history)", flush=True)
                return
            checked(reply)
            created, unchanged = created + reply.json()["created"], unchanged + reply.json()["unchanged"]
        print(f"  survey history: {len(rows)} answered surveys from the previous vendor ({created} new, "
              f"{unchanged} already there)", flush=True)

    def _retried_post(self, path: str, body: dict) -> httpx.Response:
        """For idempotent writes only: a busy service (502-504 from the gateway) is asked again."""
        for attempt in range(5):
            reply = self.client.post(path, headers=self.headers, json=body)
            if reply.status_code not in (502, 503, 504):
                return reply
            time.sleep(2 * (attempt + 1))
        return reply

    def lag(self, service: str, topics: tuple[str, ...] = ("crm.customer.v1",)) -> int | None:
        """How many events the service has still to read; None when it cannot be asked."""
        if service not in self.services:
            return None
        try:
            text = httpx.get(self.services[service] + "/metrics", timeout=5).text
        except httpx.HTTPError:
            return None
        return sum(consumer_lag(text, topic) for topic in topics)

    def _template_questions(self, kind: str) -> list[dict]:
        templates = self._get("/api/v1/surveys/templates", kind=kind)
        shipped = next(t for t in templates if t["dealer_id"] is None and t["status"] == "published")
        return shipped["definition"]["questions"]

    def wait_until_scored(self, imports: list[dict]) -> None:
        from crm_devstack.demo_scoring import wait_until_scored

        wait_until_scored(self, imports)

    def answer_recent_invitations(self, customer_ids: list[str]) -> None:
        from crm_devstack.demo_surveys import answer_recent_invitations

        answer_recent_invitations(self, customer_ids)


def answers_for(questions: list[dict], mood: str, rng: random.Random) -> dict:
    """What a delighted, content or unhappy customer answers; an unhappy one rates one question badly
    (at or under the templates' hot-alert threshold) and says why."""
    low, high = {"delighted": (9, 10), "content": (7, 9), "unhappy": (4, 7)}[mood]
    answers: dict = {}
    for question in questions:
        kind, shown_if = question["type"], question.get("show_if")
        if shown_if and not (shown_if.get("at_most") is not None
                             and answers.get(shown_if["question"], 99) <= shown_if["at_most"]):
            continue
        if kind == "scale_10":
            answers[question["id"]] = rng.randint(low, high)
        elif kind == "nps":
            answers[question["id"]] = rng.randint(low, high) if mood != "unhappy" else rng.randint(2, 6)
        elif kind == "expectation_experience":
            answers[question["id"]] = {"expectation": rng.randint(7, 10), "experience": rng.randint(low, high)}
        elif kind == "text" and question["id"] == "what_went_wrong":
            answers[question["id"]] = rng.choice(("等了很久才交车。", "费用解释不清楚。", "问题没有一次修好。"))
    if mood == "unhappy":
        rated = [q["id"] for q in questions if q["type"] == "scale_10"]
        answers[rng.choice(rated)] = rng.randint(1, HOT_ALERT_SCORE)
    return answers


def checked(reply: httpx.Response) -> httpx.Response:
    """raise_for_status, with the problem's text: a refused demo row should say which field."""
    if reply.is_error:
        raise RuntimeError(f"{reply.request.method} {reply.request.url.path} answered {reply.status_code}: "
                           f"{reply.text[:2000]}")
    return reply


def _ndjson(rows: list[dict], today: date) -> Iterator[bytes]:
    for row in rows:
        if all(date.fromisoformat(row[k]) <= today for k in ("visited_on", "delivery_date") if k in row):
            yield (json.dumps(row, ensure_ascii=False) + "\n").encode()


def consumer_lag(metrics_text: str, topic: str = "crm.customer.v1") -> int:
    """Events of `topic` a service has not read yet, summed over its partitions."""
    pattern = re.compile(r'^crm_consumer_lag_messages\{[^}]*topic="' + re.escape(topic) + r'"[^}]*\}\s+(\S+)$', re.M)
    return int(sum(float(value) for value in pattern.findall(metrics_text)))
