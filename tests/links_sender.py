"""A message released with its attachments sent as links, as the store keeps it (for the
sender's page, its browser test and the console): the held row with the sender's link
tok-<qid> (CSRF "c"), released, its share of two files for two recipients, and downloads."""

from __future__ import annotations

import time
from dataclasses import dataclass

from quarantine import shares
from quarantine.store import Store

from .holds import held

P, Q = "p@client.example", "q@other.example"
DAY = 86400.0
ZIP = b"PK\x03\x04" + bytes(range(256)) * 40
PDF = b"%PDF-1.7\n" + b"\x00\xff" * 3000


@dataclass(frozen=True, kw_only=True)
class File:  # link_mime.SharedFile's shape
    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True, kw_only=True)
class Terms:  # rules.model.LinkTerms's shape
    expiry: float = 7 * DAY
    max_downloads: int = 3
    notify: bool = True


FILES = (
    File(name="見積書.zip", content_type="application/zip", data=ZIP),
    File(name="仕様書.pdf", content_type="application/pdf", data=PDF),
)


async def shared(
    store: Store,
    qid: str = "Q1",
    *,
    now: float | None = None,
    terms: Terms = Terms(),
    recipients: tuple[str, ...] = (P, Q),
    subject: str = "御見積の件",
) -> float:
    """The held message `qid` (sender's link tok-<qid>), released by its sender, and its
    share made as enqueue_release makes it; the time it was made."""
    now = time.time() if now is None else now
    await store.hold(held(qid), csrf="c", expires_at=now + DAY, token=f"tok-{qid}")
    await store.decide_hold(qid, "released", actor="sender", client_addr=None, now=now)
    async with store.writing() as conn:
        await shares.create(
            conn,
            message_id=qid,
            mail_from="taro@example.co.jp",
            subject=subject,
            template=b"Subject: x\r\n\r\nbody\r\n",
            files=FILES,
            recipients=recipients,
            terms=terms,
            now=now,
        )
    return now


async def downloads(store: Store, qid: str, *rows: tuple[str, int, str, float]) -> None:
    """Downloads (address, file n, client address, time) as the recipient's page counts them."""
    for address, n, client, at in rows:
        outcome, *_ = await store.shares.download(qid, address, n, client, at)
        assert outcome == "ok", outcome
