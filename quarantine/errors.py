"""The held-mail layer's exceptions, drawn as a tree (DESIGN.md: one small hierarchy per package):

    QuarantineError
    ├── DeliveryError              delivery.py: the upstream did not take the message
    │   ├── TemporaryFailure       down, busy or 4xx: try again later
    │   │   └── UnknownOutcome     sent whole and no reply came: it may have been delivered
    │   └── PermanentFailure       5xx: retrying cannot help
    ├── FixError                   rebuild.py (also a ValueError): a sender's fix that cannot be applied
    ├── LinkMimeError              link_mime.py (also a ValueError): a message whose attachments
    │   │                          cannot be taken apart into download links
    │   └── TooManyFiles           link_delivery.py: more attachments than one share takes
    ├── Unsendable                 drafts.py: a queued draft that can no longer be sent (its hold
    │                              or its links are gone)
    ├── DirectoryError             directory_text.py (also a ValueError): an import file that
    │                              cannot be read; the message starts with "file:line:"
    ├── DirectoryConflict          directory_store.py (also a ValueError): a directory entry that
    │                              clashes with another
    ├── UserConflict               user_store.py (also a ValueError): a login that is already an
    │                              account
    ├── NotAnAdmin                 user_store.py (also a ValueError): a user change asked by an
    │                              admin who is no longer an enabled admin in the database
    ├── DraftError                 admin/rule_draft.py (also a ValueError): a rule draft that would
    │                              not load; names the console layer or file, rule and field
    ├── VersionConflict            rule_versions.py (also a ValueError): a rules save built on a
    │                              version that is no longer the newest ("changed meanwhile")
    ├── ImportProblem              admin/directory_csv.py (also a ValueError): an upload that
    │                              cannot be imported; says which line and why
    └── SsoError                   sso/errors.py: a sign-on that failed; carries a code for the
                                   log and the page, never a token or a claim's value

The ValueError bases are kept so that no caller's `except ValueError` changes meaning.
"""

from __future__ import annotations


class QuarantineError(Exception):
    """The root of the quarantine package's errors."""
