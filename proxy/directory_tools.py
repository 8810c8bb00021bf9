"""`misdelivery-guard clients import FILE` and `suppress import FILE`: the client directory
and the suppression list from CSV or YAML, into the store every guard instance reads."""
from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from inspectors.directory import DirectoryError, read_clients, read_suppressions
from quarantine.directory_store import DirectoryStore
from quarantine.store import Store

from .errors import ConfigError
from .settings import load_settings


def add_parsers(sub) -> None:
    for noun, run, what in (("clients", import_clients, "the client directory (取引先台帳)"),
                            ("suppress", import_suppressions, "the suppression list")):
        parser = sub.add_parser(noun, help=f"manage {what}")
        verbs = parser.add_subparsers(dest=f"{noun}_command")
        imp = verbs.add_parser("import", help=f"import {what} from a CSV or YAML file")
        imp.add_argument("file", type=Path)
        imp.add_argument("--replace", action="store_true", help="replace the whole list instead of adding")
        imp.add_argument("--config")
        imp.set_defaults(run=run)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None


def import_clients(args: argparse.Namespace) -> int:
    try:
        clients = read_clients(_read(args.file), str(args.file))
    except DirectoryError as exc:
        raise ConfigError(str(exc)) from None
    added, updated = asyncio.run(_with_store(args.config, lambda d: d.import_clients(clients, replace=args.replace)))
    print(f"clients: {added} added, {updated} updated from {args.file}")
    return 0


def import_suppressions(args: argparse.Namespace) -> int:
    try:
        entries = read_suppressions(_read(args.file), str(args.file))
    except DirectoryError as exc:
        raise ConfigError(str(exc)) from None
    added, known = asyncio.run(_with_store(args.config, lambda d: d.import_suppressions(entries, replace=args.replace)))
    print(f"suppressions: {added} added, {known} already listed, from {args.file}")
    return 0


async def _with_store(config: str | None, action):
    store = await Store.open(load_settings(config).storage)
    try:
        return await action(DirectoryStore(store.engine))
    finally:
        await store.close()
