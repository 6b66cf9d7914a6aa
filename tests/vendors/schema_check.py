"""Check a JSON answer against a schema of a vendor's published OpenAPI document, for the requests
that bypass Prism (Zendesk's uploads, Chatwoot's multipart messages): the subset of OpenAPI 3
schemas those documents use (type, properties, required, items, allOf, oneOf/anyOf, $ref,
nullable, enum). Returns the violations as sentences; [] when the answer fits."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import yaml

from tests.vendors.prism import CHATWOOT_DOCUMENT, ZENDESK_DOCUMENT

_TYPES: dict[str, tuple[type, ...]] = {"object": (dict,), "array": (list,), "string": (str,), "boolean": (bool,),
                                       "integer": (int,), "number": (int, float)}


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML 1.1's `=` (the "value" tag) appears as a plain word in Zendesk's document."""


_Loader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))


@cache
def _document(name: str) -> dict[str, Any]:
    if name == "zendesk":
        with open(ZENDESK_DOCUMENT, encoding="utf-8") as source:
            return yaml.load(source, Loader=_Loader)  # noqa: S506 (a safe loader, with one scalar tag)
    return json.loads(CHATWOOT_DOCUMENT.read_text(encoding="utf-8"))


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = document
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def check(document: dict[str, Any], value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    schema = _resolve(document, schema)
    found: list[str] = []
    if value is None:
        kinds = schema.get("type")
        allowed = schema.get("nullable") or kinds in (None, "null") or (isinstance(kinds, list) and "null" in kinds)
        return [] if allowed else [f"{where} is null"]
    for part in schema.get("allOf", ()):
        found += check(document, value, part, where)
    for key in ("oneOf", "anyOf"):
        if key in schema and all(check(document, value, option, where) for option in schema[key]):
            found.append(f"{where} fits none of its {key} schemas")
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind in _TYPES and (not isinstance(value, _TYPES[kind]) or (kind in ("integer", "number")
                                                                   and isinstance(value, bool))):
        return [*found, f"{where} should be {kind}, is {type(value).__name__}"]
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{where} is {value!r}, not one of {schema['enum']}")
    if isinstance(value, dict):
        for name in schema.get("required", ()):
            if name not in value:
                found.append(f"{where}.{name} is required")
        for name, sub in (schema.get("properties") or {}).items():
            if name in value:
                found += check(document, value[name], sub, f"{where}.{name}")
    if isinstance(value, list) and "items" in schema:
        for number, item in enumerate(value):
            found += check(document, item, schema["items"], f"{where}[{number}]")
    return found


def check_zendesk(value: Any, schema_name: str) -> list[str]:
    document = _document("zendesk")
    return check(document, value, document["components"]["schemas"][schema_name])


def check_chatwoot(value: Any, schema_name: str) -> list[str]:
    document = _document("chatwoot")
    return check(document, value, document["components"]["schemas"][schema_name])
