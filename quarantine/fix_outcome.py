"""What a sender's fix did, carried across the redirect that follows it (issue 18).

The fix's audit row ("modified") is the one durable record of it, so the page after the
redirect (`?fixed=1`, a flag that names nothing) reads the latest such row back. The row holds
counts, the verdict and masked samples only ("s***@rival.example", "顧***.xlsx"): enough for
the sender to recognise what went, nothing that is personal data at rest in the audit log,
which outlives the message. No cookie, no address or file name in the URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from inspectors.recipients import mask_address

SAMPLES = 10  # masked values kept per list; the counts say how many in all
_UNSAFE = re.compile(r"[\s,=]")
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,8})$")


@dataclass(frozen=True, kw_only=True)
class FixOutcome:
    removed: int
    dropped: int
    to_bcc: bool
    verdict: str  # the re-inspection's: "pass", "hold", "reject"...
    recipients: tuple[str, ...] = ()  # masked
    files: tuple[str, ...] = ()  # masked
    links: bool = False  # the attachments go to recipients outside as download links (issue 19)


def masked_file(name: str) -> str:
    """顧客一覧.xlsx -> 顧***.xlsx: the first letter and what kind of file it is."""
    ext = _EXTENSION.search(name)
    first = name[:1] if name[:1].isalnum() else ""
    return f"{first}***" + (f".{ext.group(1)}" if ext else "")


def write(removed: list[str], dropped: list[str], to_bcc: bool, verdict: str, links: bool = False) -> str:
    """The audit detail of a fix: `removed` addresses and `dropped` file names are masked."""
    people = ",".join(_UNSAFE.sub("_", mask_address(a)) for a in removed[:SAMPLES])
    files = ",".join(_UNSAFE.sub("_", masked_file(n)) for n in dropped[:SAMPLES])
    return (
        f"removed={len(removed)} dropped={len(dropped)} bcc={int(to_bcc)} verdict={verdict}"
        f" who={people} files={files}" + (" links=1" if links else "")
    )


def read(detail: str) -> FixOutcome | None:
    """The outcome a detail written by `write` records; None for anything else."""
    fields = dict(part.split("=", 1) for part in detail.split(" ") if "=" in part)
    try:
        return FixOutcome(
            removed=int(fields["removed"]),
            dropped=int(fields["dropped"]),
            to_bcc=fields["bcc"] == "1",
            verdict=fields["verdict"],
            recipients=tuple(v for v in fields.get("who", "").split(",") if v),
            files=tuple(v for v in fields.get("files", "").split(",") if v),
            links=fields.get("links") == "1",
        )
    except (KeyError, ValueError):
        return None
