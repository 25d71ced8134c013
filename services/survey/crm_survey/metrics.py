"""The survey service's domain figures on /metrics (module-level: Prometheus' registry is process-wide).

Per dealer, because the business dashboard and the hot-alert rule in deploy/ are per dealer.
"""

from prometheus_client import Counter, Gauge, Summary

INVITATIONS_SENT = Counter("crm_survey_invitations", "Invitations sent", ["dealer", "kind"])
RESPONSES_RECORDED = Counter("crm_survey_responses", "Responses recorded", ["dealer", "kind", "channel"])
# The dashboard divides sum by count over a window: the mean index (SSI/CSI, 1,000 points) of that window.
RESPONSE_INDEX = Summary("crm_survey_response_index", "Each response's 1,000-point index", ["dealer", "kind"])
# NPS over a window = 100 × (promoters − detractors) / all, from these counts.
NPS_ANSWERS = Counter("crm_survey_nps_answers", "Recommendation answers by NPS category",
                      ["dealer", "kind", "category"])
HOT_ALERTS_RAISED = Counter("crm_survey_hot_alerts_raised", "Hot alerts raised", ["dealer", "kind"])
HOT_ALERTS_OPEN = Gauge("crm_survey_hot_alerts_open", "Hot alerts not yet resolved", ["dealer"])
PUBLIC_REFUSED = Counter("crm_survey_public_rate_limited", "Public requests refused by the rate limit")
