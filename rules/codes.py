"""The finding codes a rule may name (DESIGN.md: extend, don't rename)."""

from __future__ import annotations

from fnmatch import fnmatchcase

KNOWN_CODES = frozenset(
    {
        "pii.resident_code",
        "pii.my_number",
        "pii.corporate_number",
        "pii.phone",
        "pii.email_address",
        "pii.postal_code",
        "pii.address",
        "pii.birth_date",
        "pii.person_name",
        "pii.credit_card",
        "pii.bank_account",
        "pii.passport",
        "pii.drivers_license",
        "pii.pension_number",
        "pii.health_insurance",
        "pii.residence_card",
        "pii.records",
        "pii.places",
        "recipients.external",
        "recipients.visible_external",
        "recipients.lookalike_domain",
        "recipients.suppressed",
        "recipients.first_time",
        "recipients.freemail",
        "client.mismatch",
        "attachment.encrypted",
        "attachment.unscannable",
        "attachment.unsupported",
        "attachment.type_mismatch",
        "inspector.error",
    }
)
OPEN_PREFIXES = ("keyword.",)  # keyword.<id>: ids are the admins' own


def is_known_code(pattern: str) -> bool:
    """A code, or a wildcard pattern, that names at least one known code."""
    if any(pattern.startswith(p) for p in OPEN_PREFIXES):
        return True
    return any(fnmatchcase(code, pattern) for code in KNOWN_CODES)
