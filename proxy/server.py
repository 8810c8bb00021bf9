"""The composition root: build every object once, run SMTP and web side by side, stop cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import ssl
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import uvicorn

from inspectors.clients import Client
from inspectors.limits import Limits
from inspectors.recipients import ExternalRecipients
from quarantine.admin import admin_routes
from quarantine.admin.sessions import Sessions
from quarantine.cluster_lock import ClusterLock
from quarantine.decisions import DecisionLog
from quarantine.deliveries import DeliveryHistory
from quarantine.directory_store import DirectoryStore
from quarantine.forwarded import LOOPBACK, ForwardedFor
from quarantine.holds import HoldPolicy, Quarantine
from quarantine.link_delivery import LinkPolicy
from quarantine.me_pages import MePages
from quarantine.metrics import Metrics
from quarantine.org_cache import OrgCache
from quarantine.org_store import OrgStore
from quarantine.reminders import ReminderPolicy, Reminders
from quarantine.retention import Retention
from quarantine.rule_versions import RuleVersions
from quarantine.store import Store
from quarantine.user_cache import UserCache
from quarantine.user_store import UserStore
from quarantine.web import Pages, create_app
from quarantine.worker import Worker
from rules import RuleSet
from rules.book import RuleBook

from .admission import Admission, AdmissionLimits
from .auth import Accounts, Authenticator, import_users_file
from .auth_throttle import AuthThrottle
from .check import envelope_of, links_take, report
from .directory import DirectoryFeed
from .errors import ConfigError
from .handler import Handler, Policy
from .health import UpstreamProbe
from .judge import Judge
from .org_sync import OrgSync
from .outbox import MaildirOutbox
from .pipeline import Pipeline
from .session import GuardSMTP
from .settings import Settings, approvers_for, rule_groups, rule_organization
from .storage import open_store
from .upstream import SmtpUpstream, make_sender
from .workers import map_large_allocations

log = logging.getLogger("guard")


class _Web(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self):
        # The guard owns SIGTERM/SIGINT and stops uvicorn itself, after the SMTP side.
        yield


@dataclass
class Guard:
    settings: Settings
    store: Store
    pipeline: Pipeline
    handler: Handler
    send: SmtpUpstream | MaildirOutbox
    smtp_server: asyncio.AbstractServer
    web: _Web
    tasks: list[asyncio.Task]
    sessions: weakref.WeakSet
    stopping: asyncio.Event

    @classmethod
    async def start(cls, settings: Settings, interrupted: asyncio.Event | None = None) -> Guard | None:
        """The running guard; None when `interrupted` came while it waited for its database."""
        links = LinkPolicy(
            public_url=settings.public_url,
            notice_from=settings.notice_from,
            notice_name=settings.notice_name,
            zone=settings.timezone,
            limits=settings.limits,
        )
        store = await open_store(
            settings.storage, interrupted or asyncio.Event(), tuple(settings.internal_domains), links
        )
        if store is None:
            return None
        send = make_sender(
            settings.upstream,
            timeout=settings.delivery_timeout,
            ca_file=settings.ca_file,
            local_hostname=settings.hostname,
        )
        # A job's lease outlives one delivery attempt, and no more: the jobs of a guard killed
        # mid-send are picked up again soon after.
        history = DeliveryHistory(store.engine, writing=store.writing)
        await history.load()
        lease = settings.delivery_timeout * 2 + 10
        metrics = Metrics(settings.instance_id)  # every sample labelled with the instance
        worker = Worker(
            store,
            send,
            notice_from=settings.notice_from,
            notice_name=settings.notice_name,
            lease=lease,
            backoff=settings.retry_schedule,
            max_attempts=settings.max_attempts,
            metrics=metrics,
            on_delivered=history.delivered,
            reminders=Reminders(
                store,
                ReminderPolicy(
                    after=settings.remind_after,
                    every=settings.remind_every,
                    public_url=settings.public_url,
                    notice_from=settings.notice_from,
                    notice_name=settings.notice_name,
                    zone=settings.timezone,
                ),
            ),
        )
        # The company's directory (issue 21): the copy the sync keeps; empty without `directory:`.
        # The rules and the approvers read the chart in force on each message.
        org_store = OrgStore(store)
        if settings.ldap is None and (gone := await org_store.clear()):
            # `directory:` removed: the copy of people is not kept past its use (README).
            log.warning("event=directory_copy_removed people=%d", gone)
        org = OrgCache(org_store, configured=settings.ldap is not None)
        await org.load()
        # The rules first: their keyword dictionaries go to the inspectors (issue 17).
        rules = RuleBook(settings.rules, rule_groups(settings), rule_organization(settings), org=org.chart)
        await rules.follow(RuleVersions(store))  # the console's layer, shared by every instance
        feed = DirectoryFeed(settings, DirectoryStore(store), history, rules=rules)
        rules.on_reload = feed.changed  # a console dictionary reaches the inspectors in seconds
        pipeline = Pipeline(
            await feed.config(),
            workers=settings.inspection_workers,
            timeout=settings.inspection_timeout,
            memory=settings.inspection_worker_memory,
        )
        feed.applied()
        await pipeline.warm_up()
        decisions = DecisionLog(store.engine, writing=store.writing)
        # Users and roles are the database's (issue 20); the users file is imported once.
        user_store = UserStore(store)
        await import_users_file(settings.users_file, user_store)
        users = UserCache(user_store)
        await users.load()
        quarantine = Quarantine(
            store,
            HoldPolicy(
                public_url=settings.public_url,
                hold_expiry=settings.hold_expiry,
                notice_from=settings.notice_from,
                notice_name=settings.notice_name,
                zone=settings.timezone,
            ),
            # Approval falls back to the admins (those in force now) when the group has nobody
            # else; `manager` entries name the sender's manager in the chart in force.
            approvers=lambda sender, entries=(): approvers_for(
                settings, sender, users.admins(), org.chart(), entries
            ),
            on_queued=worker.wake,
        )
        is_external = ExternalRecipients(settings.internal_domains).is_external
        judge = Judge(
            pipeline=pipeline, history=history, rules=rules, is_external=is_external, limits=settings.limits
        )
        handler = Handler(
            policy=_policy(settings),
            judge=judge,
            quarantine=quarantine,
            decisions=decisions,
            send=send,
            metrics=metrics,
            history=history,
            role_of=users.role_of,
        )
        sessions: weakref.WeakSet = weakref.WeakSet()
        smtp_server = await _start_smtp(settings, handler, sessions, users)
        admin = admin_routes(
            store=store,
            decisions=decisions,
            rulebook=rules,
            verify_login=_login_check(users),
            role_of=users.role_of,
            on_users_changed=users.refresh,
            org_status=org.status,
            check_message=_checker(pipeline, settings.limits),
            on_queued=worker.wake,
            public_url=settings.public_url,
            on_directory_changed=feed.changed,
            on_admin_decided=quarantine.admin_decided,
            file_clients=settings.clients,
            file_suppressions=settings.suppressed_recipients,
            outbox=_outbox(settings),
            zone=settings.timezone,
            sso=settings.sso,
        )
        web = _start_web(
            settings, store, quarantine, worker, metrics, judge, admin, is_external, org, users.role_of
        )
        stopping = asyncio.Event()
        tasks = [
            asyncio.create_task(web.serve(), name="web"),
            asyncio.create_task(worker.run(stopping), name="worker"),
            asyncio.create_task(decisions.run(stopping), name="decisions"),
            asyncio.create_task(history.run(stopping), name="history"),
            asyncio.create_task(rules.watch(stopping), name="rules"),
            asyncio.create_task(users.watch(stopping), name="users"),
            asyncio.create_task(org.watch(stopping), name="org"),
            asyncio.create_task(feed.watch(pipeline, stopping), name="directory"),
            asyncio.create_task(Retention(store, settings.retention).run(stopping), name="retention"),
        ]
        if settings.ldap is not None:  # the sync: once per cluster (proxy/org_sync.py)
            lock = ClusterLock(store.engine, "directory")
            sync = OrgSync(settings.ldap, org_store, lock=lock, cache=org)
            tasks.append(asyncio.create_task(sync.run(stopping), name="org_sync"))
        log.info(
            "event=started instance=%s smtp=%s:%d web=%s:%d upstream=%r storage=%s rules=%d",
            settings.instance_id,
            settings.smtp_listen.host,
            settings.smtp_listen.port,
            settings.web_listen.host,
            settings.web_listen.port,
            settings.upstream,
            settings.storage.split("://")[0],
            len(rules().active),
        )
        return cls(settings, store, pipeline, handler, send, smtp_server, web, tasks, sessions, stopping)

    async def stop(self) -> None:
        """Stop accepting, let messages in flight finish (up to the grace), then close."""
        log.info("event=stopping inflight=%d", self.handler.inflight)
        self.smtp_server.close()
        try:
            await asyncio.wait_for(self.handler.idle.wait(), self.settings.shutdown_grace)
        except TimeoutError:
            log.warning("event=shutdown_grace_expired inflight=%d", self.handler.inflight)
        for session in list(self.sessions):
            if session.transport is not None:
                session.transport.close()
        self.stopping.set()
        self.web.should_exit = True
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for flush in (self.handler.decisions.flush, self.handler.history.flush):
            try:
                await flush()
            except Exception as exc:  # the database is out: what was kept is lost, and said so
                log.warning("event=final_flush_failed error=%s", type(exc).__name__)
        await self.send.close()
        self.pipeline.close()
        await self.store.close()
        log.info("event=stopped")


def _policy(s: Settings) -> Policy:
    return Policy(
        trusted_networks=s.trusted_networks,
        max_recipients=s.max_recipients,
        max_header_size=s.max_header_size,
        session_timeout=s.session_timeout,
    )


async def _start_smtp(
    s: Settings, handler: Handler, sessions: weakref.WeakSet, users: Accounts
) -> asyncio.AbstractServer:
    tls = None
    if s.tls_cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(s.tls_cert, s.tls_key)
    elif not s.trusted_networks:
        log.warning("event=config_warning detail=no_tls_and_no_trusted_networks_nobody_can_relay")
    authenticator = Authenticator(users, AuthThrottle(s.auth_limits))
    map_large_allocations()  # message copies freed go back to the system (workers.py)
    admission = Admission(
        AdmissionLimits(
            max_sessions=s.max_sessions,
            max_sessions_per_client=s.max_sessions_per_client,
            max_inflight_bytes=s.max_inflight_bytes,
        )
    )
    spool_directory = None
    if s.spool_directory:
        try:
            s.spool_directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"smtp.spool_directory: cannot create {s.spool_directory}: {exc.strerror}"
            ) from None
        spool_directory = str(s.spool_directory)
    loop = asyncio.get_running_loop()

    def factory() -> GuardSMTP:
        # The loop is passed so that aiosmtpd does not look it up, with warnings filters,
        # for every connection. The greeting names the host and no software or version
        # (aiosmtpd's default says "Python SMTP 1.4.x"): RFC 5321 §4.2 asks for no more.
        session = GuardSMTP(
            handler,
            data_size_limit=s.max_message_size,
            enable_SMTPUTF8=True,
            decode_data=False,
            hostname=s.hostname,
            ident="ESMTP",
            tls_context=tls,
            timeout=s.session_timeout,
            auth_required=False,
            auth_require_tls=True,
            authenticator=authenticator,
            loop=loop,
            admission=admission,
            spool_directory=spool_directory,
        )
        sessions.add(session)
        return session

    return await loop.create_server(factory, host=s.smtp_listen.host, port=s.smtp_listen.port)


def _checker(pipeline: Pipeline, limits: Limits):
    """The admin console's "test against a message": the real inspection, any rule set."""

    async def check_message(raw: bytes, rules: RuleSet) -> dict:
        envelope = envelope_of(raw)
        inspection = await pipeline.inspect(raw, envelope)
        linked = await asyncio.to_thread(
            links_take, raw, inspection.findings, inspection.summary, envelope, rules, limits
        )
        return report(inspection.findings, envelope, rules, with_explanation=True, linked=linked)

    return check_message


def _login_check(users: Accounts):
    def verify(login: str, password: str) -> str | None:
        user = users.check(login, password)
        return user.role if user else None

    return verify


def _start_web(
    s: Settings,
    store: Store,
    quarantine: Quarantine,
    worker: Worker,
    metrics: Metrics,
    judge: Judge,
    admin: list,
    is_external: Callable[[str], bool],
    org: OrgCache,
    role_of: Callable[[str], str | None],
) -> _Web:
    directory = DirectoryStore(store)

    async def clients() -> tuple[Client, ...]:
        """The client directory in force (the configuration's and the console's), read per
        page: a sender's page names the clients the recipients belong to (issue 18)."""
        return tuple(s.clients) + tuple(r.client() for r in await directory.clients())

    pages = Pages(
        store=store,
        is_external=is_external,
        outbox=_outbox(s),
        on_queued=worker.wake,
        quarantine=quarantine,
        metrics=metrics,
        judge=judge,
        page_grace=s.page_grace,
        zone=s.timezone,
        clients=clients,
        reminders=worker.reminders.policy if worker.reminders else None,
        instance=s.instance_id,
        upstream_check=UpstreamProbe(s.upstream, ca_file=s.ca_file),
        org_status=org.status,
        detail_to=tuple(s.trusted_networks) + LOOPBACK,  # /healthz's detail lines (review, i20)
    )
    # uvicorn's own proxy_headers would believe X-Forwarded-For from 127.0.0.1 by default:
    # off; ForwardedFor believes only web.trusted_proxies (none unless configured).
    # A signed-in person's own page (issue 21), before the console's Mount and its catch-all.
    me = MePages(
        pages, Sessions(store), role_of=role_of, secure=s.public_url.lower().startswith("https://"), sso=s.sso
    )
    app = ForwardedFor(create_app(pages, [*me.routes(), *admin]), s.trusted_proxies)
    config = uvicorn.Config(
        app,
        host=s.web_listen.host,
        port=s.web_listen.port,
        proxy_headers=False,
        log_config=None,
        access_log=False,
        lifespan="off",
    )
    return _Web(config)


def _outbox(s: Settings):
    """The embedded Maildir outbox, shown in the admin console; None with a real upstream."""
    return s.upstream.path if s.upstream.scheme == "maildir" else None


async def serve(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    guard = await Guard.start(settings, stop)
    if guard is None:
        return
    await stop.wait()
    await guard.stop()
