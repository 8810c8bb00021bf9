"""Parse once, run every inspector, in a process pool with a time limit (DESIGN.md step 3).

Parsing and inspection are CPU work and never run on the event loop. Failures fail closed:
an inspector that raises, a message that exceeds the time or memory budget, a worker process
that dies — each becomes an `inspector.error` finding, which the default rules hold. The
envelope facts (external, suppressed, free-mail and look-alike recipients) need no parsing:
they are established first and kept on every one of those paths, so that a rule "external
recipient and inspector.error" always has what it needs.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import resource
import signal
import time
from dataclasses import dataclass

from inspectors.account_holders import AccountHolders
from inspectors.base import Envelope, Finding, Inspector
from inspectors.client_mismatch import ClientMismatch
from inspectors.clients import Client, ClientDirectory
from inspectors.codes import INSPECTOR_ERROR
from inspectors.freemail import FreemailDomains, FreemailRecipients
from inspectors.history import FirstTimeRecipients, RecipientHistory
from inspectors.keyword_dictionary import KeywordDictionary
from inspectors.keywords import Keywords
from inspectors.limits import Limits
from inspectors.lookalike import LookalikeDomains
from inspectors.message import MessageView, Readers, Summary, stream
from inspectors.personal_data import PersonalData
from inspectors.recipients import (
    ExternalRecipients,
    Organisations,
    SuppressedRecipients,
    VisibleExternalRecipients,
)
from inspectors.structure import over_limit
from rules.loader import load_rules

from .settings import rule_groups, rule_organization
from .workers import WorkerDied, WorkerPool, WorkerTimeout

log = logging.getLogger("guard.pipeline")

HARD_LIMIT_GRACE = 5.0  # seconds past the budget before a stuck worker is killed
# A message still inspected after this long is probably one that will run into the time
# limit; when every worker is held by such messages, the pool lends an extra one (workers.py).
SLOW_AFTER = 2.0
# A message this small takes the pool's warm spare rather than queue behind large ones.
SMALL = 256 * 1024


@dataclass(frozen=True, kw_only=True)
class InspectorConfig:
    """What inspectors need from outside, handed to them at construction (picklable)."""

    internal_domains: tuple[str, ...] = ()
    clients: tuple[Client, ...] = ()
    own_names: tuple[str, ...] = ()
    suppressed: tuple[str, ...] = ()
    freemail_domains: tuple[str, ...] = ()
    regular_domains: tuple[str, ...] = ()  # mailed often, from the recipient history
    limits: Limits = Limits()
    dictionaries: tuple[KeywordDictionary, ...] = ()  # from the rule files (issue 17)


def inspector_config(
    settings,
    regular_domains: tuple[str, ...] = (),
    dictionaries: tuple[KeywordDictionary, ...] | None = None,
) -> InspectorConfig:
    """The inspectors' share of the settings (proxy.settings.Settings), and the keyword
    dictionaries in force (None: those of the rule files the settings name)."""
    if dictionaries is None:
        dictionaries = load_rules(
            settings.rules, rule_groups(settings), rule_organization(settings)
        ).active_dictionaries
    return InspectorConfig(
        internal_domains=settings.internal_domains,
        clients=settings.clients,
        own_names=settings.own_names,
        suppressed=settings.suppressed_recipients,
        freemail_domains=settings.freemail_domains,
        regular_domains=tuple(regular_domains),
        limits=settings.limits,
        dictionaries=dictionaries,
    )


@dataclass(frozen=True, kw_only=True)
class Inspection:
    findings: tuple[Finding, ...]
    summary: Summary
    seconds: float


class InspectionTimeout(BaseException):
    """Raised by the worker's alarm into whatever runs. A BaseException, so that the
    readers' `except Exception` guards do not swallow it and keep the worker busy."""


# Inspectors that read nothing but the envelope (headers only for their `where`): they are
# run before parsing, on a view without content, so a parse that never ends loses nothing.
_ENVELOPE_ONLY = (ExternalRecipients, SuppressedRecipients, FreemailRecipients, LookalikeDomains)
# Exceptions that mean "stop the process", not "this message broke a reader".
_FATAL = (KeyboardInterrupt, SystemExit)


def build_inspectors(config: InspectorConfig) -> list[Inspector]:
    """Every inspector that needs only the configuration; built once per worker."""
    internal = config.internal_domains
    freemail = FreemailDomains(config.freemail_domains)
    organisations = Organisations(freemail, config.clients)
    return [
        ExternalRecipients(internal, organisations=organisations),
        VisibleExternalRecipients(internal, organisations),
        SuppressedRecipients(config.suppressed),
        FreemailRecipients(freemail, internal),
        LookalikeDomains(
            internal_domains=internal,
            client_domains=[d for c in config.clients for d in c.domains],
            regular_domains=config.regular_domains + tuple(sorted(freemail.domains)),
        ),
        ClientMismatch(ClientDirectory(config.clients, config.own_names), internal),
        PersonalData(internal_domains=internal, freemail=freemail, holders=account_holders(config)),
        Keywords(config.dictionaries),
    ]


def account_holders(config: InspectorConfig) -> AccountHolders:
    """Companies by name, whose bank accounts are not personal: ours and our clients'."""
    return AccountHolders.of((*config.own_names, *(n for c in config.clients for n in (c.name, *c.aliases))))


def envelope_facts(envelope: Envelope, size: int, inspectors: list[Inspector]) -> list[Finding]:
    """The findings of the envelope-only inspectors, from the envelope alone."""
    bare = MessageView(envelope=envelope, size=size)
    findings: list[Finding] = []
    for inspector in inspectors:
        if isinstance(inspector, _ENVELOPE_ONLY):
            try:
                findings.extend(inspector.inspect(bare))
            except Exception as exc:  # config-only code on envelope strings; still, fail closed
                findings.append(_error(inspector.name, exc))
    return findings


def inspect_raw(
    raw: bytes, envelope: Envelope, inspectors: list[Inspector], limits: Limits = Limits()
) -> Inspection:
    """The pipeline itself, synchronous and pure: the pool's workers run it.

    Content inspectors (those with a `reader`, inspectors.message.ContentInspector) read the
    text and tables while the message is extracted; the others then inspect the view. An
    error in one reader is that inspector's `inspector.error`; the others read on.
    When the time budget runs out (InspectionTimeout, raised by the worker's alarm), memory
    runs out, or anything at all is raised (a Rust panic from a reader is a BaseException),
    the findings made so far are kept, the envelope facts are added and so is an
    `inspector.error`.
    """
    started = time.perf_counter()
    facts = envelope_facts(envelope, len(raw), inspectors)  # before parsing, on every path
    findings: list[Finding] = []
    summary = Summary()
    current = "parser"
    content = [i for i in inspectors if callable(getattr(i, "reader", None))]
    readers: list[Readers] = []
    try:
        too_costly = over_limit(raw, limits)
        if too_costly:  # not parsed at all: nothing was inspected but the envelope
            return Inspection(
                findings=(*facts, _error(current, too_costly)),
                summary=summary,
                seconds=time.perf_counter() - started,
            )
        # The content inspectors read each text and table as it is extracted, and it is
        # dropped: every byte is read and the message's text is never held whole.
        view = stream(raw, envelope, limits, lambda bare: _opened(readers, content, bare))
        summary = Summary.of(view)
        findings.extend(view.problems)
        for inspector in inspectors:
            current = inspector.name
            try:
                if inspector in content and readers:
                    findings.extend(readers[0].findings(inspector.name, view))
                else:
                    findings.extend(inspector.inspect(view))
            except (InspectionTimeout, MemoryError, *_FATAL):
                raise
            except BaseException as exc:
                findings.append(_error(inspector.name, exc))
    except _FATAL:
        raise
    except InspectionTimeout:
        current = (readers[0].current or current) if readers else current
        findings += readers[0].salvage() if readers else []
        findings = _with_facts(findings, facts) + [_error(current, "timeout")]
    except BaseException as exc:  # MemoryError, a reader's panic: the fail-closed net
        current = (readers[0].current or current) if readers else current
        findings = _with_facts(findings, facts) + [_error(current, exc)]
    return Inspection(findings=tuple(findings), summary=summary, seconds=time.perf_counter() - started)


def _opened(opened: list[Readers], inspectors: list, message: MessageView) -> Readers:
    opened.append(Readers(inspectors, message))
    return opened[0]


def _with_facts(findings: list[Finding], facts: list[Finding]) -> list[Finding]:
    """The envelope facts the interrupted run had not reached yet, then what it found."""
    done = {f.code for f in findings}
    return [f for f in facts if f.code not in done] + findings


def _error(name: str, exc: BaseException | str) -> Finding:
    what = exc if isinstance(exc, str) else type(exc).__name__
    return Finding(code=INSPECTOR_ERROR, count=1, where=(f"inspector:{name}",), evidence=(what,))


# --- the worker process side -------------------------------------------------------------
# A pool worker builds its inspectors once, in its initializer; this global lives only in
# the worker processes, never in the guard's own.
_worker_inspectors: list[Inspector] = []
_worker_config: list[InspectorConfig] = []


WORKER_NICENESS = 5


def _init_worker(spec: tuple[InspectorConfig, int | None]) -> None:
    config, memory = spec
    if memory:
        # Address space, not resident memory: the only limit the kernel enforces per process
        # without cgroups. Python then raises MemoryError; native code (calamine) aborts and
        # the pool sees the worker die. Either way the message fails closed.
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    # Inspection is batch work on a machine the SMTP sessions share: under load (a burst of
    # large messages), the event loop that reads data and answers commands goes first.
    os.nice(WORKER_NICENESS)
    _worker_config[:] = [config]
    _worker_inspectors[:] = build_inspectors(config)
    # The inspectors' tables live as long as the worker: the collector need not walk them
    # again at every collection a message triggers (about 7 % of an inspection).
    gc.freeze()
    signal.signal(signal.SIGALRM, _on_alarm)


def _on_alarm(signum, frame):
    raise InspectionTimeout()


def _inspect_in_worker(
    raw: bytes, envelope: Envelope, budget: float, history: RecipientHistory | None
) -> Inspection:
    config = _worker_config[0]
    # The history snapshot is the message's own; the inspector is built for it.
    first_time: list[Inspector] = (
        [FirstTimeRecipients(history, config.internal_domains)] if history is not None else []
    )
    signal.setitimer(signal.ITIMER_REAL, budget)
    try:
        return inspect_raw(raw, envelope, _worker_inspectors + first_time, config.limits)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


class Pipeline:
    """`memory`: the address-space limit of each worker in bytes (None: none). `lend`: lend
    extra workers when slow messages hold them all (workers.py); a one-shot caller has no
    other messages to protect. `start`: how workers start (workers.WorkerPool); "fork" only
    for a caller that runs no thread."""

    def __init__(
        self,
        config: InspectorConfig,
        *,
        workers: int,
        timeout: float,
        memory: int | None = None,
        lend: bool = True,
        start: str = "forkserver",
    ) -> None:
        self.timeout = timeout
        self.memory = memory
        self.slow_after = min(SLOW_AFTER, timeout / 4) if lend else None
        self.start = start
        self._envelope_inspectors = build_inspectors(config)
        self._pool = self._new_pool(config, workers)

    def _new_pool(self, config: InspectorConfig, size: int) -> WorkerPool:
        return WorkerPool(
            size=size,
            init=_init_worker,
            config=(config, self.memory),
            call=_inspect_in_worker,
            slow_after=self.slow_after,
            start=self.start,
        )

    async def inspect(
        self,
        raw: bytes,
        envelope: Envelope,
        history: RecipientHistory | None = None,
        *,
        first_time: bool = True,
    ) -> Inspection:
        """`first_time=False`: no history to judge by (`check`), so no recipients.first_time."""
        started = time.perf_counter()
        if first_time and history is None:
            history = RecipientHistory(sender=envelope.mail_from.lower())
        try:
            return await self._pool.run(
                (raw, envelope, self.timeout, history if first_time else None),
                self.timeout + HARD_LIMIT_GRACE,
                small=len(raw) <= SMALL,
            )
        except WorkerTimeout:
            log.error("event=inspection_stuck seconds=%.1f action=worker_replaced", self.timeout)
            reason = f"timeout after {self.timeout:g}s"
        except WorkerDied:
            log.error("event=inspection_worker_died action=worker_replaced")
            reason = "worker died"
        # Fail closed, but keep the envelope facts: they need no parsing, and without them
        # a rule "external recipient and inspector.error" could not match.
        facts = envelope_facts(envelope, len(raw), self._envelope_inspectors)
        return Inspection(
            findings=(*facts, _error("pipeline", reason)),
            summary=Summary(),
            seconds=time.perf_counter() - started,
        )

    async def reconfigure(self, config: InspectorConfig) -> None:
        """New inspectors (a changed directory): a new pool takes over, the old one finishes
        the messages it has and stops."""
        old = self._pool
        self._envelope_inspectors = build_inspectors(config)
        self._pool = self._new_pool(config, old.size)
        await self.warm_up()
        await old.drain(self.timeout + HARD_LIMIT_GRACE)

    async def warm_up(self) -> None:
        """Let every worker import and build its inspectors now, not on the first message."""
        probe = (b"Subject: warm-up\r\n\r\n", Envelope(mail_from="", rcpt_tos=()))
        await asyncio.gather(*(self.inspect(*probe) for _ in range(self._pool.size)))

    def close(self) -> None:
        self._pool.close()
