"""A dealer's wording of a message, checked before it is stored."""

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_care.domain.templates import TemplateInvalid, check
from crm_care.models import templates
from crm_care.models.messages import TemplatePut
from crm_care.repository import message_log, versions
from crm_kit.problems import field_error, invalid
from crm_kit.versioning import check_if_match, precondition_failed


def refuse_bad_wording(data: TemplatePut) -> None:
    """Every field that does not parse is named, so the manager fixes them at once."""
    errors = []
    for name in ("subject", "body"):
        try:
            check(getattr(data, name))
        except TemplateInvalid as error:
            errors.append(field_error("body", name, f"not a valid template: {error}"))
    if errors:
        raise invalid(*errors)


async def put_template(session: AsyncSession, dealer_id: str, data: TemplatePut, if_match: str | None) -> sa.Row:
    """If-Match names the wording's `version` (quoted): `"0"` (or `*`) for a wording the dealer does not have yet."""
    refuse_bad_wording(data)
    key = {"dealer_id": dealer_id, "purpose": data.purpose, "channel": data.channel, "language": data.language}
    read_version = await versions.current(session, templates, key)
    check_if_match(if_match, read_version)
    values = {**data.model_dump(exclude={"dealer_id", *key}), "updated_at": datetime.now(UTC)}
    if await versions.save(session, templates, key, values, read_version) is None:
        raise precondition_failed(read_version + 1)
    return await message_log.template(session, key)
