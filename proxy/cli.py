"""misdelivery-guard: serve, check, user add, directory sync."""

from __future__ import annotations

import argparse
import sys

from . import directory_tools, org_tools, rule_tools  # light: their commands import what they need
from .errors import ConfigError

USAGE_ERROR = 2


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help(sys.stderr)
        return USAGE_ERROR
    from rules import RuleError

    try:
        return args.run(args)
    except (ConfigError, RuleError) as exc:
        print(f"misdelivery-guard: {exc}", file=sys.stderr)
        return USAGE_ERROR


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="misdelivery-guard", description="Outbound SMTP relay that holds misdirected mail."
    )
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("serve", help="run the SMTP relay and the web pages")
    p.add_argument("--config", help="YAML configuration (default: ./guard.yaml if present)")
    p.set_defaults(run=_serve)
    p = sub.add_parser("check", help="run the inspection on messages without sending them")
    p.add_argument(
        "messages",
        nargs="+",
        metavar="MESSAGE",
        help=".eml files, directories (their files, not their subdirectories), - for standard input",
    )
    p.add_argument("--config")
    p.add_argument("--mail-from", help="envelope sender for every file (default: each file's From header)")
    p.add_argument(
        "--rcpt",
        action="append",
        default=[],
        help="envelope recipient for every file; repeat per recipient (default: To/Cc/Bcc)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help='print one JSON object (several files: one line per file, with a "file" key)',
    )
    p.add_argument(
        "--explain",
        action="store_true",
        help="list every rule, matched or not, with the findings that made it match",
    )
    p.set_defaults(run=_check)
    rule_tools.add_parsers(sub)
    directory_tools.add_parsers(sub)
    org_tools.add_parsers(sub)
    p = sub.add_parser("user", help="manage SMTP/admin users")
    user_sub = p.add_subparsers(dest="user_command")
    add = user_sub.add_parser(
        "add",
        help="add or replace a user in the database (storage:); every running guard applies it within "
        "seconds. Replacing sets the password and role and enables the account",
    )
    add.add_argument("login", help="the user's address; it is also the only envelope sender it may use")
    add.add_argument("--role", default="sender", choices=["sender", "admin"])
    add.add_argument("--config")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(run=_user_add)
    return parser


def _serve(args) -> int:
    import asyncio
    import logging

    from .server import serve
    from .settings import load_settings

    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: per-connection chatter
    settings = load_settings(args.config)
    try:
        import uvloop  # libuv's loop: the SMTP edge spends most of its time in the loop
    except ImportError:
        asyncio.run(serve(settings))
    else:
        uvloop.run(serve(settings))
    return 0


def _check(args) -> int:
    import gc

    gc.disable()  # no collection while the inspectors import: check_command.run freezes them
    try:
        from .check_command import run

        return run(args)
    finally:
        gc.enable()


def _user_add(args) -> int:
    import asyncio
    import getpass

    from quarantine.passwords import login_problem

    from .settings import load_settings

    settings = load_settings(args.config)
    login = args.login.strip().lower()
    if login_problem(login):
        print("misdelivery-guard: the login must be an address, without ':' or spaces", file=sys.stderr)
        return USAGE_ERROR
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Again: "):
            print("misdelivery-guard: the passwords differ", file=sys.stderr)
            return USAGE_ERROR
    if len(password) < 8:
        print("misdelivery-guard: the password must have at least 8 characters", file=sys.stderr)
        return USAGE_ERROR
    try:
        created = asyncio.run(_put_user(settings.storage, login, password, args.role))
    except OSError as exc:
        print(f"misdelivery-guard: storage: cannot reach the database: {exc}", file=sys.stderr)
        return 1
    print(f"user {login} ({args.role}) {'added to' if created else 'replaced in'} the database")
    return 0


async def _put_user(url: str, login: str, password: str, role: str) -> bool:
    import asyncio

    from quarantine.passwords import hash_password
    from quarantine.store import Store
    from quarantine.user_store import UserStore

    store = await Store.open(url)
    try:
        return await UserStore(store).put(login, await asyncio.to_thread(hash_password, password), role)
    finally:
        await store.close()


if __name__ == "__main__":
    sys.exit(main())
