"""The survey service's domain figures on /metrics (module-level: Prometheus' registry is process-wide)."""

from prometheus_client import Counter

INVITATIONS_SENT = Counter("crm_survey_invitations_sent_total", "Invitations sent", ["kind"])
RESPONSES_RECORDED = Counter("crm_survey_responses_recorded_total", "Responses recorded", ["kind", "channel"])
HOT_ALERTS_RAISED = Counter("crm_survey_hot_alerts_raised_total", "Hot alerts raised", ["kind"])
PUBLIC_REFUSED = Counter("crm_survey_public_rate_limited_total", "Public requests refused by the rate limit")
