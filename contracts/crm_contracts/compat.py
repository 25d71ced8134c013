"""Does a newer schema of an event still describe every event an older one did?

Events stay in Kafka and in dead-letter topics for a long time, and old consumers keep running while
new producers roll out, so a change must work both ways: new code reads old events (replays, re-driven
dead letters) and old code reads new events. Hence, compared property by property, nested ones too:
- a property never disappears (a rename is a removal plus an addition);
- its JSON types stay exactly the same (adding `null` breaks old readers, dropping one breaks replays);
- it neither becomes required (old events lack it) nor stops being required (old readers count on it).
Adding an optional property is the one safe change. Known limitation: `enum`/`const` values, formats and
constraints (patterns, bounds) are not compared.
"""

from typing import Any

Schema = dict[str, Any]

_JSON_TYPE_OF = {bool: "boolean", int: "integer", float: "number", str: "string", type(None): "null",
                 list: "array", dict: "object"}


def breaking_changes(old: Schema, new: Schema) -> list[str]:
    """What `new` breaks for events written against `old`, one line per property; empty when compatible."""
    problems: list[str] = []
    _compare_objects(old, [old], new, [new], "", problems, set())
    return problems


def json_types(root: Schema, schema: Schema) -> frozenset[str]:
    """The JSON types a value of `schema` may have; "any" for an unconstrained schema."""
    types: set[str] = set()
    for alternative in _alternatives(root, schema):
        declared = alternative.get("type")
        if isinstance(declared, str):
            types.add(declared)
        elif isinstance(declared, list):
            types.update(declared)
        elif "const" in alternative:
            types.add(_JSON_TYPE_OF[type(alternative["const"])])
        elif "enum" in alternative:
            types.update(_JSON_TYPE_OF[type(value)] for value in alternative["enum"])
        else:
            types.add("any")
    return frozenset(types)


def _resolve(root: Schema, ref: str) -> Schema:
    if not ref.startswith("#/"):
        raise ValueError(f"only local $refs are compared, not {ref!r}")
    target: Any = root
    for token in ref[2:].split("/"):
        target = target[token.replace("~1", "/").replace("~0", "~")]
    return target


def _alternatives(root: Schema, schema: Schema) -> list[Schema]:
    """The shapes a value may take, with $refs resolved and unions flattened."""
    if "$ref" in schema:
        return _alternatives(root, _resolve(root, schema["$ref"]))
    # pydantic writes allOf only around a single $ref, so treating it like a union is exact here.
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            return [shape for branch in schema[combinator] for shape in _alternatives(root, branch)]
    return [schema]


def _compare_objects(
    old_root: Schema, old_shapes: list[Schema], new_root: Schema, new_shapes: list[Schema],
    prefix: str, problems: list[str], compared: set[tuple[tuple[int, ...], tuple[int, ...]]],
) -> None:
    old_objects = [shape for shape in old_shapes if "properties" in shape]
    new_objects = [shape for shape in new_shapes if "properties" in shape]
    if not old_objects:
        return
    # A recursive model resolves to the same $defs entries again; once per pair of them is enough.
    pair = (tuple(map(id, old_objects)), tuple(map(id, new_objects)))
    if pair in compared:
        return
    compared.add(pair)

    old_properties, old_required = _merge(old_objects)
    new_properties, new_required = _merge(new_objects)
    for name, old_property in old_properties.items():
        where = f"{prefix}{name}"
        if name not in new_properties:
            problems.append(f"{where}: removed or renamed")
            continue
        if name in new_required and name not in old_required:
            problems.append(f"{where}: was optional, now required")
        if name in old_required and name not in new_required:
            problems.append(f"{where}: was required, now optional")
        _compare_values(old_root, old_property, new_root, new_properties[name], where, problems, compared)


def _compare_values(
    old_root: Schema, old: Schema, new_root: Schema, new: Schema,
    where: str, problems: list[str], compared: set[tuple[tuple[int, ...], tuple[int, ...]]],
) -> None:
    old_types, new_types = json_types(old_root, old), json_types(new_root, new)
    if old_types != new_types:
        problems.append(f"{where}: JSON type {sorted(old_types)} became {sorted(new_types)}")
    old_shapes, new_shapes = _alternatives(old_root, old), _alternatives(new_root, new)
    _compare_objects(old_root, old_shapes, new_root, new_shapes, f"{where}.", problems, compared)
    for keyword, suffix in (("items", "[]"), ("additionalProperties", "{}")):
        old_inner = [shape[keyword] for shape in old_shapes if isinstance(shape.get(keyword), dict)]
        new_inner = [shape[keyword] for shape in new_shapes if isinstance(shape.get(keyword), dict)]
        if old_inner and new_inner:
            _compare_values(old_root, {"anyOf": old_inner}, new_root, {"anyOf": new_inner},
                            f"{where}{suffix}", problems, compared)


def _merge(objects: list[Schema]) -> tuple[Schema, set[str]]:
    properties: Schema = {}
    required: set[str] = set()
    for shape in objects:
        properties.update(shape["properties"])
        required.update(shape.get("required", ()))
    return properties, required
