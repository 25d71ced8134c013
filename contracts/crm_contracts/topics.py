"""Kafka topic names: one topic per owning service, keyed by customer id."""

CUSTOMER = "crm.customer.v1"
SEGMENTATION = "crm.segmentation.v1"
SURVEY = "crm.survey.v1"
CARE = "crm.care.v1"

ALL = (CUSTOMER, SEGMENTATION, SURVEY, CARE)


def dead_letter(topic: str) -> str:
    return f"{topic}.dlq"
