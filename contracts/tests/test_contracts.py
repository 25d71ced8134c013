"""The published event contract: generated files current, no field ever removed or renamed, types sound."""

import json
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import Field

from crm_contracts import REGISTRY, Envelope, Payload, new_event, parse_payload, topics
from crm_contracts.compat import breaking_changes
from crm_contracts.envelope import EVENT_TYPE
from crm_contracts.generate import (
    ASYNCAPI_FILE,
    CONTRACTS_DIR,
    ENVELOPE,
    SCHEMAS_DIR,
    live_schema,
    orphaned_schemas,
    render_all,
    schema_path,
    stale_files,
)

REGENERATE = "run `make contracts` (python -m crm_contracts.generate) and commit the result"


def test_generated_files_are_up_to_date():
    stale = stale_files(render_all())
    assert not stale, f"stale or missing: {stale}; {REGENERATE}"


def test_no_schema_outlives_its_event_type():
    assert not orphaned_schemas(), "published event types stay registered; a breaking change is a new version"


# --- no field removed or renamed, against every version ever committed -----------------------------------

def _git(*args: str, cwd: Path) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return None
    return done.stdout if done.returncode == 0 else None


def _repo_root() -> Path | None:
    top = _git("rev-parse", "--show-toplevel", cwd=CONTRACTS_DIR)
    return Path(top.strip()) if top else None


def _published_schema_names() -> list[str]:
    """Every schema on disk, plus any that git history has and the working tree lost."""
    names = {path.stem for path in (CONTRACTS_DIR / SCHEMAS_DIR).glob("*.json")}
    root = _repo_root()
    if root is not None:
        schemas = (CONTRACTS_DIR / SCHEMAS_DIR).resolve().relative_to(root.resolve()).as_posix()
        # fails (None) in a repository without commits: then the working tree is all there is
        touched = _git("log", "--format=", "--name-only", "--", schemas, cwd=root) or ""
        names.update(Path(line).stem for line in touched.split() if line.endswith(".json"))
    return sorted(names)


def _versions(name: str) -> dict[str, dict[str, Any]]:
    """Each distinct version of a schema file: the working tree's and every committed one, by where from."""
    path = CONTRACTS_DIR / schema_path(name)
    found: dict[str, dict[str, Any]] = {}
    if path.is_file():
        found["working tree"] = json.loads(path.read_text(encoding="utf-8"))
    root = _repo_root()
    if root is None:
        return found
    relative = path.resolve().relative_to(root.resolve()).as_posix()
    for sha in (_git("log", "--format=%H", "--", relative, cwd=root) or "").split():
        text = _git("show", f"{sha}:{relative}", cwd=root)
        if text and json.loads(text) not in found.values():
            found[f"commit {sha[:12]}"] = json.loads(text)
    return found


@pytest.mark.parametrize("name", _published_schema_names())
def test_no_field_removed_or_renamed(name: str):
    assert name == ENVELOPE or name in REGISTRY, (
        f"{schema_path(name)} was published but {name} is no longer registered: keep it registered "
        "and add a new version beside it")
    live = live_schema(name)
    problems = [f"{where}: {problem}" for where, old in _versions(name).items()
                for problem in breaking_changes(old, live)]
    assert not problems, (
        f"{name} is no longer compatible with what was published; add a new version instead:\n"
        + "\n".join(problems))


class CustomerRegisteredV1(Payload):
    customer_id: uuid.UUID
    dealer_id: str
    nickname: str | None = None


class CustomerRegisteredRenamed(Payload):
    customer_id: uuid.UUID
    dealer: str
    nickname: str | None = None


def _schema(model: type[Payload]) -> dict[str, Any]:
    return model.model_json_schema(mode="serialization")


def test_checker_reports_a_renamed_field():
    assert breaking_changes(_schema(CustomerRegisteredV1), _schema(CustomerRegisteredRenamed)) == [
        "dealer_id: removed or renamed"]


def test_checker_accepts_an_added_optional_field():
    class WithBrand(CustomerRegisteredV1):
        brand: str | None = None

    assert breaking_changes(_schema(CustomerRegisteredV1), _schema(WithBrand)) == []


def test_checker_reports_optional_made_required_and_a_changed_type():
    class Stricter(Payload):
        customer_id: uuid.UUID
        dealer_id: int
        nickname: str

    assert breaking_changes(_schema(CustomerRegisteredV1), _schema(Stricter)) == [
        "dealer_id: JSON type ['string'] became ['integer']",
        "nickname: was optional, now required",
        "nickname: JSON type ['null', 'string'] became ['string']",
    ]


def test_checker_follows_nested_models_and_terminates_on_recursive_ones():
    class Vehicle(Payload):
        vin: str
        replaced_by: "Vehicle | None" = None

    class RenamedVehicle(Payload):
        vehicle_identification_number: str
        replaced_by: "RenamedVehicle | None" = None

    class Fleet(Payload):
        vehicles: list[Vehicle]

    class RenamedFleet(Payload):
        vehicles: list[RenamedVehicle]

    assert breaking_changes(_schema(Fleet), _schema(RenamedFleet)) == ["vehicles[].vin: removed or renamed"]


# --- every registered type is well formed --------------------------------------------------------------

@pytest.mark.parametrize("event_type", sorted(REGISTRY))
def test_event_type_is_versioned_and_on_a_known_topic(event_type: str):
    assert EVENT_TYPE.fullmatch(event_type), "crm.<aggregate>.<fact>.v<N>"
    assert REGISTRY[event_type].topic in topics.ALL


def _sample(root: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A valid value for a pydantic schema; a field with a pattern needs `Field(examples=[...])`."""
    if "$ref" in schema:
        return _sample(root, root["$defs"][schema["$ref"].rsplit("/", 1)[1]])
    for keyword in ("examples", "enum"):
        if schema.get(keyword):
            return schema[keyword][0]
    if "const" in schema or "default" in schema:
        return schema.get("const", schema.get("default"))
    if "anyOf" in schema:
        return _sample(root, schema["anyOf"][0])
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "object":
        return {name: _sample(root, prop) for name, prop in schema.get("properties", {}).items()}
    if kind == "array":
        return [_sample(root, schema["items"])] * schema.get("minItems", 1) if "items" in schema else []
    if kind in ("integer", "number"):
        return schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1)
    if kind == "boolean":
        return True
    formatted = {"uuid": str(uuid.uuid4()), "date-time": "2024-05-17T09:30:00+02:00", "date": "2024-05-17"}
    return formatted.get(fmt, "x" * max(schema.get("minLength", 1), 1))


@pytest.mark.parametrize("event_type", sorted(REGISTRY))
@pytest.mark.parametrize("request_id", ["req-7f3a", None])
def test_an_event_round_trips_through_json(event_type: str, request_id: str | None):
    registered = REGISTRY[event_type]
    schema = registered.payload.model_json_schema(mode="serialization")
    payload = registered.payload.model_validate(_sample(schema, schema))
    owner = registered.topic.split(".")[1]
    envelope = new_event(payload, service=owner, subject=str(uuid.uuid4()), dealer_id="dealer-0042",
                         request_id=request_id)

    again = Envelope.from_json(envelope.to_json())

    assert again == envelope
    assert parse_payload(again) == payload


def test_a_payload_example_is_used_for_a_patterned_field():
    class VehicleSold(Payload):
        vin: str = Field(pattern=r"^[A-HJ-NPR-Z0-9]{17}$", examples=["WVWZZZ1JZXW000001"])

    schema = _schema(VehicleSold)
    assert VehicleSold.model_validate(_sample(schema, schema)).vin == "WVWZZZ1JZXW000001"


# --- the AsyncAPI document -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def asyncapi() -> dict[str, Any]:
    path = CONTRACTS_DIR / ASYNCAPI_FILE
    assert path.is_file(), REGENERATE
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _follow(document: dict[str, Any], ref: str) -> Any:
    target: Any = document
    for token in ref.removeprefix("#/").split("/"):
        target = target[token]
    return target


def test_asyncapi_is_version_3(asyncapi: dict[str, Any]):
    assert asyncapi["asyncapi"] == "3.0.0"
    assert asyncapi["servers"]["kafka"]["protocol"] == "kafka"


@pytest.mark.parametrize("event_type", sorted(REGISTRY))
def test_asyncapi_lists_the_event_on_its_topic(asyncapi: dict[str, Any], event_type: str):
    channel = asyncapi["channels"][REGISTRY[event_type].topic]
    assert channel["address"] == REGISTRY[event_type].topic
    message = _follow(asyncapi, channel["messages"][event_type]["$ref"])

    assert message["name"] == event_type
    assert message["contentType"] == "application/cloudevents+json"
    data_ref = message["payload"]["properties"]["data"]["$ref"]
    assert (CONTRACTS_DIR / data_ref).resolve() == (CONTRACTS_DIR / schema_path(event_type)).resolve()


@pytest.mark.parametrize("topic", [*topics.ALL, *map(topics.dead_letter, topics.ALL)])
def test_every_topic_has_a_channel_and_a_send_operation(asyncapi: dict[str, Any], topic: str):
    assert asyncapi["channels"][topic]["address"] == topic
    channel_ref = f"#/channels/{topic}"
    on_channel = [op for op in asyncapi["operations"].values() if op["channel"]["$ref"] == channel_ref]
    assert [op["action"] for op in on_channel] == ["send"]


def test_a_stale_or_orphaned_file_is_reported(tmp_path: Path):
    rendered = render_all()
    for path, text in rendered.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    (tmp_path / ASYNCAPI_FILE).write_text("asyncapi: 3.0.0\n", encoding="utf-8")
    (tmp_path / schema_path("crm.customer.deleted.v1")).write_text("{}\n", encoding="utf-8")

    assert stale_files(rendered, tmp_path) == [ASYNCAPI_FILE]
    assert orphaned_schemas(tmp_path) == [schema_path("crm.customer.deleted.v1")]


def test_a_received_event_without_its_own_id_is_refused():
    """An id defaulted on read would give every redelivery a new id and defeat the consumers' inboxes."""
    import json

    import pytest

    from crm_contracts import Envelope

    wire = json.loads(Envelope(source="/crm/customer", type="crm.customer.registered.v1", subject="c1",
                               dataschema="urn:x", dealerid="D1", data={}).to_json())
    del wire["id"]
    with pytest.raises(ValueError, match="lacks id"):
        Envelope.from_json(json.dumps(wire))
