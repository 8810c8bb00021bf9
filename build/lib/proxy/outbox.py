"""The embedded default upstream: a local Maildir outbox instead of a mail server."""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
import time
from collections.abc import Sequence
from pathlib import Path

from quarantine.delivery import TemporaryFailure
from quarantine.maildir import Maildir


class MaildirOutbox:
    """The embedded default upstream: each message lands in a Maildir, durably.

    The stdlib's mailbox.Maildir does not fsync; this writes tmp/, fsyncs, renames into new/
    and fsyncs the directory, so a delivered message survives a crash (Maildir's own recipe).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._maildir = Maildir(self.path)
        self._counter = itertools.count()
        self._maildir.create()

    async def __call__(
        self, mail_from: str, rcpt_tos: Sequence[str], raw: bytes, *, deadline: float | None = None
    ) -> None:
        try:
            await asyncio.to_thread(self._write, raw)
        except OSError as exc:
            raise TemporaryFailure(451, f"outbox not writable: {exc.strerror}") from None

    def _write(self, raw: bytes) -> None:
        name = f"{time.time_ns()}.P{os.getpid()}Q{next(self._counter)}.{socket.gethostname()}"
        tmp, new = self._maildir.tmp / name, self._maildir.new / name
        with open(tmp, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, new)
        dir_fd = os.open(self._maildir.new, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    async def close(self) -> None:
        pass
