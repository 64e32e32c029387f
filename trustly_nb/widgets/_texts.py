"""Values as the form's inputs show them, and back: what a typed text means.

- :func:`to_text` / :func:`parse_text` — a value as the input shows it, and back.
- :func:`change_set` — the inputs' texts compared with the loaded ones: the change set
  to send and the per-field problems found while reading the texts.
- :func:`texts_for` — what ``CustomerForm.set(**fields)`` puts in the inputs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from ..changes import CLEAR, lookup, nest, normalize_changes, to_camel_field
from ..errors import ValidationError
from ..masking import looks_masked, mask_value
from ..models import CUSTOMER_FIELDS, READ_ONLY_FIELDS
from ..timestamps import format_epoch_ms, to_epoch_ms
from ._fields import FIELDS, FORM_FIELDS, NESTED, FormField

__all__ = [
    "change_set",
    "parse_text",
    "shown_values",
    "texts_for",
    "to_text",
]


def to_text(field: FormField, value: Any) -> str:
    """A value as its input shows it: ``""`` for unset, ISO text for timestamps, JSON."""
    if value is None or value is CLEAR:
        return ""
    if field.kind == "timestamp" and not isinstance(value, str):
        try:
            return format_epoch_ms(to_epoch_ms(value))
        except ValueError:
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
            return to_epoch_ms(text)
        except ValueError:
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
        old = lookup(loaded, spec.name)
        if value == old:
            continue
        if spec.kind == "json" and isinstance(old, Mapping):
            value = {**dict.fromkeys(k for k in old if k not in value), **value}
        changes[spec.name] = value
    return changes, problems


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
    return nest(flat, NESTED)


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
