"""The names of the files the links really take out of a message (issue 19).

decide() stops counting a finding located in attachments only for these names
(rules/decide.py `linked`): the files quarantine/link_mime.split took from the actual bytes.
The inspectors label findings by file name ("attachment:NAME", "attachment:NAME!Sheet1"),
so a name is given only when no attachment the split left in the message answers to it: two
files of one name, one taken and one kept (a picture the HTML shows), or a kept "a!b.zip"
beside a taken "a", would otherwise let the kept file's findings go uncounted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from inspectors.limits import Limits

from .link_mime import LinkMimeError, SharedFile, split

Attachment = tuple[str, str, int, str]  # Summary.attachments: name, type, size, MIME part


def linked_names(files: Sequence[SharedFile], attachments: Iterable[Attachment]) -> frozenset[str]:
    """`files`: what split took; `attachments`: what the inspectors listed (their parts)."""
    taken = {f.part for f in files}
    kept = [a[0] for a in attachments if a[3] not in taken]
    return frozenset(
        f.name for f in files if not any(k == f.name or k.startswith(f.name + "!") for k in kept)
    )


def names_taken(raw: bytes, attachments: Iterable[Attachment], limits: Limits = Limits()) -> frozenset[str]:
    """linked_names of the split of `raw` (CPU work: the caller runs it off the event loop);
    none when the message cannot be split (its delivery fails closed then)."""
    try:
        _, files = split(raw, limits)
    except LinkMimeError:
        return frozenset()
    return linked_names(files, attachments)
