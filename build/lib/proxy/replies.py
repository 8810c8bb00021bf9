"""What the upstream's replies tell us, for the handler to put in its own replies and logs.

It exists apart from the handler because these are pure readings of text the upstream or the
client wrote, hostile until proven otherwise: the enhanced status code an upstream's refusal
carries (RFC 3463), a text (the upstream's, a rule's reason) made one bounded line, a
Message-ID safe to log, and the From: address that names a null-sender message's author. The handler stays the one place that writes SMTP replies.
"""

from __future__ import annotations

import re
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses

from quarantine.delivery import PermanentFailure, TemporaryFailure


def one_line(text: str) -> str:
    """One line of printable ASCII, at most 300 characters: RFC 5321 §4.2 replies are ASCII
    (and a Shift_JIS refusal read as surrogates cannot even be encoded: it would cost the
    client a 451 instead of the upstream's 550)."""
    line = " ".join(str(text).split())[:300]
    return line.encode("ascii", "replace").decode("ascii")


_STATUS = re.compile(r"\s*([245])\.(\d{1,3})\.(\d{1,3})(?=\s|$)")
_MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(<[!-;=?-~]{1,250}>)", re.IGNORECASE | re.MULTILINE)


def upstream_status(
    exc: TemporaryFailure | PermanentFailure, default_code: int, default_status: str
) -> tuple[int, str, str]:
    """Our reply's code, enhanced status code and text for the upstream's refusal: its own
    code and enhanced code where it gave them (RFC 3463: a 550 5.1.1 stays 5.1.1, so that the
    sending MTA's bounce names the real cause), ours where it gave none. A 421 is not ours
    to give (it would say that we close the session): 451 instead."""
    first = default_code // 100
    code = exc.code if exc.code // 100 == first and exc.code != 421 else default_code
    # A per-recipient refusal carries its own text ("<rcpt>: 550 5.1.1 ..."): the first one of
    # the reply's class gives the enhanced code.
    texts = [m for c, m in exc.refused.values() if c // 100 == first] or [exc.text]
    found = _STATUS.match(texts[0])
    theirs = found if found is not None and int(found.group(1)) == first else None
    status = default_status if theirs is None else theirs.group(0).strip()
    text = one_line(exc.text)
    if not exc.refused and theirs is not None:
        text = one_line(exc.text[theirs.end() :]) or text  # said once, in front
    return code, status, text


def message_id_of(raw: bytes) -> str:
    """The Message-ID of the header section, for tracing duplicates in the logs: printable
    ASCII without spaces in angle brackets, or "-" (it is the client's text: nothing else of
    it may reach a log line)."""
    end = raw.find(b"\r\n\r\n")
    found = _MESSAGE_ID.search(raw, 0, end if end >= 0 else min(len(raw), 100_000))
    return found.group(1).decode("ascii") if found else "-"


def header_sender(raw: bytes) -> str:
    """The one address of the header section's one From: field (RFC 5322 §3.6.2), lowercased;
    "" when there is none, several, or no address in it."""
    end = raw.find(b"\r\n\r\n")
    header = BytesHeaderParser(policy=compat32).parsebytes(raw[: end + 2 if end >= 0 else 100_000])
    fields = header.get_all("From") or []
    found = getaddresses([str(f) for f in fields]) if len(fields) == 1 else []
    addresses = [address for _, address in found if "@" in address]
    return addresses[0].lower() if len(addresses) == 1 else ""
