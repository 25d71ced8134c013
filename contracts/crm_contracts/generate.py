"""Writes the published contract: a JSON Schema per event type, the envelope's, and one AsyncAPI document.

`python -m crm_contracts.generate` rewrites contracts/schemas/ and contracts/asyncapi.yaml;
`--check` writes nothing and exits 1 when a file is stale or missing (for CI).
A schema file whose event type is no longer registered fails both: published types are never dropped.
Output is byte-stable, so a diff in these files is a contract change and nothing else.
"""

import argparse
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

from crm_contracts import REGISTRY, Envelope, topics
from crm_contracts.envelope import schema_uri

CONTRACTS_DIR = Path(__file__).resolve().parent.parent
SCHEMAS_DIR = "schemas"
ASYNCAPI_FILE = "asyncapi.yaml"
ENVELOPE = "envelope"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
CONTENT_TYPE = "application/cloudevents+json"


def schema_path(name: str) -> str:
    """Where the schema of an event type (or of the envelope) lives, relative to contracts/."""
    return f"{SCHEMAS_DIR}/{name}.json"


def payload_schema(event_type: str) -> dict[str, Any]:
    registered = REGISTRY[event_type]
    if not registered.description:
        raise ValueError(f"{event_type}: give {registered.payload.__name__} a docstring, "
                         "it is the event's published description")
    schema = registered.payload.model_json_schema(mode="serialization")
    return {**schema, "$schema": JSON_SCHEMA_DIALECT, "$id": schema_uri(event_type),
            "title": event_type, "description": registered.description}


def envelope_schema() -> dict[str, Any]:
    schema = Envelope.model_json_schema(mode="serialization")
    # pydantic leaves fields with a default out of `required`, but `to_json` always writes a field whose
    # default is not None (id, time, specversion...), and CloudEvents requires id and specversion: a
    # reader may count on them. Only None-defaulted fields (requestid) can be absent on the wire.
    schema["required"] = [name for name, field in Envelope.model_fields.items() if field.default is not None]
    return {**schema, "$schema": JSON_SCHEMA_DIALECT, "$id": schema_uri(ENVELOPE)}


def live_schema(name: str) -> dict[str, Any]:
    """The schema the current code publishes under `name` (an event type or "envelope")."""
    return envelope_schema() if name == ENVELOPE else payload_schema(name)


def _json_text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _contracts_version() -> str:
    # Read from the source tree rather than installed metadata, which an editable install leaves stale.
    with (CONTRACTS_DIR / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)["project"]["version"]


def _owner(topic: str) -> str:
    return topic.split(".")[1]


def _message(event_type: str) -> dict[str, Any]:
    envelope = envelope_schema()
    envelope.pop("$schema")
    envelope.pop("$id")
    properties = envelope["properties"]
    # The relative file ref keeps each payload schema one self-contained document (its own `$defs`),
    # which embedding under components.schemas would break; the AsyncAPI parser resolves it from disk.
    properties["data"] = {"$ref": f"./{schema_path(event_type)}"}
    properties["type"] = {**properties["type"], "const": event_type}
    properties["dataschema"] = {**properties["dataschema"], "const": schema_uri(event_type)}
    envelope["title"] = f"{event_type} in its CloudEvents envelope"
    return {
        "name": event_type,
        "title": event_type,
        "summary": REGISTRY[event_type].description,
        "contentType": CONTENT_TYPE,
        "payload": envelope,
        "bindings": {"kafka": {
            "key": {"type": "string", "description": "The customer id (the envelope's `subject`)."},
            "bindingVersion": "0.5.0",
        }},
    }


def _channel(address: str, event_types: list[str], description: str) -> dict[str, Any]:
    return {
        "address": address,
        "description": description,
        "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in event_types},
    }


def _operation(channel_id: str, event_types: list[str], summary: str) -> dict[str, Any]:
    return {
        "action": "send",
        "channel": {"$ref": f"#/channels/{channel_id}"},
        "summary": summary,
        "messages": [{"$ref": f"#/channels/{channel_id}/messages/{name}"} for name in event_types],
    }


def asyncapi_document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for topic in topics.ALL:
        owner = _owner(topic)
        carried = sorted(name for name, registered in REGISTRY.items() if registered.topic == topic)
        key_note = "The Kafka key is the customer id, so one customer's events stay in order."
        channels[topic] = _channel(
            topic, carried, f"Events of the {owner} service, the only one that publishes here. {key_note}")
        operations[f"send.{topic}"] = _operation(
            topic, carried, f"The {owner} service publishes its events; partners and other services receive.")
        dlq = topics.dead_letter(topic)
        channels[dlq] = _channel(dlq, carried, (
            f"Dead letters of {topic}: a message a CRM consumer could not handle after retries, with its "
            "original key and bytes (so possibly not a valid envelope at all) and the headers crm_error, "
            f"crm_original_topic, crm_original_partition and crm_original_offset. {key_note}"))
        operations[f"send.{dlq}"] = _operation(
            dlq, carried, f"A CRM consumer of {topic} parks a message it keeps failing on.")
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Dealer Retention CRM events",
            "version": _contracts_version(),
            "description": "Facts the CRM publishes on Kafka, each a CloudEvents 1.0 envelope in structured "
                           "JSON mode. Payloads carry ids and facts, never raw personal data.",
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {"kafka": {
            "host": "127.0.0.1:9092",
            "protocol": "kafka",
            "description": "The local development broker.",
        }},
        "channels": channels,
        "operations": operations,
        "components": {"messages": {name: _message(name) for name in sorted(REGISTRY)}},
    }


def _yaml_text(document: dict[str, Any]) -> str:
    import yaml  # a dev dependency: services import crm_contracts without it

    class Dumper(yaml.SafeDumper):
        # Anchors and aliases are valid YAML but make the document hard to read and diff.
        def ignore_aliases(self, data: Any) -> bool:
            return True

    return yaml.dump(document, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=110)


def render_all() -> dict[str, str]:
    """Every generated file, path relative to contracts/ -> text."""
    files = {schema_path(name): _json_text(payload_schema(name)) for name in sorted(REGISTRY)}
    files[schema_path(ENVELOPE)] = _json_text(envelope_schema())
    files[ASYNCAPI_FILE] = _yaml_text(asyncapi_document())
    return files


def orphaned_schemas(root: Path = CONTRACTS_DIR) -> list[str]:
    """Schema files on disk whose type is no longer registered."""
    on_disk = sorted((root / SCHEMAS_DIR).glob("*.json"))
    return [f"{SCHEMAS_DIR}/{path.name}" for path in on_disk
            if path.stem != ENVELOPE and path.stem not in REGISTRY]


def stale_files(rendered: dict[str, str], root: Path = CONTRACTS_DIR) -> list[str]:
    """Generated files that are missing on disk or differ from what the code renders."""
    return [path for path, text in rendered.items()
            if not (root / path).is_file() or (root / path).read_text(encoding="utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crm_contracts.generate", description=__doc__)
    parser.add_argument("--check", action="store_true", help="report stale or missing files, write nothing")
    args = parser.parse_args(argv)

    orphans = orphaned_schemas()
    if orphans:
        print("These schemas belong to event types that are no longer registered:", *orphans, sep="\n  ",
              file=sys.stderr)
        print("A published type stays registered; a breaking change is a new version (crm.x.y.v2) beside it.",
              file=sys.stderr)
        return 1

    try:
        rendered = render_all()
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    stale = stale_files(rendered)
    if args.check:
        if stale:
            print("Stale or missing (run `make contracts`, i.e. python -m crm_contracts.generate):",
                  *stale, sep="\n  ", file=sys.stderr)
            return 1
        return 0
    for path in stale:
        target = CONTRACTS_DIR / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(rendered[path], encoding="utf-8", newline="\n")
        print(f"wrote contracts/{path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
