"""The company's directory as the database keeps it (issue 21): the last good copy.

The sync (proxy/org_sync.py, once per cluster) hands in a complete `OrgSnapshot`; `apply`
writes the difference in one transaction, so every instance reads the old copy or the new one,
never half of each. A failed read never reaches here but as `failed(code)`: the copy stays.

A person gone from the directory is marked departed (kept as a link of the manager chain, so
the deputy takes over) and purged `keep_departed` after; one who comes back is active again.
org_sync.revision moves with every change; the instances poll it (quarantine/org_cache.py).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from .org_change import OrgChange as OrgChange  # re-exported: the sync's result
from .org_change import diff, keep_chain
from .org_chart import OrgChart, OrgGroup, OrgSnapshot, OrgStatus, Person, group_key
from .schema import org_groups, org_members, org_people, org_sync
from .store import Store


class OrgStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def revision(self) -> int:
        async with self.store.reading() as conn:
            return int(await conn.scalar(select(org_sync.c.revision).where(org_sync.c.id == 1)) or 0)

    async def status(self) -> OrgStatus:
        return (await self.state())[1]

    async def state(self) -> tuple[int, OrgStatus]:
        """The revision and the freshness, in one read of the one row (the caches' poll)."""
        async with self.store.reading() as conn:
            row = (await conn.execute(select(org_sync).where(org_sync.c.id == 1))).first()
        if row is None:
            return 0, OrgStatus(configured=True)
        return int(row.revision), OrgStatus(
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
        folded: dict[str, set[str]] = {}
        for name, members in groups.items():  # a copy written before names were folded
            folded.setdefault(group_key(name), set()).update(members)
        return OrgChart(people, {name: tuple(sorted(m)) for name, m in folded.items()})

    async def holding(
        self, snapshot: OrgSnapshot, mails: Collection[str], managers: Collection[str] = ()
    ) -> OrgSnapshot:
        """The snapshot with the copy's people for `mails` put back as they are (an address
        the read could not tie to one entry: the copy's person stays, never departed), with
        their memberships of the groups the read still has; the people of `managers` keep the
        copy's manager (theirs was such an entry)."""
        if not mails and not managers:
            return snapshot
        async with self.store.reading() as conn:
            people, groups = await _read(conn)
        kept = {m: people[m] for m in mails if m in people and not people[m].departed}
        read = [
            replace(p, manager=old.manager)
            if p.mail in managers and (old := people.get(p.mail)) is not None
            else p
            for p in snapshot.people
            if p.mail not in kept
        ]
        old_groups = {group_key(n): ms for n, ms in groups.items()}
        return replace(
            snapshot,
            people=tuple(sorted([*read, *kept.values()], key=lambda p: p.mail)),
            groups=tuple(
                replace(
                    g,
                    members=tuple(
                        sorted(set(g.members) | (old_groups.get(group_key(g.name), set()) & set(kept)))
                    ),
                )
                for g in snapshot.groups
            ),
        )

    async def plan(self, snapshot: OrgSnapshot) -> OrgChange:
        """What `apply` would change (the dry run); writes nothing."""
        async with self.store.reading() as conn:
            people, groups = await _read(conn)
        return diff(people, groups, keep_chain(people, snapshot))

    async def failed(self, code: str, now: float, keep_departed: float | None = None) -> int:
        """A sync that did not complete: the copy stays, the status says so. The departed
        older than `keep_departed` are purged all the same: an unreachable directory does not
        keep a leaver's name and manager past the time the README promises. The count purged."""
        async with self.store.writing() as conn:
            purged = await _purge(conn, now, keep_departed)
            await conn.execute(
                update(org_sync)
                .where(org_sync.c.id == 1)
                .values(
                    revision=org_sync.c.revision + (1 if purged else 0), last_attempt_at=now, last_error=code
                )
            )
        return purged

    async def clear(self) -> int:
        """Forget the copy (no `directory:` configured any more): the people, the groups and
        the sync's status. The count of people deleted; nothing written when nothing is kept."""
        async with self.store.writing() as conn:
            row = (await conn.execute(select(org_sync).where(org_sync.c.id == 1))).first()
            if row is None or (row.last_attempt_at is None and row.last_ok_at is None):
                return 0
            await conn.execute(delete(org_members))
            await conn.execute(delete(org_groups))
            gone = (await conn.execute(delete(org_people))).rowcount or 0
            await conn.execute(
                update(org_sync)
                .where(org_sync.c.id == 1)
                .values(
                    revision=org_sync.c.revision + 1,
                    last_ok_at=None,
                    last_attempt_at=None,
                    last_error=None,
                    people=0,
                    groups=0,
                )
            )
        return gone

    async def apply(
        self, snapshot: OrgSnapshot, now: float, keep_departed: float = 30 * 86400.0
    ) -> OrgChange:
        async with self.store.writing() as conn:
            people, groups = await _read(conn)
            snapshot = keep_chain(people, snapshot)
            change = diff(people, groups, snapshot)
            await _write_people(conn, people, snapshot, change, now)
            purged = await _purge(conn, now, keep_departed)
            await _write_groups(conn, snapshot, change, now)
            moved = not change.empty or bool(purged)
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
        return OrgChange(**{**change.__dict__, "purged": purged})


async def _purge(conn: AsyncConnection, now: float, keep_departed: float | None) -> int:
    """Delete the people departed longer than keep_departed ago; how many."""
    if keep_departed is None:
        return 0
    done = await conn.execute(delete(org_people).where(org_people.c.departed_at < now - keep_departed))
    return done.rowcount or 0


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
