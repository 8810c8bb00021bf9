"""`misdelivery-guard directory sync [--dry-run]` (issue 21): the company's directory read
now, from the command line.

With --dry-run nothing is written (not even the status): the terminal shows what a sync would
change — the people added, departed, changed (with the fields), the groups — so an admin can
check a new filter or attribute mapping before the guards use it. This output names people:
it goes to the terminal of whoever may run the guard's CLI, never to a log.

Without it, one sync now, as the guards' own round would do (the same cluster lock: when a
guard is syncing at that moment, the command says so and does nothing). Exit status 0 on a
complete sync, 1 when the directory could not be read (the code is printed).
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from .errors import ConfigError

SHOWN = 50  # names per list on the terminal; the rest counted


def add_parsers(sub) -> None:
    parser = sub.add_parser("directory", help="the company's directory (LDAP / Active Directory)")
    verbs = parser.add_subparsers(dest="directory_command")
    sync = verbs.add_parser("sync", help="read the directory now and update the copy every guard uses")
    sync.add_argument("--dry-run", action="store_true", help="only show what would change")
    sync.add_argument("--config")
    sync.set_defaults(run=run_sync)


def run_sync(args: argparse.Namespace) -> int:
    from .settings import load_settings

    settings = load_settings(args.config)
    if settings.ldap is None:
        raise ConfigError(f"{settings.source}: no directory: section (directory.url)")
    return asyncio.run(_sync(settings, args.dry_run))


async def _sync(settings, dry_run: bool) -> int:
    # Imported here: building the command line must not pay for ldap3 and the store.
    from quarantine.cluster_lock import ClusterLock
    from quarantine.org_store import OrgStore
    from quarantine.store import Store

    from .org_ldap import DirectoryError
    from .org_sync import OrgSync

    store = await Store.open(settings.storage)
    try:
        lock = ClusterLock(store.engine, "directory")
        sync = OrgSync(settings.ldap, OrgStore(store), lock=lock)
        try:
            if dry_run:
                print_change(await sync.plan(), dry_run=True)
                return 0
            async with lock.round() as mine:
                if not mine:
                    print("directory sync: a guard is syncing now; nothing done")
                    return 0
                change = await sync.once()
        except DirectoryError as exc:  # the dry run's read
            print(f"directory sync: the directory could not be read: {exc.code}", file=sys.stderr)
            return 1
        if change is None:
            status = await sync.org.status()
            print(f"directory sync: failed: {status.last_error}; the last good copy stays", file=sys.stderr)
            return 1
        print_change(change, dry_run=False)
        return 0
    finally:
        await store.close()


def print_change(change, *, dry_run: bool, out=None) -> None:
    out = out or sys.stdout
    verb = "would change" if dry_run else "changed"
    if change.empty:
        print(f"directory sync: nothing {'would change' if dry_run else 'changed'}", file=out)
        return
    print(f"directory sync: {verb}:", file=out)
    lines = [
        ("people added", change.added),
        ("people departed", change.departed),
        ("people changed", tuple(f"{mail} ({', '.join(fields)})" for mail, fields in change.changed)),
        ("groups added", change.groups_added),
        ("groups removed", change.groups_removed),
        ("groups changed", change.groups_changed),
    ]
    for title, items in lines:
        if not items:
            continue
        print(f"  {title}: {len(items)}", file=out)
        for item in items[:SHOWN]:
            print(f"    {_plain(item)}", file=out)
        if len(items) > SHOWN:
            print(f"    ... and {len(items) - SHOWN} more", file=out)
    if change.purged:
        print(f"  departed people purged: {change.purged}", file=out)


def _plain(text: str) -> str:
    """A directory's value on a terminal: no control characters (escape sequences)."""
    return "".join(c if c.isprintable() else "?" for c in text)
