"""The audit log: every transition of a held message, every delivery attempt, every admin
action. Filter by message id, actor, action and date; export the same selection as CSV.

The detail column holds codes and counts by construction (quarantine.store, console.record);
the comment column the words an approver or an admin typed with a decision (trail.py says why
it is kept, and how it is bounded). Neither holds a body, a subject or a finding's evidence:
the subject, the sender and the recipient count a row shows are read from the held message
when the row is shown or exported, so they go when the message goes (retention) and the
row stays, naming only the id.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select, true
from starlette.requests import Request
from starlette.responses import Response

from ..display import clean
from ..i18n import ACTIONS, action_label, actor_label
from ..schema import audit, held
from .console import Console, current_language
from .directory_csv import csv_download
from .search import PAGE_SIZE, Search, contains

EXPORT_LIMIT = 100_000
_FIELDS = ("message", "actor", "action")
CSV_HEADER = (
    "at",
    "message_id",
    "subject",
    "sender",
    "recipients",
    "actor",
    "client_addr",
    "action",
    "detail",
    "comment",
)

# The console's own actions (console.record), beside the held message's (i18n.ACTIONS, which
# words an approver's "rejected" too).
CONSOLE_ACTIONS: dict[str, tuple[str, str]] = {
    "admin_login": ("管理画面にログインしました", "logged in to the console"),
    "admin_logout": ("管理画面からログアウトしました", "logged out of the console"),
    "admin_login_failed": ("ログインに失敗しました", "login failed"),
    "admin_login_refused": ("管理者でないためログインを拒否しました", "login refused: not an administrator"),
    "admin_login_throttled": ("失敗が続いたためログインを待たせました", "login held back after failures"),
    "client_added": ("取引先を追加しました", "client added"),
    "client_updated": ("取引先を更新しました", "client updated"),
    "client_deleted": ("取引先を削除しました", "client deleted"),
    "clients_imported": ("取引先を CSV から取り込みました", "clients imported from CSV"),
    "suppression_added": ("送信禁止先を追加しました", "suppression added"),
    "suppression_updated": ("送信禁止先を更新しました", "suppression updated"),
    "suppression_deleted": ("送信禁止先を削除しました", "suppression deleted"),
    "suppressions_imported": ("送信禁止先を CSV から取り込みました", "suppressions imported from CSV"),
    "rules_saved": ("ルールを保存しました", "rules saved"),
    "purged": ("保存期間を過ぎたデータを削除しました", "data past its retention period removed"),
    # users and roles (user_pages.py, `user add`, the users file's import): issue 20
    "user_added": ("ユーザーを追加しました", "user added"),
    "user_replaced": ("ユーザーを置き換えました", "user replaced"),
    "user_role": ("ユーザーの権限を変更しました", "user's role changed"),
    "user_disabled": ("ユーザーを無効にしました", "user disabled"),
    "user_enabled": ("ユーザーを有効にしました", "user enabled"),
    "user_password": ("ユーザーのパスワードを再設定しました", "user's password reset"),
    "users_imported": ("ユーザーファイルを取り込みました", "users file imported"),
}


def action_words(action: str, lang: str) -> str:
    if action in CONSOLE_ACTIONS:
        return CONSOLE_ACTIONS[action][0 if lang == "ja" else 1]
    return action_label(action, lang)


@dataclass(frozen=True, kw_only=True)
class Named:
    """What the held message of a row was, while it is kept: for the page and the CSV."""

    subject: str = ""
    sender: str = ""
    recipients: int | None = None


def named(row, cache: dict[str, Named]) -> Named:
    """The held message of an audit row (joined), parsed once per message."""
    if row.message_id is None or row.held_from is None:
        return Named()
    if row.message_id not in cache:
        try:
            subject = str(json.loads(row.held_summary or "{}").get("subject", ""))
            count: int | None = len(json.loads(row.held_rcpts or "[]"))
        except (ValueError, AttributeError):
            subject, count = "", None
        cache[row.message_id] = Named(subject=subject, sender=row.held_from, recipients=count)
    return cache[row.message_id]


def conditions(search: Search) -> list:
    v, conds = search.values, search.period(audit.c.at)
    if v["message"]:
        conds.append(audit.c.message_id == v["message"])
    if v["actor"]:
        conds.append(contains(audit.c.actor, v["actor"]))
    if v["action"]:
        conds.append(audit.c.action == v["action"])
    return conds


def _rows(where):
    """The audit rows with what their held message (if it is still kept) says of itself."""
    return (
        select(
            audit,
            held.c.mail_from.label("held_from"),
            held.c.rcpt_tos.label("held_rcpts"),
            held.c.summary.label("held_summary"),
        )
        .select_from(audit.outerjoin(held, held.c.id == audit.c.message_id))
        .where(where)
    )


class AuditPages:
    def __init__(self, console: Console) -> None:
        self.console = console

    async def index(self, request: Request, session, form) -> Response:
        search = Search.of(request.query_params, _FIELDS, self.console.zone)
        where = and_(true(), *conditions(search))
        async with self.console.store.reading() as conn:
            total = (await conn.execute(select(func.count()).select_from(audit).where(where))).scalar_one()
            rows = (
                await conn.execute(
                    _rows(where).order_by(audit.c.id.desc()).offset(search.offset).limit(PAGE_SIZE)
                )
            ).all()
            actions = (
                (await conn.execute(select(audit.c.action).distinct().order_by(audit.c.action)))
                .scalars()
                .all()
            )
        lang, cache = current_language(), dict[str, Named]()
        return self.console.render(
            "audit.html",
            status=400 if search.errors else 200,
            session=session,
            nav="audit",
            search=search,
            errors=search.errors,
            rows=[(r, named(r, cache)) for r in rows],
            total=total,
            actions=[(a, action_words(a, lang)) for a in actions],
            action_words=lambda a: action_words(a, lang),
            actor_words=lambda a: actor_label(a, lang),
            known=frozenset(ACTIONS) | frozenset(CONSOLE_ACTIONS),
            more=search.offset + len(rows) < total,
            export=search.filters(),
        )

    async def export(self, request: Request, session, form) -> Response:
        search = Search.of(request.query_params, _FIELDS, self.console.zone)
        if search.errors:
            return self.console.refuse(400, "bad_request", session, errors=search.errors)
        async with self.console.store.reading() as conn:
            rows = (
                await conn.execute(
                    _rows(and_(true(), *conditions(search))).order_by(audit.c.id).limit(EXPORT_LIMIT)
                )
            ).all()
        cache: dict[str, Named] = {}
        lines: list[tuple] = [CSV_HEADER]
        for r in rows:
            m = named(r, cache)
            lines.append(
                (
                    _iso(r.at, self.console.zone),
                    r.message_id,
                    clean(m.subject, 300) if m.subject else "",
                    m.sender,
                    "" if m.recipients is None else m.recipients,
                    r.actor,
                    r.client_addr,
                    r.action,
                    r.detail,
                    r.comment or "",
                )
            )
        return csv_download(lines, "audit")


def _iso(at: float, zone) -> str:
    """A CSV's time: ISO 8601 with its offset, in web.timezone (None: the machine's zone)."""
    moment = datetime.fromtimestamp(at, zone) if zone is not None else datetime.fromtimestamp(at).astimezone()
    return moment.isoformat(timespec="seconds")
