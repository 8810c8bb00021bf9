"""The company's directory as the guard keeps it (issue 21): people, their managers and the
directory's groups, read from LDAP / Active Directory by the sync and shared by every
instance through the database.

These are plain values: the sync (proxy/org_sync.py) produces an `OrgSnapshot`, the store
keeps it, and each instance holds one `OrgChart` built from it, in which the approvers
(`approvers: manager`) and the rule groups are looked up without a database round trip.

A person who left the directory is kept for a while as `departed`: never an approver, but
still a link in the chain, so that with `approvers: [manager, manager_of_manager]` the
deputy takes over when the manager leaves (the people under him still name him).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from inspectors.base import mailbox_of

MANAGER = "manager"  # an approver entry: the sender's manager in the directory
MANAGER_OF_MANAGER = "manager_of_manager"  # his manager: the deputy
CHAIN = (MANAGER, MANAGER_OF_MANAGER)


def group_key(name: str) -> str:
    """A directory group's name as it is compared: without case, as Active Directory and
    LDAP's cn compare it (`Sales`, `SALES`, `sales` are one group)."""
    return name.casefold()


@dataclass(frozen=True, kw_only=True)
class Person:
    mail: str  # lower-case; the key
    name: str = ""
    department: str = ""
    manager: str | None = None  # the manager's mail, resolved from the directory's DN
    departed: bool = False  # gone from the directory: a link in the chain, never an approver


@dataclass(frozen=True, kw_only=True)
class OrgGroup:
    name: str  # as rule scopes name it: "group:NAME"
    members: tuple[str, ...]  # lower-case mails


@dataclass(frozen=True, kw_only=True)
class OrgSnapshot:
    """One complete read of the directory (departed people are the store's business)."""

    people: tuple[Person, ...]
    groups: tuple[OrgGroup, ...]


@dataclass(frozen=True, kw_only=True)
class OrgStatus:
    """How fresh the copy is: for /healthz, the console and the logs (counts, no names)."""

    configured: bool = False
    last_ok_at: float | None = None  # the last complete sync
    last_attempt_at: float | None = None
    last_error: str | None = (
        None  # a code such as "unreachable", "bind_failed"; None when the last attempt worked
    )
    people: int = 0
    groups: int = 0

    @property
    def stale(self) -> bool:
        return self.configured and self.last_error is not None


@dataclass(frozen=True)
class OrgChart:
    """The directory in force on this instance; empty when none is configured."""

    people: Mapping[str, Person] = field(default_factory=dict)  # mail -> person, departed too
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # group_key(name) -> mails
    # A directory is configured but was never read whole (a new install, a guard started while
    # the directory is down): a rule scope naming a group nobody knows then holds, not passes.
    unread: bool = False

    @classmethod
    def of(cls, people: tuple[Person, ...], groups: tuple[OrgGroup, ...]) -> OrgChart:
        return cls({p.mail: p for p in people}, {group_key(g.name): g.members for g in groups})

    def person(self, address: str) -> Person | None:
        """The person an address is, compared as a mailbox (case and `+detail` aside)."""
        return self.people.get(address.lower()) or self.people.get(mailbox_of(address))

    def manager_of(self, address: str) -> Person | None:
        """The person's manager, departed or not; None when the directory names none."""
        me = self.person(address)
        if me is None or me.manager is None:
            return None
        boss = self.people.get(me.manager)
        return None if boss is None or boss.mail == me.mail else boss

    def resolve(self, entry: str, sender: str) -> str | None:
        """An approver entry of the chain (MANAGER, MANAGER_OF_MANAGER) for this sender: the
        person's mail when he is still in the directory, else None (the next entry decides)."""
        boss = self.manager_of(sender)
        if entry == MANAGER_OF_MANAGER and boss is not None:
            boss = self.manager_of(boss.mail)
        if boss is None or boss.departed or mailbox_of(boss.mail) == mailbox_of(sender):
            return None
        return boss.mail
