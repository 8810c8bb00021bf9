"""Parse once, run every inspector, in a process pool with a time limit (DESIGN.md step 3).

Parsing and inspection are CPU work and never run on the event loop. Failures fail closed:
an inspector that raises, a message that exceeds the time budget, a worker process that dies
— each becomes an `inspector.error` finding, which the default rules hold.
"""
from __future__ import annotations

import asyncio
import logging
import signal
import time
from dataclasses import dataclass

from inspectors.base import Envelope, Finding, Inspector
from inspectors.clients import Client, ClientDirectory, ClientMismatch
from inspectors.freemail import FreemailDomains, FreemailRecipients
from inspectors.history import FirstTimeRecipients, RecipientHistory
from inspectors.limits import Limits
from inspectors.lookalike import LookalikeDomains
from inspectors.message import MessageView, Summary, parse
from inspectors.personal_data import PersonalData
from inspectors.recipients import (ExternalRecipients, Organisations, SuppressedRecipients,
                                   VisibleExternalRecipients)

from .workers import WorkerDied, WorkerPool, WorkerTimeout

log = logging.getLogger("guard.pipeline")

HARD_LIMIT_GRACE = 5.0   # seconds past the budget before a stuck worker is killed


@dataclass(frozen=True, kw_only=True)
class InspectorConfig:
    """What inspectors need from outside, handed to them at construction (picklable)."""
    internal_domains: tuple[str, ...] = ()
    clients: tuple[Client, ...] = ()
    own_names: tuple[str, ...] = ()
    suppressed: tuple[str, ...] = ()
    freemail_domains: tuple[str, ...] = ()
    regular_domains: tuple[str, ...] = ()     # mailed often, from the recipient history
    limits: Limits = Limits()


def inspector_config(settings, regular_domains: tuple[str, ...] = ()) -> InspectorConfig:
    """The inspectors' share of the settings (proxy.settings.Settings)."""
    return InspectorConfig(internal_domains=settings.internal_domains, clients=settings.clients,
                           own_names=settings.own_names, suppressed=settings.suppressed_recipients,
                           freemail_domains=settings.freemail_domains,
                           regular_domains=tuple(regular_domains), limits=settings.limits)


@dataclass(frozen=True, kw_only=True)
class Inspection:
    findings: tuple[Finding, ...]
    summary: Summary
    seconds: float


class InspectionTimeout(BaseException):
    """Raised by the worker's alarm into whatever runs. A BaseException, so that the
    readers' `except Exception` guards do not swallow it and keep the worker busy."""


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
        LookalikeDomains(internal_domains=internal,
                         client_domains=[d for c in config.clients for d in c.domains],
                         regular_domains=config.regular_domains + tuple(sorted(freemail.domains))),
        ClientMismatch(ClientDirectory(config.clients, config.own_names), internal),
        PersonalData(),
    ]


def inspect_raw(raw: bytes, envelope: Envelope, inspectors: list[Inspector],
                limits: Limits = Limits()) -> Inspection:
    """The pipeline itself, synchronous and pure: the pool's workers and `check` both run it.

    When the time budget runs out (InspectionTimeout, raised by the worker's alarm), the
    findings made so far are kept and an `inspector.error` is added.
    """
    started = time.perf_counter()
    findings: list[Finding] = []
    summary = Summary()
    current = "parser"
    try:
        view = parse(raw, envelope, limits)
        summary = Summary.of(view)
        findings.extend(view.problems)
        for inspector in inspectors:
            current = inspector.name
            try:
                findings.extend(inspector.inspect(view))
            except InspectionTimeout:
                raise
            except Exception as exc:
                findings.append(_error(inspector.name, exc))
    except InspectionTimeout:
        findings.append(_error(current, "timeout"))
    except Exception as exc:   # parse() is built not to raise; this is the fail-closed net
        findings.append(_error(current, exc))
    return Inspection(findings=tuple(findings), summary=summary,
                      seconds=time.perf_counter() - started)


def _error(name: str, exc: BaseException | str) -> Finding:
    what = exc if isinstance(exc, str) else type(exc).__name__
    return Finding(code="inspector.error", count=1, where=(f"inspector:{name}",), evidence=(what,))


# --- the worker process side -------------------------------------------------------------
# A pool worker builds its inspectors once, in its initializer; this global lives only in
# the worker processes, never in the guard's own.
_worker_inspectors: list[Inspector] = []
_worker_config: list[InspectorConfig] = []


def _init_worker(config: InspectorConfig) -> None:
    _worker_config[:] = [config]
    _worker_inspectors[:] = build_inspectors(config)
    signal.signal(signal.SIGALRM, _on_alarm)


def _on_alarm(signum, frame):
    raise InspectionTimeout()


def _inspect_in_worker(raw: bytes, envelope: Envelope, budget: float,
                       history: RecipientHistory) -> Inspection:
    config = _worker_config[0]
    # The history snapshot is the message's own; the inspector is built for it.
    inspectors = _worker_inspectors + [FirstTimeRecipients(history, config.internal_domains)]
    signal.setitimer(signal.ITIMER_REAL, budget)
    try:
        return inspect_raw(raw, envelope, inspectors, config.limits)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


class Pipeline:
    def __init__(self, config: InspectorConfig, *, workers: int, timeout: float) -> None:
        self.timeout = timeout
        self._envelope_only = ExternalRecipients(config.internal_domains)
        self._pool = WorkerPool(size=workers, init=_init_worker, config=config,
                                call=_inspect_in_worker)

    async def inspect(self, raw: bytes, envelope: Envelope,
                      history: RecipientHistory | None = None) -> Inspection:
        started = time.perf_counter()
        history = history or RecipientHistory(sender=envelope.mail_from.lower())
        try:
            return await self._pool.run((raw, envelope, self.timeout, history),
                                        self.timeout + HARD_LIMIT_GRACE)
        except WorkerTimeout:
            log.error("event=inspection_stuck seconds=%.1f action=worker_replaced", self.timeout)
            reason = f"timeout after {self.timeout:g}s"
        except WorkerDied:
            log.error("event=inspection_worker_died action=worker_replaced")
            reason = "worker died"
        # Fail closed, but keep the envelope facts: they need no parsing, and without them
        # a rule "external recipient and inspector.error" could not match.
        envelope_facts = self._envelope_only.inspect(MessageView(envelope=envelope, size=len(raw)))
        return Inspection(findings=(*envelope_facts, _error("pipeline", reason)), summary=Summary(),
                          seconds=time.perf_counter() - started)

    async def reconfigure(self, config: InspectorConfig) -> None:
        """New inspectors (a changed directory): a new pool takes over, the old one finishes
        the messages it has and stops."""
        old = self._pool
        self._envelope_only = ExternalRecipients(config.internal_domains)
        self._pool = WorkerPool(size=old.size, init=_init_worker, config=config,
                                call=_inspect_in_worker)
        await self.warm_up()
        await old.drain(self.timeout + HARD_LIMIT_GRACE)

    async def warm_up(self) -> None:
        """Let every worker import and build its inspectors now, not on the first message."""
        probe = (b"Subject: warm-up\r\n\r\n", Envelope(mail_from="", rcpt_tos=()))
        await asyncio.gather(*(self.inspect(*probe) for _ in range(self._pool.size)))

    def close(self) -> None:
        self._pool.close()
