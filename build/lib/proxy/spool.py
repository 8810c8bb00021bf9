"""The message data as it is read: checked, unstuffed and, past a small buffer, kept on disk.

Held in memory, a 20 MB message cost three copies while it was read (the blocks, their join,
the unstuffed copy), and thirty clients sending at once meant thirty of them. Here each block
is checked and unstuffed as it comes, so the message exists once, and only its first
`threshold` bytes in memory: the rest waits in an unnamed temporary file (0600, unlinked at
creation, so nothing is left behind even after a crash) until the budget (proxy/admission.py)
lets it in.

The replies are aiosmtpd 1.4's, in its order (tests/test_session.py holds the two side by
side): it stops at a line over 1,003 octets as soon as it has read that far; it counts the
size of every line it reads whole, refuses "552 Too much mail data" past data_size_limit,
and then checks the line's length against its limit of 1,001 octets (RFC 5321 §4.5.3.1.6).
"""

from __future__ import annotations

import os
import tempfile
from typing import IO

from aiosmtpd.smtp import SMTP

LINE_MAX = SMTP.line_length_limit - 2  # 1,001 octets less the CRLF (RFC 5321 §4.5.3.1.6)
TOO_LONG = "500 Line too long (see RFC5321 4.5.3.1.6)"
TOO_MUCH = "552 Error: Too much mail data"
THRESHOLD = 1 << 20  # bytes kept in memory before the data goes to disk
_WRITE_BATCH = 1 << 18  # bytes gathered before one write to the file


class DataSpool:
    """Fed the data's blocks as read (dot-stuffed, without the final ".\\r\\n")."""

    def __init__(
        self, limit: int | None, *, threshold: int = THRESHOLD, directory: str | None = None
    ) -> None:
        self.limit = limit or None
        self.threshold = threshold
        self.directory = directory
        self.size = 0  # octets read, as aiosmtpd counts them (stuffed)
        self.stored = 0  # octets kept, unstuffed
        self.refusal: str | None = None
        self.failed: OSError | None = None  # the disk refused (full, gone): nothing kept
        self._scanned = -2  # aiosmtpd's running count of the lines read whole
        self._carry = b""  # the line being read (stuffed), kept short
        self._carry_len = 0
        self._prev = b"\r\n"  # the two octets before the next block: the data starts a line
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._file: IO[bytes] | None = None

    def feed(self, block: bytes) -> None:
        self.size += len(block)
        if self.refusal is not None:
            return
        self._check(block)
        if self.refusal is None and self.limit and self.size > self.limit:
            self.refusal = self._refusal_at_limit(self.limit)
        if self.refusal is not None:
            self.discard()  # read on to the end, keeping nothing
            return
        self._store(block)

    def _store(self, block: bytes) -> None:
        if self.failed is None:
            try:
                self._keep(self._unstuffed(block))
            except OSError as exc:
                # Read on to the end all the same: what follows is the message, and must
                # not be taken for commands (RFC 5321 §4.1.1.4). The client gets a 452.
                self.failed = exc
                self.discard()
        self._prev = (self._prev + block[-2:])[-2:]

    def finish(self) -> str | None:
        """The refusal the data earned, if any, once its end has been read."""
        if self.refusal is None and self._carry_len > LINE_MAX:
            self.refusal = TOO_LONG
        if self.refusal is not None:
            self.discard()
        return self.refusal

    def content(self) -> bytes:
        """The unstuffed message, read back whole (from disk if it went there)."""
        if self._file is None:
            return b"".join(self._pending)
        self._flush(self._file)
        self._file.seek(0)
        return self._file.read()

    def discard(self) -> None:
        self._pending, self._pending_size = [], 0
        if self._file is not None:
            self._file.close()  # unlinked at creation: closing frees the space
            self._file = None

    # --- the checks: aiosmtpd's, line by line as the lines complete ----------------------
    def _check(self, block: bytes) -> None:
        data = self._carry + block
        cut = data.rfind(b"\r\n")
        if cut < 0:
            self._carry, self._carry_len = data[-2:], self._carry_len + len(block)
        else:
            self._scan(data[:cut].split(b"\r\n"), self._carry_len - len(self._carry))
            rest = len(data) - cut - 2
            self._carry, self._carry_len = data[-min(rest, 2) :] if rest else b"", rest
        # A line over 1,003 octets is refused as soon as that much of it has been read; a
        # trailing CR may still be half of its CRLF.
        if self.refusal is None and self._carry_len - self._carry.endswith(b"\r") > LINE_MAX + 2:
            self.refusal = TOO_LONG

    def _scan(self, lines: list[bytes], hidden: int) -> None:
        """`lines` read whole; the first is `hidden` octets longer than shown (its start
        came in earlier blocks, of which only the last octets were kept)."""
        longest = max(len(lines[0]) + hidden, max(map(len, lines)))
        total = sum(map(len, lines)) + hidden + 2 * len(lines)
        if longest <= LINE_MAX and not (self.limit and self._scanned + total > self.limit):
            self._scanned += total
            return
        for index, line in enumerate(lines):  # rare: a long line or the size limit here
            length = len(line) + (hidden if index == 0 else 0)
            if length > LINE_MAX + 2:
                self.refusal = TOO_LONG
                return
            self._scanned += length + 2
            if self.limit and self._scanned > self.limit:
                self.refusal = TOO_MUCH
                return
            if length > LINE_MAX:
                self.refusal = TOO_LONG
                return

    def _refusal_at_limit(self, limit: int) -> str:
        """aiosmtpd's verdict when the data read so far passed the limit: the line being
        read counts as read whole."""
        length = self._carry_len
        if length > LINE_MAX + 2:
            return TOO_LONG
        if self._scanned + length + 2 > limit:
            return TOO_MUCH
        return TOO_LONG if length > LINE_MAX else TOO_MUCH

    # --- unstuffing and keeping ------------------------------------------------------------
    def _unstuffed(self, block: bytes) -> bytes:
        # RFC 5321 §4.5.2: the sender doubled each dot that starts a line; take one away,
        # also where the CRLF before the dot came in the block before.
        if self._prev == b"\r\n" and block.startswith(b"."):
            block = block[1:]
        elif self._prev.endswith(b"\r") and block.startswith(b"\n."):
            block = b"\n" + block[2:]
        return block.replace(b"\r\n.", b"\r\n")

    def _keep(self, data: bytes) -> None:
        if not data:
            return
        self.stored += len(data)
        self._pending.append(data)
        self._pending_size += len(data)
        if self._file is None and self.stored > self.threshold:
            # Kept open across blocks until content() or discard(): no one block's scope holds it.
            self._file = tempfile.TemporaryFile(dir=self.directory, buffering=0)  # noqa: SIM115
        if self._file is not None and self._pending_size >= _WRITE_BATCH:
            self._flush(self._file)

    def _flush(self, file: IO[bytes]) -> None:
        data = b"".join(self._pending)
        self._pending, self._pending_size = [], 0
        view = memoryview(data)
        while view:
            written = os.write(file.fileno(), view)
            view = view[written:]
