"""Positive data acceptance: for the operations whose checks once went beyond their OpenAPI schema, a body
that the schema calls valid is not refused as invalid. A 404, 409 or 403 answers a missing or conflicting
record, which means the body itself was accepted; only 422 (or a 5xx) says the document lied."""

import uuid
from datetime import date

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, assume, given, settings

from crm_customer.domain.vehicles import check_vin
from crm_segmentation.domain import filters

from .test_api_fuzz import describe, fuzzer_headers

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

EXAMPLES_PER_OPERATION = 25
DEALER = "D-CONSTRAINTS"


def records(stack, headers: dict[str, str]) -> dict[str, str]:
    """Records for the path ids, so that checks made after the lookup are reached too: a lead without a
    mobile (the one conversion can refuse) and a static list."""
    with httpx.Client(base_url=stack.url("gateway"), headers=headers, timeout=30) as client:
        dealer = client.post("/api/v1/admin/dealers", json={"id": DEALER, "name": "约束测试店"})
        assert dealer.status_code in (201, 409), dealer.text
        lead = client.post("/api/v1/leads", json={"name": "无手机线索", "dealer_id": DEALER})
        assert lead.status_code == 201, lead.text
        segment = client.post("/api/v1/segments", json={
            "dealer_id": DEALER, "name": f"list-{uuid.uuid4().hex[:8]}", "kind": "static"})
        assert segment.status_code == 201, segment.text
    return {"lead_id": lead.json()["id"], "segment_id": segment.json()["id"]}


def beyond_any_schema(body) -> bool:
    """The two vehicle rules JSON Schema cannot state, both documented in words: a China-made VIN's check
    digit (arithmetic over the other sixteen characters) and dates not after today (a moving bound)."""
    if not isinstance(body, dict):
        return False
    if isinstance(body.get("vin"), str):
        try:
            check_vin(body["vin"])
        except ValueError:
            return True
    return any(isinstance(body.get(name), str) and date.fromisoformat(body[name]) > date.today()
               for name in ("delivery_date", "registration_date"))


def beyond_filter_schema(tree, depth: int = 0) -> bool:
    """The two segment filter rules stated in words: a tree at most MAX_DEPTH groups deep (a recursive schema
    cannot count) and a date value that is a real calendar day (the date format is matched by pattern only)."""
    if not isinstance(tree, dict):
        return False
    if depth > filters.MAX_DEPTH:
        return True
    children = tree.get("all") or tree.get("any") or ([tree["not"]] if "not" in tree else [])
    if children:
        return any(beyond_filter_schema(child, depth + 1) for child in children)
    if filters.FIELDS.get(tree.get("field")) is not date or tree.get("op") in ("is_null", "not_null"):
        return False
    values = tree.get("value") if isinstance(tree.get("value"), list) else [tree.get("value")]
    return any(isinstance(value, str) and not calendar_day(value) for value in values)


def calendar_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


OPERATIONS = [
    ("POST", "/api/v1/admin/users"),
    ("POST", "/api/v1/leads/{lead_id}/convert"),
    ("POST", "/api/v1/segments/preview"),
    ("POST", "/api/v1/segments/{segment_id}/members"),
    ("POST", "/api/v1/vehicles"),
    ("PUT", "/api/v1/care/plans/*"),  # one operation per rule, each with its own parameters
]


def test_schema_valid_requests_are_not_refused_as_invalid(fault_stack):
    gateway = fault_stack.url("gateway")
    headers = fuzzer_headers(fault_stack)
    ids = records(fault_stack, headers)
    api = schemathesis.openapi.from_url(gateway + "/openapi.json")
    refused: dict[str, str] = {}
    care_plans = [path for path in api.raw_schema["paths"] if path.startswith("/api/v1/care/plans/")
                  and "put" in api.raw_schema["paths"][path]]
    assert len(care_plans) > 10, care_plans
    for method, pattern in OPERATIONS:
        for path in care_plans if pattern.endswith("*") else [pattern]:
            call = acceptance(api[path][method], gateway, headers, ids)
            try:
                call()
            except (Exception, BaseExceptionGroup) as error:
                refused[f"{method} {path}"] = describe(error)
    assert not refused, "\n\n".join(f"{label}:\n{error}" for label, error in refused.items())


def acceptance(operation, gateway: str, headers: dict[str, str], ids: dict[str, str]):
    vehicles = operation.path == "/api/v1/vehicles"
    previews = operation.path == "/api/v1/segments/preview"

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def call(case):
        assume(not (vehicles and beyond_any_schema(case.body)))
        assume(not (previews and isinstance(case.body, dict) and beyond_filter_schema(case.body.get("filter"))))
        for name in case.path_parameters or {}:
            if name in ids:
                case.path_parameters[name] = ids[name]
        if operation.path.startswith("/api/v1/care/") and not (case.query or {}).get("dealer_id"):
            # Whoever works for several dealers names one; who asks is not part of the schema.
            case.query = {**(case.query or {}), "dealer_id": DEALER}
        response = case.call(base_url=gateway, headers={**headers, "If-Match": "*"})
        assert response.status_code != 422 and response.status_code < 500, (
            f"{response.status_code} for {case.body!r} {case.path_parameters!r} {case.query!r}: "
            f"{response.text[:600]}")

    return call
