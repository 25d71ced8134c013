"""Care setup (CS企划担当): a plan's parameters as form fields and back, the dry-run by day, an SMS's length.

A plan is edited as text fields; only what the planner changed from what the form showed (`was.<name>`) is
sent, so a stale save can be re-applied over a colleague's newer values without undoing theirs.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# The order the plans page shows them: reminders that keep a car safe first, then greetings, then calls.
RULE_ORDER = ("first_service_due", "maintenance_due", "insurance_renewal", "warranty_expiry", "annual_inspection",
              "birthday", "festival", "purchase_anniversary", "delivery_follow_up", "service_follow_up",
              "survey_invitation", "complaint_follow_up", "first_service_lost", "win_back")
# Purposes care sends a wording for (the call rules make tasks, not messages).
PURPOSES = ("first_service_due", "maintenance_due", "insurance_renewal", "warranty_expiry", "annual_inspection",
            "birthday", "festival", "purchase_anniversary", "survey_invitation")
CHANNELS = ("sms", "wechat", "email")
LANGUAGES = ("zh-CN", "en")
CHOICES = {"statuses": ("dormant", "lost"), "festivals": ("spring_festival", "mid_autumn", "national_day")}
ERROR_BY_KIND = {"number": "care_setup.error.number", "days": "care_setup.error.days",
                 "choices": "care_setup.error.choices", "flag": "care_setup.error.flag"}


@dataclass(frozen=True)
class PlanField:
    name: str  # the parameter, also its label's key: care_setup.param.<name>
    kind: str  # flag | number | days | choices
    text: str  # as the form shows and sends it
    choices: tuple[str, ...] = ()


def kind_of(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "flag"
    if isinstance(value, int):
        return "number"
    return "choices" if name in CHOICES else "days"


def as_text(kind: str, value: Any) -> str:
    if kind == "flag":
        return "on" if value else ""
    if kind == "number":
        return str(value)
    if kind == "choices":
        return ",".join(str(v) for v in value)
    return ", ".join(str(v) for v in value)


def ordered_plans(plans: Iterable[dict]) -> list[dict]:
    rank = {rule: position for position, rule in enumerate(RULE_ORDER)}
    return sorted(plans, key=lambda plan: (rank.get(plan["rule"], len(rank)), plan["rule"]))


def plan_fields(params: Mapping[str, Any]) -> list[PlanField]:
    """The plan's parameters as fields, `enabled` first; a parameter the console does not know still shows."""
    names = sorted(params, key=lambda name: (name != "enabled", name))
    return [PlanField(name, kind_of(name, params[name]), as_text(kind_of(name, params[name]), params[name]),
                      CHOICES.get(name, ())) for name in names]


def submitted_text(kind: str, values: list[str]) -> str:
    """What a form sent for one field, in the text `as_text` gives (a ticked box sends "on")."""
    if kind == "flag":
        return "on" if "on" in values else ""
    if kind == "choices":
        return ",".join(sorted({v.strip() for v in values if v.strip()}))
    return values[0].strip() if values else ""


def parse(kind: str, name: str, text: str) -> Any:
    """The value to send; ValueError when the text is not one."""
    if kind == "flag":
        return text == "on"
    if kind == "number":
        number = int(text)
        if not 0 <= number <= 100_000:
            raise ValueError(name)
        return number
    if kind == "choices":
        chosen = [code for code in text.split(",") if code]
        if not chosen or not set(chosen) <= set(CHOICES.get(name, chosen)):
            raise ValueError(name)
        return chosen
    days = [int(part) for part in text.replace("，", ",").replace("、", ",").split(",") if part.strip()]
    if not days or not all(0 <= day <= 3650 for day in days):
        raise ValueError(name)
    return days


def plan_changes(params: Mapping[str, Any], was: Mapping[str, str], mine: Mapping[str, str]
                 ) -> tuple[dict[str, Any], dict[str, str]]:
    """What the planner changed from what their form showed, parsed, and the error key of each bad field."""
    changed: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in plan_fields(params):
        text = mine.get(field.name, field.text)
        if text == was.get(field.name, field.text):
            continue
        try:
            changed[field.name] = parse(field.kind, field.name, text)
        except ValueError:
            errors[field.name] = ERROR_BY_KIND[field.kind]
    return changed, errors


def update_body(changed: Mapping[str, Any]) -> dict[str, Any]:
    """PUT /plans/{rule} takes `enabled` beside `params`, never inside."""
    body: dict[str, Any] = {"params": {k: v for k, v in changed.items() if k != "enabled"}}
    if "enabled" in changed:
        body["enabled"] = changed["enabled"]
    return body


@dataclass(frozen=True)
class StaleField:
    name: str
    was: str
    now: str
    mine: str

    @property
    def moved(self) -> bool:
        return self.now != self.was

    @property
    def touched(self) -> bool:
        return self.mine != self.was


def stale_fields(now_params: Mapping[str, Any], was: Mapping[str, str], mine: Mapping[str, str]) -> list[StaleField]:
    """Field by field: what the form showed, what the plan holds now, and what the planner typed."""
    found = []
    for field in plan_fields(now_params):
        seen = was.get(field.name, field.text)
        found.append(StaleField(field.name, seen, field.text, mine.get(field.name, seen)))
    return found


def reapplied(fields: Iterable[StaleField]) -> dict[str, str]:
    """The planner's changes over the plan as it is now: what they did not touch keeps the newer value."""
    return {f.name: f.mine if f.touched else f.now for f in fields}


@dataclass(frozen=True)
class DryRunRow:
    day: str  # ISO date
    rule: str
    actions: int
    critical: int


def dry_run_rows(actions: Iterable[Mapping[str, Any]]) -> list[DryRunRow]:
    """What the plans would create, by day and rule, in the order the plans page lists rules."""
    counted: Counter = Counter()
    critical: Counter = Counter()
    for action in actions:
        key = (action["due_on"], action["rule"])
        counted[key] += 1
        critical[key] += 1 if action.get("critical") else 0
    rank = {rule: position for position, rule in enumerate(RULE_ORDER)}
    keys = sorted(counted, key=lambda k: (k[0], rank.get(k[1], len(rank)), k[1]))
    return [DryRunRow(day, rule, counted[(day, rule)], critical[(day, rule)]) for day, rule in keys]


def dry_run_totals(rows: Iterable[DryRunRow]) -> list[tuple[str, int]]:
    totals: Counter = Counter()
    for row in rows:
        totals[row.rule] += row.actions
    rank = {rule: position for position, rule in enumerate(RULE_ORDER)}
    return sorted(totals.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))


GSM_7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
            "¿abcdefghijklmnopqrstuvwxyzäöñüà")


@dataclass(frozen=True)
class SmsLength:
    characters: int
    parts: int


def sms_length(text: str) -> SmsLength:
    """How carriers count it: Latin text in GSM-7 (160, or 153 a part when split); anything else, Chinese
    included, in UCS-2 (70, or 67 a part), where a character outside the BMP (an emoji) takes two."""
    if set(text) <= GSM_7:
        length, single, part = len(text), 160, 153
    else:
        length, single, part = len(text.encode("utf-16-le")) // 2, 70, 67
    if length == 0:
        return SmsLength(0, 0)
    return SmsLength(length, 1 if length <= single else -(-length // part))
