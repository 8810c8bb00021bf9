"""What a directory snapshot changes in the stored copy (issue 21): the difference
quarantine/org_store.py writes, and the dry run prints (names on the terminal only)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from .org_chart import OrgSnapshot, Person

FIELDS = ("name", "department", "manager")


@dataclass(frozen=True, kw_only=True)
class OrgChange:
    """What a snapshot changes in the copy. The lists are for the dry run on the terminal;
    logs carry only the counts."""

    added: tuple[str, ...] = ()  # new, or back after leaving
    departed: tuple[str, ...] = ()
    changed: tuple[tuple[str, tuple[str, ...]], ...] = ()  # mail, the fields that changed
    groups_added: tuple[str, ...] = ()
    groups_removed: tuple[str, ...] = ()
    groups_changed: tuple[str, ...] = ()  # members differ
    purged: int = 0  # departed longer than keep_departed, deleted

    @property
    def empty(self) -> bool:
        return not (
            self.added
            or self.departed
            or self.changed
            or self.groups_added
            or self.groups_removed
            or self.groups_changed
            or self.purged
        )


def keep_chain(people: dict[str, Person], snapshot: OrgSnapshot) -> OrgSnapshot:
    """A manager who leaves does not take the chain with him: the people under him keep naming
    him (departed) until the directory names a new manager. Active Directory clears a linked
    `manager` when its target is deleted; OpenLDAP leaves a DN that resolves to nobody; either
    way the read says None, and the deputy (`manager_of_manager`) must still be found."""
    present = {p.mail for p in snapshot.people}
    kept = tuple(
        replace(p, manager=old.manager)
        if p.manager is None
        and (old := people.get(p.mail)) is not None
        and old.manager is not None
        and old.manager not in present
        and old.manager in people
        else p
        for p in snapshot.people
    )
    return replace(snapshot, people=kept)


def diff(people: dict[str, Person], groups: dict[str, set[str]], snapshot: OrgSnapshot) -> OrgChange:
    new = {p.mail: p for p in snapshot.people}
    added, changed = [], []
    for mail, person in sorted(new.items()):
        old = people.get(mail)
        if old is None or old.departed:
            added.append(mail)
            continue
        fields = tuple(f for f in FIELDS if getattr(old, f) != getattr(person, f))
        if fields:
            changed.append((mail, fields))
    departed = tuple(sorted(m for m, p in people.items() if not p.departed and m not in new))
    new_groups = {g.name: set(g.members) for g in snapshot.groups}
    return OrgChange(
        added=tuple(added),
        departed=departed,
        changed=tuple(changed),
        groups_added=tuple(sorted(set(new_groups) - set(groups))),
        groups_removed=tuple(sorted(set(groups) - set(new_groups))),
        groups_changed=tuple(sorted(n for n in new_groups if n in groups and new_groups[n] != groups[n])),
    )
