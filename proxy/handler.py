"""aiosmtpd handler hooks: the only place that writes SMTP replies (DESIGN.md step 5).

Every path ends in one of: forwarded and accepted upstream (250), committed to the quarantine
(250), or a 4xx/5xx that leaves the message with the client. An unexpected error is 451.
AUTH's verdicts are the one exception: aiosmtpd asks for them in the middle of its command,
from proxy/auth.py's Authenticator.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiosmtpd.smtp import MISSING

from inspectors.base import Envelope, domain_of, is_source_routed
from quarantine.decisions import DecisionLog, DecisionRecord
from quarantine.deliveries import DeliveryHistory
from quarantine.delivery import (
    NULL_PATH,
    PermanentFailure,
    Send,
    TemporaryFailure,
    UnknownOutcome,
    hide_bcc,
    reverse_path,
)
from quarantine.holds import Quarantine
from quarantine.judgement import Judge, Judgement
from quarantine.link_delivery import MAX_FILES, TooManyFiles
from quarantine.link_mime import LinkMimeError
from quarantine.metrics import Metrics
from rules import Action, MessageFacts

from .replies import header_sender, message_id_of, one_line, upstream_status
from .session import hook_names

log = logging.getLogger("guard.smtp")

INTERNAL_ERROR = "451 4.3.0 Internal error, message not accepted; please try again later"


@dataclass(frozen=True, kw_only=True)
class Policy:
    """The session limits and trust settings the handler enforces."""

    trusted_networks: tuple
    max_recipients: int
    max_header_size: int
    session_timeout: float = 300.0  # aiosmtpd's: our reply to the final dot must come before it


def new_queue_id() -> str:
    return secrets.token_hex(6).upper()


class Handler:
    def __init__(
        self,
        *,
        policy: Policy,
        judge: Judge,
        quarantine: Quarantine,
        decisions: DecisionLog,
        send: Send,
        metrics: Metrics,
        history: DeliveryHistory,
        role_of: Callable[[str], str | None] | None = None,
    ) -> None:
        self.policy = policy
        # The role in force of an enabled account (UserCache.role_of: a dictionary look-up, no
        # database round trip): AUTH is checked once per connection, the account at every MAIL
        # and DATA, so a disabled user's open connection stops sending within the poll.
        self.role_of = role_of
        self.judge = judge
        self.quarantine = quarantine
        self.decisions = decisions
        self.send = send
        self.metrics = metrics
        self.history = history
        self.inflight = 0
        self.idle = asyncio.Event()
        self.idle.set()
        # Asked at every RCPT; clients come from few addresses.
        self._trusted_address = functools.lru_cache(maxsize=1024)(
            functools.partial(_in_networks, policy.trusted_networks)
        )

    __dir__ = hook_names

    # --- AUTH / MAIL / RCPT: cheap checks, never an open relay ----------------------------
    async def handle_AUTH(self, server, session, envelope, args):
        if envelope.mail_from:
            # RFC 4954 §4: not permitted during a mail transaction, so the sender given
            # before AUTH cannot ride on the login given after it.
            return "503 5.5.1 AUTH not permitted during a mail transaction"
        return MISSING

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        refusal = self._revoked(session) or self._sender_refusal(session, address)
        if refusal:
            return refusal
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if not (session.authenticated or self._trusted(session.peer)):
            # RFC 5321 §3.6.2 (relaying): only trusted or authenticated clients may relay.
            return "554 5.7.1 Relay access denied: authenticate first"
        if address == NULL_PATH:
            # RFC 5321 §4.1.1.3: a forward-path names a mailbox; "<>" is only a reverse-path.
            return "501 5.1.3 The null path is not a recipient"
        if is_source_routed(address):
            # RFC 5321 §3.6.1 and Appendix C: the next hop is the receiver's to choose, and
            # many MTAs send `user%x@ours` to x; the inspection would have called it internal.
            return "553 5.1.3 Source-routed or %-hack addresses are not accepted"
        if len(envelope.rcpt_tos) >= self.policy.max_recipients:
            return "452 4.5.3 Too many recipients"  # RFC 5321 §4.5.3.1.10
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    def _revoked(self, session) -> str | None:
        """The reply when the account this connection authenticated as has been disabled (or
        removed) since: the login is dropped, so the client may AUTH again (aiosmtpd refuses
        a second AUTH while authenticated). RFC 4954 §6: 530 5.7.0, authentication required
        for the command; 535 5.7.8 answers the AUTH command itself."""
        if not (session.authenticated and self.role_of):
            return None
        if self.role_of(str(session.auth_data)) is not None:
            return None
        session.authenticated, session.auth_data = False, None
        log.warning("event=auth_revoked")  # no login in the log (a keyed hash is auth.py's)
        return "530 5.7.0 Authentication required: the account is no longer enabled"

    def _sender_refusal(self, session, address: str) -> str | None:
        """Why this client may not use this envelope sender, if it may not. The null sender
        claims no address, so it is no one else's either: any authenticated user may send a
        bounce, receipt or auto-reply (it is inspected like any other mail)."""
        if session.authenticated:
            if address != NULL_PATH and address.lower() != str(session.auth_data).lower():
                return "553 5.7.1 Sender address is not owned by the authenticated user"
        elif not self._trusted(session.peer):
            return "530 5.7.0 Authentication required"  # RFC 4954 §6
        return None

    def _trusted(self, peer) -> bool:
        return self._trusted_address(peer[0] if isinstance(peer, tuple) and peer else peer)

    # --- DATA -----------------------------------------------------------------------------
    async def handle_DATA(self, server, session, envelope):
        revoked = self._revoked(session)
        if revoked:  # disabled between MAIL and the final dot: the message is not taken
            return revoked
        qid = new_queue_id()
        self.inflight += 1
        self.idle.clear()
        try:
            return await self._data(qid, session, envelope, self._deadline(server))
        except asyncio.CancelledError:
            log.warning("qid=%s event=cancelled (session timeout or client gone)", qid)
            raise
        except Exception:
            log.exception("qid=%s event=internal_error", qid)
            return f"{INTERNAL_ERROR} ({qid})"
        finally:
            self.inflight -= 1
            if self.inflight == 0:
                self.idle.set()

    async def handle_exception(self, error):
        # aiosmtpd's own default is a permanent 500 carrying the exception text.
        log.error("event=session_error error=%s", type(error).__name__, exc_info=error)
        return INTERNAL_ERROR

    def _deadline(self, server) -> float:
        """When our reply to the final dot must be out (the event loop's clock). aiosmtpd
        closes the session `session_timeout` after the DATA command, and only its timer knows
        when that was (reading a large message takes a while); a margin lets our reply get
        there first."""
        timer = getattr(server, "_timeout_handle", None)
        now = asyncio.get_running_loop().time()
        ends = timer.when() if isinstance(timer, asyncio.TimerHandle) else now + self.policy.session_timeout
        return ends - max(2.0, min(30.0, self.policy.session_timeout * 0.1))

    async def _data(self, qid: str, session, envelope, deadline: float) -> str:
        raw: bytes = envelope.original_content
        # Asked again at DATA: whatever happened between MAIL and here, the sender sent is
        # the one the login owns (or the client is trusted).
        refusal = self._sender_refusal(session, envelope.mail_from or "") or self._refuse_raw(raw)
        if refusal:
            log.info("qid=%s event=refused reply=%s", qid, refusal[:3])
            return refusal
        mail_from = reverse_path(envelope.mail_from)
        env = Envelope(mail_from=mail_from, rcpt_tos=tuple(envelope.rcpt_tos))
        # Null-sender mail is still someone's: a login's, or (from a trusted MTA, which lets
        # any of its users send `MAIL FROM:<>`) its From: address's. The rules scoped to that
        # sender apply, else `<>` would step around them; a name can only add scoped rules.
        sender = mail_from or (str(session.auth_data) if session.authenticated else header_sender(raw))
        judged = await self.judge(raw, env, sender=sender)
        self.decisions.record(
            DecisionRecord(
                id=qid,
                at=time.time(),
                facts=MessageFacts.of(env, sender=sender),
                findings=judged.findings,
                decision=judged.decision,
            )
        )
        self.metrics.decided(judged.decision, judged.seconds)
        reply = await self._act(qid, env, judged, deadline, sender)
        _log_outcome(qid, env, judged, reply)
        return reply

    async def _act(self, qid: str, env: Envelope, judged: Judgement, deadline: float, sender: str) -> str:
        decision = judged.decision
        if decision.verdict == Action.REJECT:
            reason = next((m.reason.get("en") for m in decision.deciding), "")
            return (
                f"550 5.7.1 Message refused by policy: {one_line(reason or 'see your administrator')} ({qid})"
            )
        if decision.add_bcc and len(env.rcpt_tos) + len(decision.add_bcc) > self.policy.max_recipients:
            # smtp.max_recipients bounds the upstream transaction, the Bcc included. Not a
            # 4xx (the client would send the same envelope again, forever), nor a Bcc left
            # out (padding the envelope would step around it): the sender splits the mail.
            return (
                f"552 5.5.3 Too many recipients with the supervisor Bcc the policy adds "
                f"(at most {self.policy.max_recipients} in all); send to fewer recipients ({qid})"
            )
        if decision.verdict == Action.HOLD:
            # Shielded: aiosmtpd cancels this handler when the session times out; the commit
            # must then still finish (the client, without a 250, retries: a duplicate, not a loss).
            kind = await asyncio.shield(
                self.quarantine.hold(
                    qid=qid,
                    mail_from=env.mail_from,
                    rcpt_tos=env.rcpt_tos,
                    raw=judged.raw,
                    findings=judged.findings,
                    summary=judged.summary,
                    decision=decision,
                    on_behalf_of=sender,
                )
            )
            return f"250 2.0.0 {_HELD_REPLY[kind]} as {qid}"
        if self.quarantine.wants_links(decision, judged.summary, env.rcpt_tos):
            # The attachments go as download links: stored with the message and its deliveries
            # queued, committed before the 250 (shielded as a hold is).
            try:
                linked = await asyncio.shield(self.quarantine.send_linked(qid=qid, env=env, judged=judged))
            except TooManyFiles:
                return (
                    f"550 5.6.0 Too many attachments to send as download links (at most {MAX_FILES}), "
                    f"as the policy requires for recipients outside; send them another way ({qid})"
                )
            except LinkMimeError:
                # Fail closed: the policy sends these attachments only as links, and this
                # message cannot be taken apart to make them. Permanent: a retry is the same.
                return (
                    f"550 5.6.0 The attachments could not be turned into download links, as the "
                    f"policy requires for recipients outside; send them another way ({qid})"
                )
            if linked:
                return f"250 2.0.0 Accepted; attachments sent as download links as {qid}"
            return f"250 2.0.0 OK queued as {qid}"
        return await self._forward(qid, env, judged.raw, deadline, sender, decision.add_bcc)

    def _refuse_raw(self, raw: bytes) -> str | None:
        # A bare LF or CR is how SMTP smuggling hides a second message (RFC 5321 §2.3.8).
        crlf = raw.count(b"\r\n")
        if raw.count(b"\n") != crlf or raw.count(b"\r") != crlf:
            return "550 5.5.2 Message refused: bare LF or CR in DATA (RFC 5321 section 2.3.8)"
        end = raw.find(b"\r\n\r\n")
        if (end if end >= 0 else len(raw)) > self.policy.max_header_size:
            return "552 5.3.4 Message header section too large"
        return None

    async def _forward(
        self, qid: str, env: Envelope, raw: bytes, deadline: float, sender: str, add_bcc: tuple[str, ...]
    ) -> str:
        # A supervisor Bcc (rules add_bcc) joins the envelope only: the bytes are not touched.
        try:
            try:
                await self.send(env.mail_from, env.rcpt_tos + add_bcc, raw, deadline=deadline)
            except (TemporaryFailure, PermanentFailure) as exc:
                # The upstream's per-recipient text names a refused Bcc: the reply, and the
                # bounce the sender reads, say which kind of recipient, not whom.
                raise hide_bcc(exc, add_bcc, "supervisor Bcc") from None
        except UnknownOutcome as exc:
            # RFC 1047: the upstream may have the message; the client, told 451, sends it
            # again. The Message-ID lets the two copies be matched; no upstream text is logged.
            self.metrics.upstream_errors.labels("unknown").inc()
            log.warning(
                "qid=%s event=upstream_reply_lost outcome=unknown message_id=%s", qid, message_id_of(raw)
            )
            return (
                f"451 4.4.2 No reply from the upstream after the message; it may have been "
                f"delivered, try again later: {one_line(exc.text)} ({qid})"
            )
        except TemporaryFailure as exc:
            self.metrics.upstream_errors.labels("temporary").inc()
            code, status, text = upstream_status(exc, 451, "4.4.1")
            return f"{code} {status} Upstream not available, try again later: {text} ({qid})"
        except PermanentFailure as exc:
            self.metrics.upstream_errors.labels("permanent").inc()
            code, status, text = upstream_status(exc, 550, "5.0.0")
            return f"{code} {status} Upstream refused the message: {text} ({qid})"
        self.history.delivered(sender, env.rcpt_tos)
        return f"250 2.0.0 OK queued as {qid}"


_HELD_REPLY = {
    Action.HOLD: "Held for the sender's confirmation",
    Action.DELAY: "Accepted, to be sent after a delay",
    Action.HOLD_FOR_APPROVAL: "Held for approval",
}


def _in_networks(networks: tuple, address) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except (ValueError, TypeError):
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in net for net in networks)


def _log_outcome(qid: str, env: Envelope, judged: Judgement, reply: str) -> None:
    # One line per message. Codes and counts only: no addresses beyond the sender's domain,
    # no content (the upstream's reply text can echo addresses, so only its code is logged).
    codes = ",".join(f"{f.code}:{f.count}" for f in judged.findings) or "-"
    rules = ",".join(f"{m.id}/{m.mode}" for m in judged.decision.matched) or "-"
    log.info(
        "qid=%s from_domain=%s rcpts=%d bcc_added=%d findings=%s rules=%s action=%s reply=%s inspect_ms=%.1f",
        qid,
        domain_of(env.mail_from) or "-",
        len(env.rcpt_tos),
        len(judged.decision.add_bcc),
        codes,
        rules,
        judged.decision.action,
        reply[:3],
        judged.seconds * 1000,
    )
