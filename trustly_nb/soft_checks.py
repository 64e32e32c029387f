"""Soft checks: what looks wrong in a customer without breaking the API's spec.

They are reported as a list of ``"field: reason"`` strings (``customer.warnings``, shown
in frames and the form), never raised and never sent through ``warnings.warn``: Trustly
may hold older or looser data, and the spec itself only asks for non-empty strings.

Example:
    >>> check({"email": "ada@", "phone": "+1 555", "address": {"country": "US", "state": "XX"}})
    ['phone: not in E.164 form (+ and up to 15 digits, e.g. +15555550100)', ...]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["CHECKED_FIELDS", "ISO_COUNTRIES", "STATE_CODES", "check", "check_field"]

# ISO 3166-1 alpha-2, officially assigned codes.
ISO_COUNTRIES: frozenset[str] = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
    DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
    GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
    KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
    MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
    PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
    US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """.split()
)

# USPS codes (states, DC, territories, military) and Canada Post province codes.
STATE_CODES: dict[str, frozenset[str]] = {
    "US": frozenset(
        """
        AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV
        NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC AS GU MP PR VI
        UM AA AE AP
        """.split()
    ),
    "CA": frozenset("AB BC MB NB NL NS NT NU ON PE QC SK YT".split()),
}

_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
# Deliberately simple: one @, a dot in the domain, no spaces. Full RFC 5322 is not the point.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def check_field(field: str, value: Any, customer: Mapping[str, Any] | None = None) -> str | None:
    """The soft-check warning for one dotted field's value, or ``None`` when it looks fine.

    Example:
        >>> check_field("email", "ada@example.com") is None
        True
    """
    if value is None or not isinstance(value, str):
        return None
    if field == "phone":
        if not value.strip():
            return "phone: missing (empty)"
        if not _E164.match(value):
            return "phone: not in E.164 form (+ and up to 15 digits, e.g. +15555550100)"
    elif field == "email" and not _EMAIL.match(value):
        return "email: does not look like an email address"
    elif field == "address.country" and value not in ISO_COUNTRIES:
        return "address.country: not a two-letter ISO 3166-1 code (e.g. US, CA)"
    elif field == "address.state":
        country = ((customer or {}).get("address") or {}).get("country")
        codes = STATE_CODES.get(country) if isinstance(country, str) else None
        if codes is not None and value not in codes:
            return f"address.state: not a {country} state or province code"
    elif field == "driverLicense.state" and (len(value) != 2 or not value.isalpha()):
        return "driverLicense.state: not a two-letter state code"
    elif field == "dateOfBirth" and not _ISO_DATE.match(value) and "•" not in value:
        return "dateOfBirth: not in YYYY-MM-DD form"
    return None


CHECKED_FIELDS: tuple[str, ...] = (
    "phone",
    "email",
    "address.country",
    "address.state",
    "driverLicense.state",
    "dateOfBirth",
)
"""The dotted fields the soft checks look at, in the order warnings are listed."""


def check(customer: Mapping[str, Any]) -> list[str]:
    """All soft-check warnings for a customer given as the API's camelCase JSON."""
    found = []
    for field in CHECKED_FIELDS:
        head, _, tail = field.partition(".")
        value: Any = customer.get(head)
        if tail:
            value = value.get(tail) if isinstance(value, Mapping) else None
        warning = check_field(field, value, customer)
        if warning:
            found.append(warning)
    return found
