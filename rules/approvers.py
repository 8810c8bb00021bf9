"""Approver entries (上長承認, issue 21): who approves a sender's held mail, as the configuration
and the rules name them, and their resolution against the company's directory.

An entry is a plain address, or one of the chain entries `manager` (the sender's manager in
the directory) and `manager_of_manager` (the deputy). The first entry that names somebody
approves; the others are deputies. The directory is seen through `OrgView`, which
quarantine/org_chart.OrgChart is (the rules import nothing from the quarantine: DESIGN.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from inspectors.base import is_internal, mailbox_of

from .errors import RuleError

MANAGER = "manager"  # as quarantine/org_chart.MANAGER
MANAGER_OF_MANAGER = "manager_of_manager"  # as quarantine/org_chart.MANAGER_OF_MANAGER
CHAIN = (MANAGER, MANAGER_OF_MANAGER)
MAX_APPROVERS = 20


def group_key(name: str) -> str:
    """A directory group's name as compared (as quarantine/org_chart.group_key): without case,
    as Active Directory and LDAP's cn compare it."""
    return name.casefold()


class OrgView(Protocol):
    """What the rules read of the directory in force (quarantine/org_chart.OrgChart)."""

    @property
    def groups(self) -> Mapping[str, tuple[str, ...]]: ...  # group_key(name) -> lower-case mails

    @property
    def unread(self) -> bool: ...  # configured, never read whole: unknown groups fail closed

    def resolve(self, entry: str, sender: str) -> str | None: ...  # a CHAIN entry -> a mail


class NoDirectory:
    """The view without a directory: no groups, nobody's manager."""

    groups: Mapping[str, tuple[str, ...]] = {}
    unread = False

    def resolve(self, entry: str, sender: str) -> str | None:
        return None


NO_DIRECTORY = NoDirectory()


def entry_error(entry: Any, directory: bool) -> str | None:
    """Why an approver entry is refused (None: it is good). `directory`: whether a
    `directory:` section is configured, without which a chain entry names nobody, ever."""
    # Late import: supervisor_bcc imports this module.
    from .supervisor_bcc import sent_as_written

    if not isinstance(entry, str) or not entry:
        return f"{entry!r} is not an address, {MANAGER} or {MANAGER_OF_MANAGER}"
    if entry in CHAIN:
        return None if directory else f"{entry}: needs a directory: section (the company's directory)"
    if not sent_as_written(entry):
        # As strict as an add_bcc entry: an approver may be added as a supervisor Bcc, and
        # "a@x, b@y" or "a%x@y" typed as one entry would send the mail to x.
        return f"{entry!r} is not one plain address (one per entry; ASCII), {MANAGER} or {MANAGER_OF_MANAGER}"
    return None


def parse_rule_approvers(
    value: Any, action: str, hold_for_approval: str, source: str, rule_id: str, directory: bool
) -> tuple[str, ...]:
    """A rule's `approvers` (for its hold_for_approval), or a RuleError naming the key."""
    if not isinstance(value, list) or not value:
        raise RuleError(
            source, rule_id, "approvers", "must be a list of addresses, manager or manager_of_manager"
        )
    if len(value) > MAX_APPROVERS:
        raise RuleError(source, rule_id, "approvers", f"{len(value)} entries; at most {MAX_APPROVERS}")
    if action != hold_for_approval:
        raise RuleError(source, rule_id, "approvers", f"only goes with action {hold_for_approval}")
    for entry in value:
        error = entry_error(entry, directory)
        if error:
            raise RuleError(source, rule_id, "approvers", error)
    return tuple(dict.fromkeys(e.lower() for e in value))


def resolve_approvers(
    entries: Iterable[str], sender: str, org: OrgView, internal_domains: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """The entries as addresses, in order: a chain entry through the directory (a departed
    manager, or none, names nobody: the next entry, the deputy, takes over), duplicates and the
    sender himself dropped, compared as mailboxes (case, quotes and `+detail` do not make
    another person). A directory value is hostile input: an address that RCPT TO would not
    carry exactly as written is dropped, as a configured one is refused, and so is one outside
    `internal_domains` (when there are some): the approval request tells what was held."""
    from .supervisor_bcc import sent_as_written

    me = mailbox_of(sender) if sender else None
    seen: set[str] = set()
    out: list[str] = []
    for entry in entries:
        address = org.resolve(entry, sender) if entry in CHAIN else entry
        if not address or not sent_as_written(address):
            continue
        if entry in CHAIN and internal_domains and not is_internal(address, internal_domains):
            continue
        key = mailbox_of(address)
        if key == me or key in seen:
            continue
        seen.add(key)
        out.append(address.lower())
    return tuple(out)
