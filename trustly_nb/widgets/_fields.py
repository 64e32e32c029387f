"""The form's fields, derived from the model: which inputs exist, how values read as text.

Kept apart from :mod:`trustly_nb.widgets` so the rules (what a blank input means, how a
timestamp or ``customData`` is typed, what counts as a change) have no ipywidgets in them
and the widget module stays about wiring.

- :data:`FORM_FIELDS` — one :class:`FormField` per editable documented field, in the
  schema's order: every name of ``CUSTOMER_FIELDS`` but the server-set ones, with
  ``address`` and ``driverLicense`` expanded to their keys. A field added to the model
  gets an input without touching this module (it lands in "More fields").
- :func:`to_text` / :func:`parse_text` — a value as the input shows it, and back.
- :func:`change_set` — the inputs' texts compared with the loaded ones: the change set
  to send and the per-field problems found while reading the texts.
- :func:`check` — that, plus the API's rules on the merged customer (errors) and the
  soft checks (warnings), per field: what the form shows beside each input.
- :func:`texts_for` — what ``CustomerForm.set(**fields)`` puts in the inputs.
- :func:`note_html`, :func:`record_html`, :func:`diff_html` — the small HTML the form
  shows (plain strings, so they are tested without a browser).

Example:
    >>> [f.name for f in FORM_FIELDS][:4]
    ['name', 'taxId', 'address.address1', 'address.address2']
    >>> to_text(FIELDS["enrollDate"], 1707579000000)
    '2024-02-10T15:30:00Z'
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, Literal

from pydantic import ValidationError as PydanticValidationError

from .. import soft_checks
from ..changes import CLEAR, merge, normalize_changes, to_camel_field
from ..errors import ValidationError
from ..masking import SENSITIVE_FIELDS, looks_masked, mask_value
from ..models import (
    ADDRESS_FIELDS,
    CUSTOMER_FIELDS,
    DRIVER_LICENSE_FIELDS,
    READ_ONLY_FIELDS,
    TIMESTAMP_FIELDS,
    Customer,
    validate_payload,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FIELDS",
    "FORM_FIELDS",
    "GROUPS",
    "NESTED",
    "Check",
    "FormField",
    "change_set",
    "check",
    "count",
    "diff_html",
    "format_timestamp",
    "listing",
    "nest",
    "note_html",
    "parse_text",
    "record_html",
    "shown_values",
    "texts_for",
    "to_text",
    "value_of",
]

Kind = Literal["text", "timestamp", "json"]

NESTED: Final[dict[str, tuple[str, ...]]] = {
    "address": ADDRESS_FIELDS,
    "driverLicense": DRIVER_LICENSE_FIELDS,
}

# Where each documented top-level field is shown. Grouping is presentation only: a field
# missing here still gets an input, under "More fields".
_GROUP_OF: Final[dict[str, str]] = {
    "name": "Identity",
    "dateOfBirth": "Identity",
    "email": "Contact",
    "phone": "Contact",
    "address": "Address",
    "taxId": "Identity documents",
    "nationalId": "Identity documents",
    "personId": "Identity documents",
    "organizationNumber": "Identity documents",
    "driverLicense": "Identity documents",
    "externalId": "Merchant data",
    "merchantId": "Merchant data",
    "enrollDate": "Merchant data",
    "vip": "Merchant data",
    "currency": "Merchant data",
    "balance": "Merchant data",
    "externalTier": "Merchant data",
    "customData": "Custom data",
}
_GROUP_ORDER: Final = (
    "Identity",
    "Contact",
    "Address",
    "Identity documents",
    "Merchant data",
    "Custom data",
    "More fields",
)
_LABELS: Final[dict[str, str]] = {
    "taxId": "Tax ID",
    "nationalId": "National ID",
    "personId": "Person ID",
    "organizationNumber": "Organization no.",
    "externalId": "External ID",
    "merchantId": "Merchant ID",
    "vip": "VIP",
    "enrollDate": "Enroll date (UTC)",
    "customData": "JSON object",
    "address.address1": "Address line 1",
    "address.address2": "Address line 2",
    "address.state": "State / province",
    "address.zip": "ZIP / postal code",
    "driverLicense.number": "Driver licence",
    "driverLicense.state": "Licence state",
}
_PLACEHOLDERS: Final[dict[str, str]] = {
    "phone": "+15555550100",
    "email": "name@example.com",
    "dateOfBirth": "YYYY-MM-DD",
    "enrollDate": "2024-02-10T15:30:00Z or epoch ms",
    "address.country": "US",
    "address.state": "TX",
    "currency": "USD",
    "customData": '{"segment": "retail"}',
}
_WORD: Final = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


@dataclass(frozen=True)
class FormField:
    """One input of the form.

    Attributes:
        name: the dotted camelCase field (``"address.zip"``).
        label: what the input is called on screen.
        group: the section it is shown in.
        kind: ``"text"``, ``"timestamp"`` (epoch ms shown as ISO 8601 UTC) or ``"json"``.
        sensitive: shown masked until the user reveals it.
        required: the API refuses a customer without it.
        placeholder: the hint shown in an empty input.
    """

    name: str
    label: str
    group: str
    kind: Kind
    sensitive: bool
    required: bool
    placeholder: str


def _required() -> frozenset[str]:
    """The fields the API's schema requires, asked of the validator itself."""
    try:
        validate_payload({"address": {}})
    except ValidationError as exc:
        return frozenset(f for f, why in exc.errors if why.startswith("is required"))
    return frozenset()  # pragma: no cover - an empty customer is always invalid


def _label(name: str) -> str:
    if name in _LABELS:
        return _LABELS[name]
    words = _WORD.findall(name.rpartition(".")[2])
    text = " ".join(w if w.isupper() else w.lower() for w in words)
    return text[:1].upper() + text[1:]


def _build() -> tuple[FormField, ...]:
    required = _required()
    names: list[str] = []
    for top in CUSTOMER_FIELDS:
        if top in READ_ONLY_FIELDS:
            continue
        if top in NESTED:
            names.extend(f"{top}.{key}" for key in NESTED[top])
        else:
            names.append(top)
    fields = []
    for name in names:
        top = name.partition(".")[0]
        kind: Kind = "json" if top == "customData" else "text"
        if top in TIMESTAMP_FIELDS:
            kind = "timestamp"
        fields.append(
            FormField(
                name=name,
                label=_label(name),
                group=_GROUP_OF.get(top, "More fields"),
                kind=kind,
                sensitive=name in SENSITIVE_FIELDS,
                required=name in required,
                placeholder=_PLACEHOLDERS.get(name, ""),
            )
        )
    return tuple(fields)


FORM_FIELDS: Final[tuple[FormField, ...]] = _build()
"""Every editable field, in the schema's order (nested ones expanded in place)."""
FIELDS: Final[dict[str, FormField]] = {f.name: f for f in FORM_FIELDS}
GROUPS: Final[tuple[tuple[str, tuple[FormField, ...]], ...]] = tuple(
    (group, members)
    for group in _GROUP_ORDER
    if (members := tuple(f for f in FORM_FIELDS if f.group == group))
)
"""``(section title, its fields)`` in the order the form shows them."""


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


@dataclass(frozen=True)
class Check:
    """The inputs read against the loaded customer (recomputed on every keystroke).

    Attributes:
        changes: the change set to send (dotted names, ``CLEAR`` for emptied inputs).
        errors: ``{field: problem}`` that stop Submit: unreadable text, the API's rules.
        warnings: ``{field: warning}`` from the soft checks.
        changed: the dotted fields the merged payload actually changes.
        payload: the whole object Submit would post, or ``None`` if it cannot be built.
    """

    changes: dict[str, Any]
    errors: dict[str, str]
    warnings: dict[str, str]
    changed: list[str] = field(default_factory=list)
    payload: dict[str, Any] | None = None


# A whole-object error ("address is required") is shown beside the input that fixes it.
TARGETS: Final = {"address": "address.country", "driverLicense": "driverLicense.number"}


def check(
    texts: Mapping[str, str], loaded_texts: Mapping[str, str], loaded: Mapping[str, Any]
) -> Check:
    """Everything the form shows beside its inputs, from their texts.

    The API's rules are checked on the *merged* customer, as Submit would send it, so a
    stored value that breaks them shows too: the update would be refused for it anyway.
    """
    changes, errors = change_set(texts, loaded_texts, loaded)
    payload: dict[str, Any] | None = None
    changed: list[str] = []
    try:
        payload, changed = merge(loaded, normalize_changes(changes, loaded))
        validate_payload(payload)
    except ValidationError as exc:
        for name, reason in exc.errors:
            target = TARGETS.get(name, name)
            errors.setdefault(target, reason if target == name else f"{name} {reason}")
    warnings: dict[str, str] = {}
    context = nest(texts)  # address.state is checked against address.country
    for spec in FORM_FIELDS:
        text = texts[spec.name].strip()
        if text or spec.required:  # an empty optional field is simply unset
            found = soft_checks.check_field(spec.name, text, context)
            if found:
                warnings[spec.name] = found.removeprefix(f"{spec.name}: ")
    return Check(changes, errors, warnings, changed, payload)


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


# --- what the form shows beside its inputs (HTML) ------------------------------

_SHOWN: Final = frozenset({*READ_ONLY_FIELDS, *FIELDS, *NESTED})


def count(n: int, noun: str) -> str:
    """``1 change``, ``2 changes``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def listing(problems: Mapping[str, str]) -> str:
    """``{field: why}`` as one sentence part: ``email is required; address.zip ...``."""
    return "; ".join(f"{name} {why}" for name, why in problems.items())


def note_html(error: str | None, warning: str | None) -> str:
    """The message beside an input: the error if any, else the warning."""
    if error:
        return f"<span style='color:#b91c1c'>✖ {html.escape(error)}</span>"
    if warning:
        return f"<span style='color:#a16207'>⚠ {html.escape(warning)}</span>"
    return ""


def record_html(loaded: Mapping[str, Any]) -> str:
    """customerId, the timestamps, and fields the schema does not list, read-only."""

    def row(key: str, value: Any) -> str:
        shown = "—" if value is None or value == "" else str(value)
        return f"<tr><td><code>{html.escape(key)}</code></td><td>{html.escape(shown)}</td></tr>"

    stamps = [(key, format_timestamp(loaded.get(key))) for key in ("createdAt", "updatedAt")]
    cells = "".join(row(k, v) for k, v in [("customerId", loaded.get("customerId")), *stamps])
    extra = [(k, v) for k, v in loaded.items() if k not in _SHOWN]
    if extra:
        cells += "<tr><td colspan='2'><i>Not in the schema, kept as they are:</i></td></tr>"
        cells += "".join(row(k, v) for k, v in extra)
    return f"<table style='border-spacing:8px 0'>{cells}</table>"


def diff_html(diff: pd.DataFrame, title: str) -> str:
    """A diff as a small HTML table (no jinja2 needed, unlike ``DataFrame.style``)."""

    def cell(value: Any, background: str) -> str:
        shown = "—" if value is None else str(value)
        return f"<td style='padding:2px 8px;background:{background}'>{html.escape(shown)}</td>"

    rows = "".join(
        f"<tr><td style='padding:2px 8px'><code>{html.escape(str(name))}</code></td>"
        f"{cell(before, '#fde8e8')}{cell(after, '#e3f6e8')}</tr>"
        for name, before, after in zip(diff["field"], diff["before"], diff["after"], strict=True)
    )
    head = "".join(
        f"<th style='padding:2px 8px;text-align:left'>{h}</th>"
        for h in ("field", "before", "after")
    )
    return (
        f"<div style='margin-top:4px'><b>{html.escape(title)}</b>"
        f"<table style='border-collapse:collapse'><tr>{head}</tr>{rows}</table></div>"
    )
