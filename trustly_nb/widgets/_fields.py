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

import re
from dataclasses import dataclass
from typing import Final, Literal

from ..models import (
    CUSTOMER_FIELDS,
    FREE_FORM_FIELDS,
    NESTED_FIELDS,
    READ_ONLY_FIELDS,
    REQUIRED_FIELDS,
    SENSITIVE_FIELDS,
    TIMESTAMP_FIELDS,
)

__all__ = ["FIELDS", "FORM_FIELDS", "GROUPS", "NESTED", "FormField", "Kind"]

Kind = Literal["text", "timestamp", "json"]

NESTED: Final = NESTED_FIELDS
"""The objects the form expands into one input per key (``address``, ``driverLicense``)."""

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


def _label(name: str) -> str:
    if name in _LABELS:
        return _LABELS[name]
    words = _WORD.findall(name.rpartition(".")[2])
    text = " ".join(w if w.isupper() else w.lower() for w in words)
    return text[:1].upper() + text[1:]


def _build() -> tuple[FormField, ...]:
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
        kind: Kind = "json" if top in FREE_FORM_FIELDS else "text"
        if top in TIMESTAMP_FIELDS:
            kind = "timestamp"
        fields.append(
            FormField(
                name=name,
                label=_label(name),
                group=_GROUP_OF.get(top, "More fields"),
                kind=kind,
                sensitive=name in SENSITIVE_FIELDS,
                required=name in REQUIRED_FIELDS,
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


# --- what the form shows beside its inputs (HTML) ------------------------------
