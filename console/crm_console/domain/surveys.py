"""The survey screen's shapes: the monthly index trend as a table, a CSV and an SVG line on the 1,000-point
scale, and the hot-alert age against its first-contact SLA. Pure: the route fetches, these shape.

charts.py draws percentages only; the SSI/CSI index is on a 0–1,000 scale, so its line is drawn here.
"""

import csv
import hashlib
import io
import json
from datetime import datetime

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 36, 56
INDEX_TICKS = (0, 200, 400, 600, 800, 1000)
ALERT_SLA_HOURS = 24  # DOMAIN.md: a dissatisfied customer is called back within one working day


def index_text(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def nps_text(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1f}"


def trend_rows(trend: list[dict]) -> list[list[str]]:
    """One row a month: month, index, NPS, responses, response rate, as the table and the CSV show them."""
    rows = []
    for month in trend:
        rate = month.get("response_rate")
        rows.append([month["month"], index_text(month.get("index")), nps_text(month.get("nps")),
                     str(month.get("responses", 0)), "—" if rate is None else f"{rate * 100:.1f}%"])
    return rows


def csv_text(headers: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # Excel on a Chinese Windows reads UTF-8 only with the BOM
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue()


def month_label(month: str) -> str:
    """"2026-03" -> "3月": the year is written once under the axis, so twelve labels never overlap."""
    return f"{int(month[5:7])}月"


def index_line(title: str, trend: list[dict], y_unit: str, x_unit: str) -> Markup:
    """The monthly index as a line on 0–1,000 with each month's value written above its point."""
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" class="chart" '
             f'font-family="system-ui, sans-serif" font-size="13"><title>{escape(title)}</title>']
    plot_h = HEIGHT - TOP - BOTTOM
    for tick in INDEX_TICKS:
        y = TOP + plot_h * (1 - tick / 1000)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#d5d9de"/>'
                     f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#333">{tick:,}</text>')
    parts.append(f'<text x="4" y="{TOP - 16}" fill="#333">{escape(y_unit)}</text>'
                 f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 6}" text-anchor="end" fill="#333">{escape(x_unit)}</text>')
    slot = (WIDTH - LEFT - RIGHT) / max(len(trend), 1)
    points = []
    for position, month in enumerate(trend):
        x = LEFT + slot * (position + 0.5)
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" fill="#333">'
                     f'{escape(month_label(month["month"]))}</text>')
        if position == 0 or month["month"][5:7] == "01":
            parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 36}" text-anchor="middle" fill="#555">'
                         f'{month["month"][:4]}</text>')
        value = month.get("index")
        if value is None:
            continue
        y = TOP + plot_h * (1 - min(max(value, 0), 1000) / 1000)
        points.append(f"{x:.1f},{y:.1f}")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#1f5fa8"/>'
                     f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle" fill="#1f5fa8">{value:.0f}</text>')
    if len(points) > 1:
        parts.insert(len(INDEX_TICKS) + 2, f'<polyline points="{" ".join(points)}" fill="none" '
                                          f'stroke="#1f5fa8" stroke-width="2"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def alert_age_hours(raised_at: str, now: datetime) -> int:
    return max(int((now - datetime.fromisoformat(raised_at)).total_seconds() // 3600), 0)


def alert_overdue(raised_at: str, now: datetime) -> bool:
    return alert_age_hours(raised_at, now) >= ALERT_SLA_HOURS


def alert_marker(alert_id: str) -> str:
    """Care's case API takes no alert id from a person (only its own consumer links one), so a case opened here
    carries the alert's id in its summary: that is how the alert finds it again."""
    return f"[{alert_id}]"


def case_summary(alert: dict) -> str:
    """What care's case says about the alert, in the shape care's own consumer writes it."""
    text = f"{alert['kind'].upper()} {alert['question_text']}: {alert['score']:g}"
    if alert.get("comment"):
        text += f" — {alert['comment']}"
    return f"{text} {alert_marker(alert['id'])}"


def cases_by_alert(alerts: list[dict], cases: list[dict]) -> dict[str, str]:
    """Each alert's case: the one care opened from the alert, or the one a person opened here for it."""
    found: dict[str, str] = {}
    for alert in alerts:
        for case in cases:
            if case.get("alert_id") == alert["id"] or alert_marker(alert["id"]) in case.get("summary", ""):
                found[alert["id"]] = case["id"]
                break
    return found


SCALES = {"scale_5": range(1, 6), "scale_10": range(1, 11), "nps": range(0, 11)}


def phone_questions(definition: dict, language: str) -> list[dict]:
    """The template's questions as the caller reads them out, each with the answers it can take."""
    def text(texts: dict) -> str:
        return texts.get("en") or texts["zh-CN"] if language == "en" else texts["zh-CN"]

    shown = []
    for question in definition["questions"]:
        kind = question["type"]
        choices = ([(str(n), str(n)) for n in SCALES[kind]] if kind in SCALES
                   else [(o["id"], text(o["text"])) for o in question.get("options", [])])
        shown.append({"id": question["id"], "type": kind, "text": text(question["text"]),
                      "required": question.get("required", True), "choices": choices,
                      "conditional": question.get("show_if") is not None})
    return shown


def phone_answers(questions: list[dict], form: dict[str, list[str]]) -> dict:
    """The form as the survey API reads answers; what the customer did not answer is left out (the API says
    which required ones are missing, by question)."""
    answers: dict = {}
    for q in questions:
        values = [v.strip() for v in form.get(q["id"], []) if v.strip()]
        if q["type"] == "expectation_experience":
            pair = {part: form.get(f"{q['id']}.{part}", [""])[0].strip() for part in ("expectation", "experience")}
            if all(pair.values()):
                answers[q["id"]] = {part: int(value) for part, value in pair.items()}
        elif not values:
            continue
        elif q["type"] == "multiple_choice":
            answers[q["id"]] = values
        elif q["type"] in SCALES:
            answers[q["id"]] = int(values[0])
        else:
            answers[q["id"]] = values[0]
    return answers


QUESTION_KINDS = ("scale_5", "scale_10", "nps", "single_choice", "multiple_choice", "text", "expectation_experience")


def definition_stamp(version: dict) -> str:
    """What the editor started from: the version and its exact questions. The template API takes no If-Match, and
    a draft is edited in place under the same version number, so the content itself tells a colleague's change."""
    content = json.dumps(version["definition"], sort_keys=True, ensure_ascii=False).encode()
    return f"{version['version']}:{hashlib.sha256(content).hexdigest()[:16]}"


def edited_definition(definition: dict, form: dict[str, str]) -> tuple[dict, dict[str, str]]:
    """The definition with each question's texts, factor, kind and required mark as the form has them; errors by
    form field (a message key). Options, conditions and factor weights stay as they were."""
    factors = {factor["id"] for factor in definition.get("factors", [])}
    questions, errors = [], {}
    for n, question in enumerate(definition["questions"]):
        zh, en = form.get(f"q{n}.zh", "").strip(), form.get(f"q{n}.en", "").strip()
        factor, kind = form.get(f"q{n}.factor", "").strip(), form.get(f"q{n}.kind", question["type"])
        if not zh:
            errors[f"q{n}.zh"] = "surveys.edit.error.text"
        if factor and factor not in factors:
            errors[f"q{n}.factor"] = "surveys.edit.error.factor"
        if kind not in QUESTION_KINDS:
            errors[f"q{n}.kind"] = "surveys.edit.error.kind"
        text = {"zh-CN": zh, **({"en": en} if en else {})}
        questions.append({**question, "text": text, "factor": factor or None, "type": kind,
                          "required": form.get(f"q{n}.required") == "on"})
    return {**definition, "questions": questions}, errors
