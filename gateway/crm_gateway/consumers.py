"""What the gateway reads from Kafka: every event type on every topic, for partner webhooks.

`jobs.webhook_consumer` runs the kit's idempotent consumer on this table under a consumer group of its own
(GATEWAY_WEBHOOK_CONSUMER_GROUP), so webhook fan-out never competes with anything else for partitions.
"""


from crm_contracts import REGISTRY
from crm_gateway.handlers import webhooks

HANDLERS = {event_type: webhooks.fan_out for event_type in REGISTRY}
