"""What the attachment-link store hands out (quarantine/shares.py): frozen records, no bytes
but a download's, and the shapes it accepts from the MIME and rules packages.

Apart from shares.py so that the pages (recipient's, sender's, console) import the records
without the store's queries, and so that the store depends on neither link_mime.SharedFile
nor rules.model.LinkTerms: any object of the same shape will do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

ACTIVE, REVOKED, PURGED = "active", "revoked", "purged"


class FileLike(Protocol):
    """link_mime.SharedFile's shape: an attachment taken out of the message."""

    @property
    def name(self) -> str: ...
    @property
    def content_type(self) -> str: ...
    @property
    def data(self) -> bytes: ...


class TermsLike(Protocol):
    """rules.model.LinkTerms's shape: how long the links work, how often each file downloads."""

    @property
    def expiry(self) -> float: ...
    @property
    def max_downloads(self) -> int: ...
    @property
    def notify(self) -> bool: ...


@dataclass(frozen=True, kw_only=True)
class FileInfo:
    n: int  # 1.., the attachment's place in the message
    name: str
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True, kw_only=True)
class ShareInfo:
    id: str  # the held message's id
    mail_from: str
    subject: str
    created_at: float
    expires_at: float
    state: str  # active, revoked, purged
    max_downloads: int  # per file and recipient
    notify: bool
    files: tuple[FileInfo, ...]
    first_download_at: float | None
    # When the sender or an admin stopped the links (kept after the purge: a copy not sent by
    # then was dropped on purpose, one whose links merely ran out failed).
    revoked_at: float | None = None

    def live(self, now: float) -> bool:
        """The links work: not revoked, not purged, not past the expiry."""
        return self.state == ACTIVE and now < self.expires_at

    def ran_out(self, now: float) -> bool:
        """The links ended by themselves (expired, purged), not stopped by someone: a copy
        still to go can no longer be made."""
        return self.revoked_at is None and not self.live(now)


@dataclass(frozen=True, kw_only=True)
class RecipientLink:
    """A recipient's link opened: the share, whose link it is, what they downloaded so far."""

    share: ShareInfo
    address: str
    used: Mapping[int, int]  # file n -> downloads by this address

    def left(self, n: int) -> int:
        """Downloads of file n this recipient still has."""
        return max(0, self.share.max_downloads - self.used.get(n, 0))


@dataclass(frozen=True, kw_only=True)
class Download:
    file_n: int
    file_name: str
    address: str
    at: float
    client_addr: str | None


@dataclass(frozen=True, kw_only=True)
class ShareLog:
    """The sender's download log: who may download, and every download, oldest first."""

    share: ShareInfo
    recipients: tuple[str, ...]
    downloads: tuple[Download, ...]
    # Recipients no code works for any more (too many wrong codes: share_codes.MAX_FAILURES)
    # until the sender unlocks them.
    stopped: tuple[str, ...] = ()
