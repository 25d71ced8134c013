"""Message templates: rendered in a sandbox, so a dealer's template cannot reach into the service."""

import functools
from dataclasses import dataclass

import jinja2
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

_environment = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


@dataclass(frozen=True)
class Template:
    purpose: str  # the rule or "survey_invitation"
    channel: str
    language: str
    subject: str
    body: str
    provider_template: str | None = None  # SMS/WeChat template id registered with the provider


class TemplateInvalid(ValueError):
    pass


@functools.lru_cache(maxsize=2048)  # compiling is what costs; a dealer has a few dozen templates
def _compiled(text: str) -> jinja2.Template:
    return _environment.from_string(text)


def render(text: str, variables: dict) -> str:
    try:
        return _compiled(text).render(**variables)
    except TemplateError as error:
        raise TemplateInvalid(str(error)) from error


def check(text: str) -> None:
    """Refuse a template that does not parse (variables are only known when it is rendered)."""
    try:
        _environment.parse(text)
    except TemplateError as error:
        raise TemplateInvalid(str(error)) from error


_ZH = {
    "first_service_due": ("首保提醒", "{{ name }}您好，您的爱车将于{{ due_on }}前到期首次保养，欢迎预约。"),
    "maintenance_due": ("保养提醒", "{{ name }}您好，您的爱车预计{{ due_on }}需要定期保养，欢迎预约。"),
    "insurance_renewal": (
        "续保提醒", "{{ name }}您好，您的车险将于{{ due_on }}到期（还有{{ days_left }}天），欢迎续保。"),
    "warranty_expiry": ("保修到期提醒", "{{ name }}您好，您的整车质保将于{{ due_on }}到期。"),
    "annual_inspection": ("年检提醒", "{{ name }}您好，您的爱车年检日期为{{ due_on }}，请提前安排。"),
    "birthday": ("生日祝福", "{{ name }}您好，祝您生日快乐！"),
    "festival": ("节日问候", "{{ name }}您好，{{ festival_name }}快乐！"),
    "purchase_anniversary": ("购车纪念日", "{{ name }}您好，今天是您购车{{ years }}周年，感谢您的一路相伴。"),
    "survey_invitation": ("满意度调查", "{{ name }}您好，请花一分钟评价我们的服务：{{ link }}"),
}
_EN = {
    "first_service_due": ("First service due", "Dear {{ name }}, your car's first service is due by {{ due_on }}."),
    "maintenance_due": ("Maintenance due", "Dear {{ name }}, your car's maintenance is due around {{ due_on }}."),
    "insurance_renewal": ("Insurance renewal", "Dear {{ name }}, your car insurance expires on {{ due_on }}."),
    "warranty_expiry": ("Warranty ends soon", "Dear {{ name }}, your warranty ends on {{ due_on }}."),
    "annual_inspection": ("Annual inspection", "Dear {{ name }}, your car's inspection is due on {{ due_on }}."),
    "birthday": ("Happy birthday", "Dear {{ name }}, happy birthday!"),
    "festival": ("Season's greetings",
                 # a message queued before festival_name_en existed still reads "Happy Spring Festival"
                 "Happy {{ festival_name_en | default(festival | replace('_', ' ') | title) }}, {{ name }}!"),
    "purchase_anniversary": ("Anniversary", "Dear {{ name }}, {{ years }} year(s) with your car today. Thank you!"),
    "survey_invitation": ("How did we do?", "Dear {{ name }}, please rate our service: {{ link }}"),
}


def default_template(purpose: str, channel: str, language: str) -> Template:
    subject, body = (_EN if language == "en" else _ZH).get(purpose, ("", "{{ name }}"))
    return Template(purpose, channel, language, subject, body, provider_template=f"SMS_CRM_{purpose.upper()}")
