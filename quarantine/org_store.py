"""The company's directory as the database keeps it (issue 21): the last good copy.

The sync (proxy/org_sync.py, once per cluster) hands in a complete `OrgSnapshot`; `apply`
writes the difference in one transaction, so every instance reads the old copy or the new one,
never half of each. A failed read never reaches here but as `failed(code)`: the copy stays.

A person gone from the directory is marked departed (kept as a link of the manager chain, so
the deputy takes over) and purged `keep_departed` after; one who comes back is active again.
org_sync.revision moves with every change; the instances poll it (quarantine/org_cache.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from .org_chart import OrgChart, OrgGroup, OrgSnapshot, OrgStatus, Person
from .schema import org_groups, org_members, org_people, org_sync
from .store import Store

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


class OrgStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def revision(self) -> int:
        async with self.store.reading() as conn:
            return int(await conn.scalar(select(org_sync.c.revision).where(org_sync.c.id == 1)) or 0)

    async def status(self) -> OrgStatus:
        async with self.store.reading() as conn:
            row = (await conn.execute(select(org_sync).where(org_sync.c.id == 1))).first()
        if row is None:
            return OrgStatus(configured=True)
        return OrgStatus(
            configured=True,
            last_ok_at=row.last_ok_at,
            last_attempt_at=row.last_attempt_at,
            last_error=row.last_error,
            people=row.people,
            groups=row.groups,
        )

    async def chart(self) -> OrgChart:
        async with self.store.reading() as conn:
            people, groups = await _read(conn)
        return OrgChart(people, {name: tuple(sorted(m)) for name, m in groups.items()})

    async def plan(self, snapshot: OrgSnapshot) -> OrgChange:
        """What `apply` would change (the dry run); writes nothing."""
        async with self.store.reading() as conn:
            people, groups = await _read(conn)
        return diff(people, groups, keep_chain(people, snapshot))

    async def failed(self, code: str, now: float) -> None:
        """A sync that did not complete: the copy stays, the status says so."""
        async with self.store.writing() as conn:
            await conn.execute(
                update(org_sync).where(org_sync.c.id == 1).values(last_attempt_at=now, last_error=code)
            )

    async def apply(
        self, snapshot: OrgSnapshot, now: float, keep_departed: float = 30 * 86400.0
    ) -> OrgChange:
        async with self.store.writing() as conn:
            people, groups = await _read(conn)
            snapshot = keep_chain(people, snapshot)
            change = diff(people, groups, snapshot)
            await _write_people(conn, people, snapshot, change, now)
            purged = await conn.execute(
                delete(org_people).where(org_people.c.departed_at < now - keep_departed)
            )
            await _write_groups(conn, snapshot, change, now)
            moved = not change.empty or bool(purged.rowcount)
            await conn.execute(
                update(org_sync)
                .where(org_sync.c.id == 1)
                .values(
                    revision=org_sync.c.revision + (1 if moved else 0),
                    last_ok_at=now,
                    last_attempt_at=now,
                    last_error=None,
                    people=len({p.mail for p in snapshot.people}),
                    groups=len({g.name for g in snapshot.groups}),
                )
            )
        return OrgChange(**{**change.__dict__, "purged": purged.rowcount or 0})


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


async def _read(conn: AsyncConnection) -> tuple[dict[str, Person], dict[str, set[str]]]:
    people = {
        row.mail: Person(
            mail=row.mail,
            name=row.name,
            department=row.department,
            manager=row.manager,
            departed=row.departed_at is not None,
        )
        for row in await conn.execute(select(org_people))
    }
    groups: dict[str, set[str]] = {
        name: set() for name in (await conn.execute(select(org_groups.c.name))).scalars()
    }
    for row in await conn.execute(select(org_members)):
        groups.setdefault(row.group_name, set()).add(row.mail)
    return people, groups


async def _write_people(
    conn: AsyncConnection, people: dict[str, Person], snapshot: OrgSnapshot, change: OrgChange, now: float
) -> None:
    new = {p.mail: p for p in snapshot.people}
    fresh = [_row(new[m], now) for m in change.added if m not in people]
    if fresh:
        await conn.execute(org_people.insert(), fresh)
    for mail in [m for m in change.added if m in people] + [m for m, _ in change.changed]:
        await conn.execute(update(org_people).where(org_people.c.mail == mail).values(**_row(new[mail], now)))
    if change.departed:
        await conn.execute(
            update(org_people)
            .where(org_people.c.mail.in_(change.departed), org_people.c.departed_at.is_(None))
            .values(departed_at=now, updated_at=now)
        )


async def _write_groups(conn: AsyncConnection, snapshot: OrgSnapshot, change: OrgChange, now: float) -> None:
    gone = change.groups_removed + change.groups_changed
    if gone:
        await conn.execute(delete(org_members).where(org_members.c.group_name.in_(gone)))
    if change.groups_removed:
        await conn.execute(delete(org_groups).where(org_groups.c.name.in_(change.groups_removed)))
    if change.groups_added:
        await conn.execute(org_groups.insert(), [{"name": n, "updated_at": now} for n in change.groups_added])
    by_name: dict[str, OrgGroup] = {g.name: g for g in snapshot.groups}
    rows = [
        {"group_name": name, "mail": mail}
        for name in change.groups_added + change.groups_changed
        for mail in sorted(set(by_name[name].members))
    ]
    if rows:
        await conn.execute(org_members.insert(), rows)
    if change.groups_changed:
        await conn.execute(
            update(org_groups).where(org_groups.c.name.in_(change.groups_changed)).values(updated_at=now)
        )


def _row(person: Person, now: float) -> dict:
    return {
        "mail": person.mail,
        "name": person.name,
        "department": person.department,
        "manager": person.manager,
        "departed_at": None,
        "updated_at": now,
    }
