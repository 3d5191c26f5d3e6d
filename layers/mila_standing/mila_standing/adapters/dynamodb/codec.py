"""The one DynamoDB-JSON codec: Python values to typed attribute values and back.

``to_attrs`` / ``from_attrs`` are boto3's own serializer (numbers as Decimal, no binary floats,
an attribute whose value is None left out). ``attribute_value`` writes a value read from JSON as
DynamoDB JSON without judging it: numbers go as written, so that DynamoDB itself judges their
range and precision (the replay's scenario lines, the exports it writes).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

_serializer, _deserializer = TypeSerializer(), TypeDeserializer()


def to_attrs(item: dict[str, Any]) -> dict[str, Any]:
    """An item as DynamoDB JSON (attributes whose value is None are left out)."""
    return {k: _serializer.serialize(v) for k, v in item.items() if v is not None}


def from_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    """DynamoDB JSON as an item of Python values (numbers as Decimal, sets as sets)."""
    return {k: _deserializer.deserialize(v) for k, v in attrs.items()}


def attribute_value(value: Any) -> dict[str, Any]:
    """A JSON value as a typed attribute value, numbers as written (DynamoDB judges them)."""
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | Decimal):
        return {"N": str(value)}
    if isinstance(value, float):
        return {"N": repr(value)}
    if value is None:
        return {"NULL": True}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, list):
        return {"L": [attribute_value(v) for v in value]}
    if isinstance(value, dict):
        return {"M": {str(k): attribute_value(v) for k, v in value.items()}}
    raise TypeError(f"cannot store {type(value).__name__}")
