"""The care service's domain figures on /metrics (module-level: Prometheus' registry is process-wide)."""

from prometheus_client import Counter, Gauge

ACTIONS_STORED = Counter("crm_care_actions_stored_total", "Due actions the scan stored")
ACTIONS_DISPATCHED = Counter("crm_care_actions_dispatched_total", "Due actions carried out")
TASKS_OVERDUE = Gauge("crm_care_tasks_overdue", "Open care tasks past their SLA", ["dealer", "role"])
ACTIONS_DUE = Gauge("crm_care_actions_due", "Reminders and calls due and not yet carried out")
CASES_ESCALATED = Counter("crm_care_cases_escalated_total", "Complaint cases escalated for a missed first contact")
LAST_SCAN = Gauge("crm_care_last_scan_timestamp_seconds", "When the due-scan last finished")
# Per dealer, channel and outcome (sent, blocked, dead, deferred): what the business dashboard charts.
MESSAGES = Counter("crm_care_messages", "Messages settled or deferred by the sender", ["dealer", "channel", "outcome"])
