"""/api/v1/care/templates/preview: a wording rendered for a sample customer, before anyone saves it."""

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from crm_care import repository
from crm_care.api.common import FORBIDDEN, PREFIX, write_dealer
from crm_care.domain.template_samples import sample_variables
from crm_care.domain.templates import TemplateInvalid, default_template, render
from crm_contracts import permissions
from crm_kit.auth import Principal, require
from crm_kit.db import SessionDep
from crm_kit.problems import field_error, invalid
from crm_kit.responses import problems

router = APIRouter(prefix=PREFIX, tags=["care messages"])


class TemplatePreview(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dealer_id: str | None = None
    purpose: str = Field(min_length=1, max_length=40)
    channel: Literal["sms", "email", "wechat"]
    language: Literal["zh-CN", "en"] = "zh-CN"
    subject: str | None = Field(None, max_length=200, description="A draft; omitted: the wording in use")
    body: str | None = Field(None, min_length=1, max_length=4000, description="A draft; omitted: the wording in use")


class TemplatePreviewPublic(BaseModel):
    purpose: str
    channel: Literal["sms", "email", "wechat"]
    language: Literal["zh-CN", "en"]
    source: Literal["draft", "dealer", "built_in"] = Field(
        description="draft: the subject or body sent; dealer: the dealer's saved wording; built_in: care's own")
    version: int = Field(description="The dealer's saved wording's version (its ETag unquoted); 0: none saved")
    subject: str = Field(description="The wording previewed, placeholders and all")
    body: str
    provider_template: str | None = Field(description="The provider's template id of the wording in use")
    variables: dict[str, Any] = Field(description="What a wording of this purpose may use, with the sample values")
    rendered_subject: str
    rendered_body: str


@router.post("/templates/preview", responses={**FORBIDDEN, **problems(422)})
async def preview_template(data: TemplatePreview, session: SessionDep,
                           principal: Principal = require(permissions.CARE_READ)) -> TemplatePreviewPublic:
    """Renders with the sender's own renderer and a sample customer; nothing is stored or sent. A wording
    that does not parse, or names a variable its purpose does not have, is refused (422) at that field."""
    dealer = write_dealer(principal, data.dealer_id)
    async with session.begin():
        saved = await repository.dealer_template(session, dealer, data.purpose, data.channel, data.language)
    in_use = saved or default_template(data.purpose, data.channel, data.language)
    subject = in_use.subject if data.subject is None else data.subject
    body = in_use.body if data.body is None else data.body
    drafted = data.subject is not None or data.body is not None
    variables = sample_variables(data.purpose, data.language)
    rendered, errors = {}, []
    for name, text in (("subject", subject), ("body", body)):
        try:
            rendered[name] = render(text, variables)
        except TemplateInvalid as error:
            errors.append(field_error("body", name, f"not a valid template: {error}"))
    if errors:
        raise invalid(*errors)
    return TemplatePreviewPublic(
        purpose=data.purpose, channel=data.channel, language=data.language,
        source="draft" if drafted else "dealer" if saved else "built_in", version=saved.version if saved else 0,
        subject=subject, body=body,
        provider_template=in_use.provider_template, variables=variables, rendered_subject=rendered["subject"],
        rendered_body=rendered["body"])
