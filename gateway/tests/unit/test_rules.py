"""The gateway's rules without I/O: roles, throttling, circuit breaker, rate limits, webhook signing."""

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from standardwebhooks import Webhook
from starlette.routing import Route

from crm_contracts import permissions as p
from crm_gateway.domain import webhooks
from crm_gateway.domain.breaker import CircuitBreaker
from crm_gateway.domain.roles import EVERY_PERMISSION, ROLES, permissions_of
from crm_gateway.domain.throttle import blocked_until
from crm_gateway.edge import ProxyPaths
from crm_gateway.proxy import forwarded_headers
from crm_gateway.routes import owner_of
from crm_kit.logs import request_id


def test_every_role_of_the_domain_exists_and_grants_only_known_permissions():
    assert set(ROLES) == {"cs_information_manager", "cs_planner", "cr_activity_owner", "cs_survey_training_owner",
                          "dealer_admin", "advisor", "carmaker_analyst", "system_admin"}
    assert all(granted <= EVERY_PERMISSION for granted in ROLES.values())
    assert ROLES["system_admin"] == EVERY_PERMISSION


def test_who_may_read_personal_data_and_network_figures():
    assert p.READ_PII not in ROLES["carmaker_analyst"] and p.CUSTOMERS_READ not in ROLES["carmaker_analyst"]
    assert p.NETWORK_READ in ROLES["carmaker_analyst"]
    assert [r for r in ROLES if p.NETWORK_READ in ROLES[r]] == ["carmaker_analyst", "system_admin"]
    assert p.PII_AUDIT in ROLES["cs_information_manager"] and p.SEGMENTS_WRITE in ROLES["cs_planner"]
    assert p.CARE_WORK in ROLES["cr_activity_owner"] and p.SURVEYS_MANAGE in ROLES["cs_survey_training_owner"]
    assert permissions_of(["cs_planner", "advisor"]) == sorted(ROLES["cs_planner"] | ROLES["advisor"])


def test_login_throttle_allows_a_few_mistakes_then_doubles_the_wait_up_to_fifteen_minutes():
    last = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    rule = {"max_failures": 5, "first_block_seconds": 30}
    assert blocked_until(4, last, **rule) is None
    assert blocked_until(5, last, **rule) == last + timedelta(seconds=30)
    assert blocked_until(6, last, **rule) == last + timedelta(seconds=60)
    assert blocked_until(40, last, **rule) == last + timedelta(minutes=15)


def test_breaker_opens_after_failures_in_a_row_probes_once_then_closes():
    breaker = CircuitBreaker(failures_to_open=3, open_seconds=10)
    for now in (0, 1, 2):
        assert breaker.allow(now)
        breaker.failed(now)
    assert breaker.state(3) == "open" and not breaker.allow(3) and breaker.retry_after(3) == 9
    assert breaker.allow(12) and not breaker.allow(12.1)  # half-open: a single probe
    breaker.failed(12.5)
    assert breaker.state(13) == "open"  # the probe failed: open again for a full period
    assert breaker.allow(23)
    breaker.succeeded()
    assert breaker.state(23) == "closed" and breaker.allow(23) and breaker.allow(23)


def test_a_success_between_failures_keeps_the_circuit_closed():
    breaker = CircuitBreaker(failures_to_open=2, open_seconds=5)
    breaker.failed(0)
    breaker.succeeded()
    breaker.failed(1)
    assert breaker.state(1) == "closed"


def test_signature_matches_the_standard_webhooks_reference_implementation():
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"type":"crm.customer.registered.v1","data":{"customer_id":"c-1"}}'
    timestamp = int(datetime.now(UTC).timestamp())
    headers = webhooks.headers(secret, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", timestamp, body)
    assert Webhook(secret).verify(body, headers)["data"]["customer_id"] == "c-1"
    expected = base64.b64encode(hmac.new(base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
                                         f"msg_2KWPBgLlAfxdpx2AI54pPJ85f4W.{timestamp}.".encode() + body,
                                         hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == "v1," + expected


def test_retry_schedule_spans_about_a_day_then_gives_up():
    now = datetime(2026, 5, 1, tzinfo=UTC)
    schedule = [5, 300, 1800, 7200, 18000, 36000, 36000]
    assert webhooks.next_attempt(1, now, schedule) == now + timedelta(seconds=5)
    assert webhooks.next_attempt(7, now, schedule) == now + timedelta(hours=10)
    assert webhooks.next_attempt(8, now, schedule) is None
    assert timedelta(hours=24) < timedelta(seconds=sum(schedule)) < timedelta(hours=30)


def test_receiver_answers_mean_delivered_unsubscribed_or_retry():
    assert [webhooks.outcome_of(s) for s in (200, 204, 410, 500, 404, None)] == [
        "delivered", "delivered", "gone", "retry", "retry", "retry"]


def test_subscription_matching_and_url_rules():
    assert webhooks.matches(["*"], ["D1"], "crm.customer.registered.v1", "D1")
    assert not webhooks.matches(["crm.survey.answered.v1"], ["*"], "crm.customer.registered.v1", "D1")
    assert not webhooks.matches(["*"], ["D2"], "crm.customer.registered.v1", "D1")
    assert webhooks.url_problem("http://127.0.0.1/hook", allow_private=True) is None
    assert webhooks.url_problem("http://partner.example/hook", allow_private=False) == "must use https"
    assert webhooks.url_problem("https://10.0.0.8/hook", allow_private=False) is not None
    assert webhooks.url_problem("https://hooks.insurer.example/crm", allow_private=False) is None


def test_routing_by_prefix_never_matches_a_longer_word():
    assert owner_of("/api/v1/customers/123") == "customer"
    assert owner_of("/api/v1/care/tasks") == "care"
    assert owner_of("/s/abc") == "survey"
    assert owner_of("/api/v1/customersx") is None


async def test_paths_a_service_owns_go_straight_to_the_proxy_and_the_rest_through_the_router():
    reached = []

    async def router(scope, receive, send):
        reached.append(("router", scope["method"], scope["path"]))

    async def proxy(scope, receive, send):
        reached.append(("proxy", scope["path"], scope["route"].path))

    routes = [Route("/api/v1/{path:path}", proxy, methods=["GET", "POST"]),
              Route("/s/{path:path}", proxy, methods=["GET", "POST"])]
    edge = ProxyPaths(router, routes, proxy)
    for method, path in [("GET", "/api/v1/customers/42"), ("GET", "/api/v1/admin/roles"), ("POST", "/s/abc"),
                         ("DELETE", "/s/abc"), ("GET", "/api/v1/nobody")]:
        await edge({"type": "http", "method": method, "path": path, "headers": []}, None, None)
    assert reached == [("proxy", "/api/v1/customers/42", "/api/v1/{path:path}"),
                       ("router", "GET", "/api/v1/admin/roles"),  # the gateway's own route
                       ("proxy", "/s/abc", "/s/{path:path}"),
                       ("router", "DELETE", "/s/abc"),  # refused with 405 by the route, as before
                       ("router", "GET", "/api/v1/nobody")]  # the 404 problem, as before


def test_forwarded_headers_are_set_once_by_the_gateway():
    scope = {"scheme": "https", "client": ("203.0.113.9", 50000), "headers": [
        (b"host", b"crm.example"), (b"authorization", b"Bearer t"), (b"x-forwarded-for", b"198.51.100.7"),
        (b"x-forwarded-proto", b"http"), (b"connection", b"keep-alive"), (b"x-request-id", b"caller-chosen")]}
    token = request_id.set("checked-by-the-kit")  # what the request middleware made of the caller's id
    try:
        headers = forwarded_headers(scope)
    finally:
        request_id.reset(token)
    assert [name for name, _ in headers].count("x-forwarded-proto") == 1
    assert dict(headers) == {"authorization": "Bearer t", "x-forwarded-for": "198.51.100.7, 203.0.113.9",
                             "x-forwarded-proto": "https", "x-forwarded-host": "crm.example",
                             "x-request-id": "checked-by-the-kit"}
