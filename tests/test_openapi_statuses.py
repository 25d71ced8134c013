"""The merged OpenAPI document names what a client must send to change a record and every problem it may get.

Built in-process and merged as the gateway merges it at /docs (as tests/test_openapi_schemas.py does).
"""

import pytest

from crm_care.main import create_app as care_app
from crm_customer.main import create_app as customer_app
from crm_gateway.docs import merge
from crm_gateway.main import create_app as gateway_app
from crm_segmentation.main import create_app as segmentation_app
from crm_survey.main import create_app as survey_app

SERVICES = {"customer": customer_app, "segmentation": segmentation_app, "survey": survey_app, "care": care_app}

PROBLEM = {"$ref": "#/components/schemas/Problem"}
# Changes that do not take If-Match yet, as "<method> <path>". Make one take it and take it off the list;
# a NEW change without If-Match fails the test.
NOT_YET_VERSIONED: set[str] = set()


@pytest.fixture(scope="module")
def merged() -> dict:
    return merge(gateway_app().openapi(), {name: make().openapi() for name, make in SERVICES.items()})


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def unversioned(document: dict) -> set[str]:
    found = set()
    for path, method, operation in operations(document):
        if method in ("put", "patch"):
            headers = {p["name"].lower() for p in operation.get("parameters", []) if p["in"] == "header"}
            if "if-match" not in headers or not {"412", "428"} <= set(operation["responses"]):
                found.add(f"{method} {path}")
    return found


def test_every_put_and_patch_takes_if_match_and_documents_428_and_412(merged):
    changes = [path for path, method, _ in operations(merged) if method in ("put", "patch")]
    assert len(changes) >= 10
    assert unversioned(merged) - NOT_YET_VERSIONED == set()


def test_the_list_of_unversioned_changes_names_only_what_is_still_unversioned(merged):
    assert NOT_YET_VERSIONED - unversioned(merged) == set()


def test_every_problem_reply_has_the_problem_schema_and_it_is_in_the_document(merged):
    assert merged["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status"]
    for path, method, operation in operations(merged):
        for status, reply in operation["responses"].items():
            if status[0] in "45":
                assert reply["content"]["application/problem+json"]["schema"] == PROBLEM, f"{method} {path} {status}"


def test_what_the_proxy_answers_is_documented_on_every_service_route_and_not_on_the_gateways_own(merged):
    proxied = [(path, op) for path, _, op in operations(merged) if path.startswith("/api/v1/customers")]
    assert proxied and all({"429", "503", "504"} <= set(op["responses"]) for _, op in proxied)
    own = merged["paths"]["/api/v1/admin/users"]["get"]["responses"]
    assert "504" not in own and {"400", "401", "403", "503"} <= set(own)
