"""Corrections to the generated OpenAPI schema, so that it describes what the API answers
(found by the fuzzing in tests/api/test_fuzz_schema.py)."""

from __future__ import annotations

from typing import Any

TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$"


def _allows_blank(alternatives: list) -> bool:
    return any(isinstance(a, dict) and a.get("maxLength") == 0 for a in alternatives)


def _fix(node: Any) -> None:
    if isinstance(node, dict):
        if _allows_blank(node.get("oneOf", [])) or _allows_blank(node.get("anyOf", [])):
            return  # blank is already one of the alternatives
        if node.get("type") == "string" and node.get("format") == "email":
            # Optional addresses are stored blank: "" is a valid answer, not an address.
            del node["format"]
            node["anyOf"] = [{"format": "email"}, {"maxLength": 0}]
        elif node.get("type") == "string" and node.get("format") == "time":
            # A local time of day ("06:00:00"); JSON Schema's "time" wants an offset.
            del node["format"]
            node["pattern"] = TIME_PATTERN
        for value in node.values():
            _fix(value)
    elif isinstance(node, list):
        for value in node:
            _fix(value)


def describe_answers(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    _fix(result.get("components", {}).get("schemas", {}))
    return result
