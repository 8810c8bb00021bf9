"""The admin console, mounted under /admin: held messages, rules, statistics, the client
directory, the suppression list, the audit log, attachments sent as links and the embedded
outbox. Login required; role "admin" only.

The composition root calls `admin_routes(...)` once and adds what it returns to the web
app's routes. Everything the console needs from outside is handed in: the password check and
the roles in force (the guard's copy of the users table, refreshed from the database), and the
inspection pipeline for "test against a message".
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import tzinfo
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from inspectors.clients import Client
from rules.book import RuleBook
from rules.model import RuleSet

from ..decisions import DecisionLog
from ..directory_store import DirectoryStore
from ..org_chart import OrgStatus
from ..sso.config import SsoSettings
from ..sso.pages import SsoPages
from ..store import Store
from ..user_store import UserStore
from . import words
from .audit_pages import AuditPages
from .bulk import BulkPages
from .client_pages import ClientPages
from .console import PREFIX, Console
from .dashboard import DashboardPage
from .directory_pages import DirectoryPages
from .link_pages import LinkPages
from .login import LoginPages
from .messages import MessagePages
from .outbox_pages import OutboxPages
from .rule_history import RuleHistoryPages
from .rule_pages import RulePages
from .sessions import IDLE, Sessions
from .statistics import StatisticsPages
from .suppression_pages import SuppressionPages
from .throttle import Throttle
from .user_pages import UserPages

__all__ = ["PREFIX", "admin_routes"]

GET, POST = ["GET"], ["POST"]


async def _nothing(*args) -> None:
    return None


def admin_routes(
    *,
    store: Store,
    decisions: DecisionLog,
    rulebook: RuleBook,
    verify_login: Callable[[str, str], str | None],
    check_message: Callable[[bytes, RuleSet], Any],
    on_queued: Callable[[], None],
    public_url: str,
    on_directory_changed: Callable[[], None] = lambda: None,
    on_admin_decided: Callable[..., Awaitable[None]] = _nothing,
    file_clients: tuple[Client, ...] = (),
    file_suppressions: tuple[str, ...] = (),
    idle_timeout: float = IDLE,
    outbox: Path | None = None,
    clock: Callable[[], float] = time.time,
    zone: tzinfo | None = None,
    role_of: Callable[[str], str | None] | None = None,
    on_users_changed: Callable[[], Awaitable[None]] = _nothing,
    org_status: Callable[[], OrgStatus] | None = None,
    sso: SsoSettings | None = None,
) -> list[BaseRoute]:
    """The console's routes, as one Mount at /admin.

    verify_login(login, password) -> the account's role ("admin", "sender") or None;
    check_message(raw, rules) -> the dict of `misdelivery-guard check --json --explain`
    (plain function: run in a thread; coroutine function: awaited);
    on_queued() wakes the delivery worker after a release; on_directory_changed() runs
    after every change to the client directory or the suppression list;
    on_admin_decided(record, actor, released, note) tells the sender when an admin releases or
    cancels his hold; file_clients and file_suppressions are the configuration file's entries,
    in force beside the console's and shown with them (read-only); outbox is the embedded
    Maildir upstream's folder, shown to admins only (it holds notices with working links);
    clock is the login throttle's; zone (web.timezone; None: the machine's) is the one every
    time is written in; role_of(login) is the role in force of an enabled account (None: unknown
    or disabled), checked on every request so that a disabled admin's session ends (None: the
    session's role is trusted); on_users_changed() runs after the users page changed an account
    (the guard reloads its copy at once, the other instances within seconds); org_status() is
    the company directory's freshness (issue 21): the dashboard says when the copy is stale;
    sso (the `sso:` section; None: passwords only) adds sign-on with OpenID Connect at /admin/sso/.
    """
    console = Console(
        store=store,
        sessions=Sessions(store, idle=idle_timeout),
        secure=public_url.strip().lower().startswith("https://"),
        zone=zone,
        role_of=role_of,
        sso=sso,
    )
    console.env.globals["outbox"] = outbox is not None
    words.install(console.env)
    directory = DirectoryStore(store)
    messages = MessagePages(console, store, on_queued, on_admin_decided, rulebook)
    return [
        Mount(
            PREFIX,
            routes=[
                *_dashboard_and_bulk(
                    console.guarded, DashboardPage(console, store, org_status), BulkPages(console, messages)
                ),
                *_door_and_messages(
                    console,
                    LoginPages(console, Throttle(store, clock=clock), verify_login, sso),
                    messages,
                    AuditPages(console),
                    OutboxPages(console, outbox),
                ),
                *_rules_and_statistics(
                    console.guarded,
                    RulePages(console, rulebook, decisions, check_message),
                    StatisticsPages(console, decisions, rulebook),
                ),
                *_rule_history(console.guarded, RuleHistoryPages(console, rulebook)),
                *_directory(
                    console.guarded, ClientPages(console, directory, on_directory_changed, file_clients)
                ),
                *_links(console.guarded, LinkPages(console, store, clock)),
                *_users(console.guarded, UserPages(console, UserStore(store), on_users_changed)),
                *_directory(
                    console.guarded,
                    SuppressionPages(console, directory, on_directory_changed, file_suppressions),
                ),
                *_sso(SsoPages(console, sso, public_url) if sso else None),
                Route("/{rest:path}", _unknown(console), methods=["GET", "POST"]),
            ],
        )
    ]


def _door_and_messages(
    console: Console, login: LoginPages, messages: MessagePages, audit: AuditPages, outbox: OutboxPages
) -> list[Route]:
    g = console.guarded
    return [
        Route("/login", login.form, methods=GET),
        Route("/login", login.submit, methods=POST),
        Route("/logout", g(login.logout, anyone=True), methods=POST),
        Route("/messages", g(messages.index), methods=GET),
        Route("/messages/{id}", g(messages.detail), methods=GET),
        Route("/messages/{id}", g(messages.act), methods=POST),
        Route("/audit", g(audit.index), methods=GET),
        Route("/audit.csv", g(audit.export), methods=GET),
        Route("/outbox", g(outbox.index), methods=GET),
        Route("/outbox/{name}", g(outbox.item), methods=GET),
    ]


def _dashboard_and_bulk(g, dashboard: DashboardPage, bulk: BulkPages) -> list[Route]:
    """The home page is the dashboard; the bulk action's path comes before /messages/{id}."""
    return [
        Route("/", g(dashboard.show), methods=GET),
        Route("/dashboard", g(dashboard.show), methods=GET),
        Route("/messages/bulk", g(bulk.act), methods=POST),
    ]


def _rules_and_statistics(g, rules: RulePages, stats: StatisticsPages) -> list[Route]:
    return [
        Route("/rules", g(rules.show), methods=GET),
        Route("/rules/check", g(rules.check), methods=POST),
        Route("/rules/save", g(rules.save), methods=POST),
        Route("/rules/edit", g(rules.edit), methods=POST),
        Route("/rules/test", g(rules.test), methods=POST),
        Route("/rules/replay", g(rules.replay), methods=POST),
        Route("/stats", g(stats.show), methods=GET),
    ]


def _rule_history(g, pages: RuleHistoryPages) -> list[Route]:
    return [
        Route("/rules/history", g(pages.index), methods=GET),
        Route("/rules/history/{id:int}", g(pages.show), methods=GET),
        Route("/rules/history/{id:int}", g(pages.revert), methods=POST),
    ]


def _links(g, links: LinkPages) -> list[Route]:
    """Attachments sent as download links (issue 19): the list, one share, stopping it."""
    return [
        Route("/links", g(links.index), methods=GET),
        Route("/links/{id}", g(links.detail), methods=GET),
        Route("/links/{id}", g(links.act), methods=POST),
    ]


def _sso(pages: SsoPages | None) -> list[Route]:
    """OpenID Connect sign-on (issue 21): off the guard, since nobody is signed in yet."""
    if pages is None:
        return []
    return [
        Route("/sso/start", pages.start, methods=GET),
        Route("/sso/callback", pages.callback, methods=GET),
    ]


def _users(g, users: UserPages) -> list[Route]:
    """Users and roles (issue 20): the list, adding one, changing one."""
    return [
        Route("/users", g(users.index), methods=GET),
        Route("/users", g(users.add), methods=POST),
        Route("/users/change", g(users.change), methods=POST),
    ]


def _directory(g, pages: DirectoryPages) -> list[Route]:
    """The same six routes for the client directory and the suppression list."""
    name = pages.name
    return [
        Route(f"/{name}", g(pages.index), methods=GET),
        Route(f"/{name}", g(pages.add), methods=POST),
        Route(f"/{name}.csv", g(pages.export), methods=GET),
        Route(f"/{name}/import", g(pages.import_csv), methods=POST),
        Route(f"/{name}/{{id:int}}", g(pages.edit), methods=GET),
        Route(f"/{name}/{{id:int}}", g(pages.update), methods=POST),
    ]


def _unknown(console: Console):
    async def unknown(request: Request) -> Response:
        console.speak(request)
        return console.refuse(404, "not_found")

    return unknown
