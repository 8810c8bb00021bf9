"""The notices the download pages queue (issue 19), as LinkedNotice drafts: the worker renders
them when it sends (quarantine/drafts.py by role, link_notice.py's templates), so neither the
code nor the sender's hold link is ever at rest.

- download_code: to the link's own recipient (never an address a form names); the worker
  mints the 6-digit code and stores its hash (Shares.set_code).
- first_download: to the sender, once per share, when he asked for it (LinkTerms.notify).
"""

from __future__ import annotations

from .holds import HoldPolicy
from .records import LinkedNotice
from .rendering import when
from .share_records import ShareInfo

CODE_MINUTES = 10  # share_codes.CODE_LIFETIME, as the page and the mail say it


def code_draft(policy: HoldPolicy, share: ShareInfo, address: str, browser: str) -> LinkedNotice:
    """`browser`: the hash of the asking browser's nonce cookie (the worker stores the code
    for it: share_codes.set_code); the nonce itself is only in that browser."""
    return LinkedNotice(
        template="download_code",
        role="download_code",
        actor=address,
        args={
            "notice_from": policy.notice_from,
            "notice_name": policy.notice_name,
            "sender": share.mail_from,
            "subject": share.subject,
            "minutes": CODE_MINUTES,
            "recipient": address,  # the mail's To: (link_notice.download_code)
            "browser": browser,
        },
        base_url=policy.public_url,
        mail_from=policy.notice_from,
        rcpt_tos=(address,),
    )


def first_download_draft(
    policy: HoldPolicy, share: ShareInfo, recipient: str, file_name: str, now: float
) -> LinkedNotice:
    return LinkedNotice(
        template="first_download",
        role="sender",
        actor=share.mail_from,
        args={
            "notice_from": policy.notice_from,
            "notice_name": policy.notice_name,
            "sender": share.mail_from,
            "subject": share.subject,
            "recipient": recipient,
            "file_name": file_name,
            "when_text": when(now, policy.zone),
        },
        base_url=policy.public_url,
        mail_from=policy.notice_from,
        rcpt_tos=(share.mail_from,),
    )
