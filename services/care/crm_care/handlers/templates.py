"""A dealer's wording of a message, checked before it is stored."""

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_care.domain.templates import TemplateInvalid, check
from crm_care.models.messages import TemplatePut
from crm_care.repository import message_log
from crm_kit.problems import field_error, invalid


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


async def put_template(session: AsyncSession, dealer_id: str, data: TemplatePut) -> sa.Row:
    refuse_bad_wording(data)
    return await message_log.save_template(session, {**data.model_dump(exclude={"dealer_id"}), "dealer_id": dealer_id,
                                                  "updated_at": datetime.now(UTC)})
