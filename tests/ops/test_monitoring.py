"""Alert rules, scrape config and dashboards are valid, and every process's /metrics passes promtool."""

import json
import re
import subprocess

import httpx
import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

from crm_devstack.stack import PROCESSES
from crm_kit import metrics

from .conftest import DEPLOY

PROMETHEUS = DEPLOY / "prometheus"
# Domain gauges and counters the services expose (named for them in the operations issue).
DOMAIN_METRICS = {"crm_care_tasks_overdue", "crm_survey_hot_alerts_open", "crm_survey_invitations_total",
                  "crm_survey_responses_total", "crm_care_messages_total", "crm_segmentation_grasp_rate",
                  "crm_webhook_deliveries_total", "crm_survey_response_index", "crm_survey_nps_answers_total"}
KIT_METRICS = {value._name + ("_total" if value._type == "counter" else "")
               for value in vars(metrics).values() if isinstance(value, MetricWrapperBase)}


def run(*command: str, cwd=None) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=cwd)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_alert_rules_pass_promtool_and_fire_on_their_series(promtool):
    assert "SUCCESS: 10 rules found" in run(promtool, "check", "rules", str(PROMETHEUS / "rules" / "crm.yml"))
    assert "SUCCESS" in run(promtool, "test", "rules", "tests.yml", cwd=PROMETHEUS / "rules")


def test_scrape_config_passes_promtool_and_scrapes_every_process(promtool):
    assert "is valid prometheus config" in run(promtool, "check", "config", str(PROMETHEUS / "prometheus.yml"))
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    targets = {label["process"] for job in config["scrape_configs"] for group in job["static_configs"]
               for label in [group["labels"]]}
    assert targets == set(PROCESSES)


def test_the_issue_alerts_are_all_there():
    rules = yaml.safe_load((PROMETHEUS / "rules" / "crm.yml").read_text())
    alerts = {rule["alert"] for group in rules["groups"] for rule in group["rules"]}
    assert alerts == {"CrmProcessDown", "CrmHigh5xxRatio", "CrmSlowRequests", "CrmConsumerLag", "CrmOutboxStuck",
                      "CrmPublishFailures", "CrmDeadLettersGrowing", "CrmWebhookDeliveriesFailing",
                      "CrmCareTasksOverdue", "CrmHotAlertsUnhandled"}


def metric_names(expression: str) -> set[str]:
    names = set(re.findall(r"\b(crm_[a-z_]+)", expression))
    return {re.sub(r"_(bucket|count|sum)$", "", name) for name in names}


@pytest.mark.parametrize("dashboard", ["service-health", "event-flow", "business"])
def test_dashboards_query_only_metrics_that_exist(dashboard):
    document = json.loads((DEPLOY / "grafana" / "dashboards" / f"{dashboard}.json").read_text())
    expressions = [target["expr"] for panel in document["panels"] for target in panel["targets"]]
    assert expressions
    used = set().union(*(metric_names(expression) for expression in expressions))
    assert used <= KIT_METRICS | DOMAIN_METRICS, used - KIT_METRICS - DOMAIN_METRICS
    panel_ids = [panel["id"] for panel in document["panels"]]
    assert len(panel_ids) == len(set(panel_ids))
    assert all(panel["datasource"]["uid"] == "crm-prometheus" for panel in document["panels"])


def test_rules_alert_on_kit_and_domain_metrics_only():
    rules = yaml.safe_load((PROMETHEUS / "rules" / "crm.yml").read_text())
    used = set().union(*(metric_names(rule["expr"]) for group in rules["groups"] for rule in group["rules"]))
    assert used <= KIT_METRICS | DOMAIN_METRICS, used - KIT_METRICS - DOMAIN_METRICS


@pytest.mark.timeout(240)
def test_every_process_metrics_pass_promtool_and_expose_what_dashboards_and_alerts_query(stack, promtool):
    exposed: set[str] = set()
    for process in PROCESSES:
        exposition = httpx.get(stack.url(process) + "/metrics", timeout=10).text
        assert "crm_http_requests_total" in exposition
        exposed |= set(re.findall(r"^# TYPE (crm_[a-z_]+) ", exposition, re.MULTILINE))
        done = subprocess.run([promtool, "check", "metrics"], input=exposition, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, (process, done.stdout + done.stderr)
    assert exposed >= DOMAIN_METRICS, f"queried by deploy/ but exposed by no process: {DOMAIN_METRICS - exposed}"
