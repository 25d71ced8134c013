"""Events the customer service publishes on crm.customer.v1."""

import uuid
from datetime import datetime
from typing import Literal

from crm_contracts import topics
from crm_contracts.registry import Payload, event


@event("crm.customer.registered.v1", topic=topics.CUSTOMER)
class CustomerRegistered(Payload):
    """A customer (person or organisation) was registered at a dealer."""

    customer_id: uuid.UUID
    dealer_id: str
    kind: Literal["person", "organisation"]
    status: Literal["lead", "customer"]
    registered_at: datetime
