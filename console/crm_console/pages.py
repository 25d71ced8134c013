"""Rendering a screen: one Jinja2 template per screen, with the texts, formats and links every page uses."""

from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from crm_console.domain import formatting
from crm_console.domain.nav import visible_screens
from crm_console.domain.reasons import localised_reason
from crm_console.i18n import Translator
from crm_console.session import csrf_token, language

TEMPLATES = Path(__file__).resolve().parent / "templates"


def environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def context(request: Request, **values) -> dict:
    lang = language(request)
    zone = ZoneInfo(request.app.state.settings.time_zone)
    t = Translator(lang)
    viewer = getattr(request.state, "viewer", None)
    return {
        "request": request, "t": t, "lang": lang, "viewer": viewer, "path": request.url.path,
        "csrf_token": csrf_token(request),
        "screens": visible_screens(viewer.permissions) if viewer else [],
        "money": formatting.money, "money_headline": partial(formatting.money_headline, language=lang),
        "number": formatting.number, "mobile": formatting.mobile, "percent": formatting.percent,
        "day": partial(formatting.day, language=lang, zone=zone),
        "moment": partial(formatting.moment, language=lang, zone=zone),
        "reason": partial(localised_reason, translate=t),
        **values,
    }


def render(request: Request, template: str, status_code: int = 200, **values) -> HTMLResponse:
    html = request.app.state.templates.get_template(template).render(context(request, **values))
    return HTMLResponse(html, status_code=status_code)
