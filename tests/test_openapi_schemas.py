"""Every 2xx JSON reply in the merged OpenAPI document has a schema, so clients can be generated from it.

The apps are built in-process (no database, broker or port is needed to build a document) and merged the
way the gateway merges them at /docs.
"""

import pytest

from crm_care.main import create_app as care_app
from crm_customer.main import create_app as customer_app
from crm_gateway.docs import merge
from crm_gateway.main import create_app as gateway_app
from crm_segmentation.main import create_app as segmentation_app
from crm_survey.main import create_app as survey_app

SERVICES = {"customer": customer_app, "segmentation": segmentation_app, "survey": survey_app, "care": care_app}

# Replies known to lack a schema when this test was written, by operation id. Type one and take it off
# the list; a NEW untyped reply fails the test.
KNOWN_UNTYPED: set[str] = set()


def typed(schema: dict | None) -> bool:
    """A reference, named properties, or a list/map of typed things: what a client generator can use."""
    if not schema:
        return False
    if "$ref" in schema or schema.get("properties"):
        return True
    for combined in ("anyOf", "oneOf", "allOf"):
        if combined in schema:
            return all(typed(part) or part.get("type") == "null" for part in schema[combined])
    if schema.get("type") == "array":
        return typed(schema.get("items"))
    if schema.get("type") == "object":
        extra = schema.get("additionalProperties")
        return isinstance(extra, dict) and typed(extra)
    return schema.get("type") in {"string", "integer", "number", "boolean"}


def untyped_replies(document: dict) -> set[str]:
    found = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status.startswith("2") and "application/json" in content \
                        and not typed(content["application/json"].get("schema")):
                    found.add(operation.get("operationId", f"{method} {path}"))
    return found


@pytest.fixture(scope="module")
def merged() -> dict:
    documents = {name: make().openapi() for name, make in SERVICES.items()}
    return merge(gateway_app().openapi(), documents)


def test_no_new_2xx_json_reply_without_a_schema_across_the_suite(merged):
    assert untyped_replies(merged) - KNOWN_UNTYPED == set()


def test_the_allow_list_names_only_replies_that_are_still_untyped(merged):
    """Typing a reply and leaving it on the list would let it slip back unnoticed."""
    assert KNOWN_UNTYPED - untyped_replies(merged) == set()


def test_the_check_catches_an_untyped_reply():
    document = {"paths": {"/x": {"get": {"operationId": "x", "responses": {
        "200": {"content": {"application/json": {"schema": {"type": "object", "additionalProperties": True}}}},
    }}}}}
    assert untyped_replies(document) == {"x"}
    assert untyped_replies({"paths": {"/y": {"get": {"operationId": "y", "responses": {
        "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Y"}}}}}}}}}) == set()


def test_each_service_keeps_its_own_reply_schema_where_two_share_a_name():
    documents = {name: make().openapi() for name, make in SERVICES.items()}
    merged = merge(gateway_app().openapi(), documents)

    def named(ref: str) -> dict:
        return merged["components"]["schemas"][ref.rsplit("/", 1)[1]]

    def reply_schema(path: str) -> dict:
        """The schema of one listed item, whether the list is a page (`items`) or a bare array."""
        reply = merged["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        listed = named(reply["$ref"])["properties"]["items"] if "$ref" in reply else reply
        return named(listed["items"]["$ref"])

    # survey's questionnaire templates and care's message templates are both `TemplatePublic` in their service
    assert "definition" in reply_schema("/api/v1/surveys/templates")["properties"]
    assert "body" in reply_schema("/api/v1/care/templates")["properties"]
