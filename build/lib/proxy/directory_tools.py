"""`misdelivery-guard clients import FILE` and `suppress import FILE`: the client directory
and the suppression list from CSV or YAML, into the store every guard instance reads."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from .errors import ConfigError


def add_parsers(sub) -> None:
    for noun, what in (
        ("clients", "the client directory (取引先台帳)"),
        ("suppress", "the suppression list"),
    ):
        parser = sub.add_parser(noun, help=f"manage {what}")
        verbs = parser.add_subparsers(dest=f"{noun}_command")
        imp = verbs.add_parser("import", help=f"import {what} from a CSV or YAML file")
        imp.add_argument("file", type=Path)
        imp.add_argument("--replace", action="store_true", help="replace the whole list instead of adding")
        imp.add_argument("--config")
        imp.set_defaults(run=import_list, list_name=noun)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None


# noun -> (reader of the file, DirectoryStore method, what to print of its two counts)
_LISTS = {
    "clients": ("read_clients", "import_clients", "clients: {} added, {} updated from {}"),
    "suppress": (
        "read_suppressions",
        "import_suppressions",
        "suppressions: {} added, {} already listed, from {}",
    ),
}


def import_list(args: argparse.Namespace) -> int:
    # Imported here: building the command line (every command, `check` too) must not pay
    # for SQLAlchemy and the store.
    from quarantine import directory_file as directory
    from quarantine.directory_file import DirectoryError

    reader_name, method, report = _LISTS[args.list_name]
    reader = getattr(directory, reader_name)
    try:
        entries = reader(_read(args.file), str(args.file))
    except DirectoryError as exc:
        raise ConfigError(str(exc)) from None
    counts = asyncio.run(
        _with_store(args.config, lambda d: getattr(d, method)(entries, replace=args.replace))
    )
    print(report.format(*counts, args.file))
    return 0


async def _with_store(config: str | None, action):
    from quarantine.directory_store import DirectoryStore
    from quarantine.store import Store

    from .settings import load_settings

    store = await Store.open(load_settings(config).storage)
    try:
        return await action(DirectoryStore(store))
    finally:
        await store.close()
