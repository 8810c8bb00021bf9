"""MessageView values for the inspectors' tests: texts handed over as a body and attachments,
without building or parsing a message."""

from __future__ import annotations

from inspectors.base import Envelope
from inspectors.message import MessageView, Table, TextChunk

ENV = Envelope(mail_from="yamada@sample.co.jp", rcpt_tos=("sato@client.example",))


def text_view(
    *texts: str, tables: tuple[Table, ...] = (), env: Envelope = ENV, suffix: str = "txt"
) -> MessageView:
    """The first text as the body, each other one as an attachment `<i>.<suffix>`."""
    return MessageView(
        envelope=env,
        size=0,
        tables=tables,
        texts=tuple(
            TextChunk(where="body" if i == 0 else f"attachment:{i}.{suffix}", text=t)
            for i, t in enumerate(texts)
        ),
    )
