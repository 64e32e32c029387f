"""What the form shows beside each input: the API's rules on the merged customer (errors)
and the soft checks (warnings), per field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from .. import soft_checks
from ..changes import merge, nest, normalize_changes
from ..errors import ValidationError
from ..models import validate_payload
from ._fields import FORM_FIELDS
from ._texts import change_set

__all__ = ["TARGETS", "Check", "check_inputs"]


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


def check_inputs(
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
