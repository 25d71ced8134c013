"""Event type -> handler: what care reads from the customer, segmentation and survey topics."""

from crm_care.handlers import facts, surveys
from crm_contracts import topics
from crm_kit.handling import on_payload
from crm_kit.inbox import Handler

TOPICS = [topics.CUSTOMER, topics.SEGMENTATION, topics.SURVEY]
HANDLERS: dict[str, Handler] = {
    "crm.customer.registered.v1": on_payload(facts.customer_known),
    "crm.customer.updated.v1": on_payload(facts.customer_known),
    "crm.customer.erased.v1": on_payload(facts.customer_erased),
    "crm.customer.merged.v1": on_payload(facts.customer_merged),
    "crm.consent.changed.v1": on_payload(facts.consent_changed),
    "crm.vehicle.registered.v1": on_payload(facts.vehicle_known),
    "crm.vehicle.updated.v1": on_payload(facts.vehicle_known),
    "crm.vehicle.transferred.v1": on_payload(facts.vehicle_transferred),
    "crm.odometer.recorded.v1": on_payload(facts.odometer_recorded),
    "crm.visit.recorded.v1": on_payload(facts.visit_recorded),
    "crm.customer.status_changed.v1": on_payload(facts.status_changed),
    "crm.first_service.lost.v1": on_payload(facts.first_service_lost),
    "crm.survey.invitation.created.v1": on_payload(surveys.invitation_created),
    "crm.survey.hot_alert.raised.v1": on_payload(surveys.hot_alert_raised),
}
