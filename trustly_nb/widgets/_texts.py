"""Values as the form's inputs show them, and back: what a typed text means.

- :func:`to_text` / :func:`parse_text` — a value as the input shows it, and back.
- :func:`change_set` — the inputs' texts compared with the loaded ones: the change set
  to send and the per-field problems found while reading the texts.
- :func:`texts_for` — what ``CustomerForm.set(**fields)`` puts in the inputs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from pydantic import ValidationError as PydanticValidationError

from ..changes import CLEAR, normalize_changes, to_camel_field
from ..errors import ValidationError
from ..masking import looks_masked, mask_value
from ..models import CUSTOMER_FIELDS, READ_ONLY_FIELDS, Customer
from ._fields import FIELDS, FORM_FIELDS, NESTED, FormField

__all__ = [
    "change_set",
    "format_timestamp",
    "nest",
    "parse_text",
    "shown_values",
    "texts_for",
    "to_text",
    "value_of",
]


def format_timestamp(value: int | None) -> str:
    """Epoch milliseconds as ISO 8601 UTC text (milliseconds only when there are some).

    Example:
        >>> format_timestamp(1555696836548)
        '2019-04-19T18:00:36.548Z'
    """
    if value is None:
        return ""
    when = datetime.fromtimestamp(value / 1000, UTC)
    spec = "milliseconds" if value % 1000 else "seconds"
    return when.isoformat(timespec=spec).replace("+00:00", "Z")


def value_of(customer: Mapping[str, Any], name: str) -> Any:
    """A dotted field's value in the API's camelCase JSON (``None`` when absent)."""
    head, _, tail = name.partition(".")
    value = customer.get(head)
    if tail:
        return value.get(tail) if isinstance(value, Mapping) else None
    return value


def to_text(field: FormField, value: Any) -> str:
    """A value as its input shows it: ``""`` for unset, ISO text for timestamps, JSON."""
    if value is None or value is CLEAR:
        return ""
    if field.kind == "timestamp" and not isinstance(value, str):
        try:
            return format_timestamp(Customer(enroll_date=value).enroll_date)
        except PydanticValidationError:
            return str(value)
    if field.kind == "json" and not isinstance(value, str):
        return json.dumps(value, indent=2, ensure_ascii=False)
    return str(value)


def parse_text(field: FormField, text: str) -> Any:
    """An input's (non-blank, stripped) text as the API's value.

    Raises:
        ValueError: the text cannot be read as that field's type; the message says why.
    """
    if field.kind == "timestamp":
        try:
            return Customer(enroll_date=text).enroll_date
        except PydanticValidationError:
            raise ValueError(
                "is not a date/time: use 2024-02-10T15:30:00Z (UTC) or epoch milliseconds"
            ) from None
    if field.kind == "json":
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"is not valid JSON ({exc.msg}, line {exc.lineno})") from None
        if not isinstance(value, dict):
            raise ValueError('must be a JSON object, e.g. {"segment": "retail"}')
        return value
    if field.sensitive and looks_masked(text):
        raise ValueError("looks masked: type the full value, or Reset to keep the current one")
    return text


def change_set(
    texts: Mapping[str, str], loaded_texts: Mapping[str, str], loaded: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """What the inputs ask to change, compared with the customer as loaded.

    Rules: an input whose text (or stripped text, or value read from it) equals the loaded
    one is no change; a blank input that had a value is :data:`~trustly_nb.CLEAR` (a
    required field then fails validation, which names it); a key removed from the
    ``customData`` JSON is sent as ``null`` inside it, since nested objects are merged.

    Args:
        texts: the inputs' current texts, by dotted field.
        loaded_texts: the texts the inputs had when the customer was loaded.
        loaded: the customer as loaded, the API's camelCase JSON.

    Returns:
        The change set (dotted names, ready for ``Client.plan_update``) and
        ``{field: problem}`` for texts that cannot be read.
    """
    changes: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for spec in FORM_FIELDS:
        text, before = texts[spec.name], loaded_texts[spec.name]
        stripped = text.strip()
        if text == before or stripped == before.strip():
            continue
        if not stripped:
            changes[spec.name] = CLEAR
            continue
        try:
            value = parse_text(spec, stripped)
        except ValueError as exc:
            problems[spec.name] = str(exc)
            continue
        old = value_of(loaded, spec.name)
        if value == old:
            continue
        if spec.kind == "json" and isinstance(old, Mapping):
            value = {**dict.fromkeys(k for k in old if k not in value), **value}
        changes[spec.name] = value
    return changes, problems


def nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``{dotted field: value}`` → the API's nested shape, every nested key kept.

    Example:
        >>> nest({"name": "Ada", "address.city": "Austin", "address.zip": None})
        {'name': 'Ada', 'address': {'city': 'Austin', 'zip': None}}
    """
    nested: dict[str, Any] = {}
    for name, value in flat.items():
        head, _, tail = name.partition(".")
        if tail:
            nested.setdefault(head, {})[tail] = value
        else:
            nested[head] = value
    return nested


def shown_values(texts: Mapping[str, str], *, revealed: bool) -> dict[str, Any]:
    """The inputs as API values, nested (``CustomerForm.values``).

    ``None`` for empty inputs; the text itself when it does not read as its type;
    sensitive values masked unless ``revealed``.
    """
    flat: dict[str, Any] = {}
    for spec in FORM_FIELDS:
        text = texts[spec.name].strip()
        if not text:
            flat[spec.name] = None
        elif spec.sensitive and not revealed:
            flat[spec.name] = mask_value(text)
        else:
            try:
                flat[spec.name] = parse_text(spec, text)
            except ValueError:
                flat[spec.name] = text
    return nest(flat)


def texts_for(
    fields: Mapping[str, Any], texts: Mapping[str, str], loaded: Mapping[str, Any]
) -> dict[str, str]:
    """The input texts ``CustomerForm.set(**fields)`` asks for.

    Names follow :func:`trustly_nb.changes.normalize_changes` (camelCase or snake_case,
    dotted or nested dicts, ``None``/``CLEAR`` to empty); a dict for ``customData`` is
    merged into the JSON the input holds.

    Raises:
        ValidationError: naming every field the form cannot set: read-only, unknown, or
            on the customer but not in the schema (shown read-only and kept, not edited).
    """
    out: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    heads = {raw: to_camel_field(raw).partition(".")[0] for raw in fields}
    kept = [raw for raw, head in heads.items() if head in loaded and head not in CUSTOMER_FIELDS]
    try:  # names, dotted keys, read-only ones, did-you-mean: the rules of every change set
        nested = normalize_changes({k: v for k, v in fields.items() if k not in kept})
    except ValidationError as exc:
        problems.extend(exc.errors)
        nested = {}
    for head, value in nested.items():
        if head in NESTED:
            inner = dict.fromkeys(NESTED[head]) if value is None else value
            if not isinstance(inner, Mapping):
                problems.append((head, f"takes a dict of {list(NESTED[head])}, got {value!r}"))
                continue
            for key, item in inner.items():
                name = f"{head}.{key}"
                if name in FIELDS:
                    out[name] = to_text(FIELDS[name], item)
                else:
                    problems.append((name, f"is not a field of {head} {list(NESTED[head])}"))
        elif head in FIELDS:
            spec = FIELDS[head]
            if spec.kind == "json" and isinstance(value, Mapping):
                try:
                    current = parse_text(spec, texts[head]) if texts[head].strip() else {}
                except ValueError:
                    current = {}
                value = {k: v for k, v in {**current, **value}.items() if v is not None}
            out[head] = to_text(spec, value)
    why = "is not in the API's schema: the form shows it read-only and keeps it"
    problems += [(heads[raw], f"{why}; change it with client.update_customer()") for raw in kept]
    if problems:
        raise ValidationError(problems)
    return out


_SHOWN: Final = frozenset({*READ_ONLY_FIELDS, *FIELDS, *NESTED})
