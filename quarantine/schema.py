"""Tables, shared by SQLite and PostgreSQL (one schema, one query layer)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# Times are Unix seconds (float): one representation for both databases and for arithmetic.
held = Table(
    "held_messages",
    metadata,
    Column("id", String(32), primary_key=True),  # the queue id
    # held, released, cancelled, rejected, expired, delivery_failed (no CHECK: a new state
    # needs no migration)
    Column("state", String(16), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("mail_from", Text, nullable=False),
    Column("rcpt_tos", Text, nullable=False),  # JSON list
    Column("raw", LargeBinary, nullable=False),
    Column("decision", Text, nullable=False),  # JSON: rules.Decision
    Column("findings", Text, nullable=False),  # JSON list of inspectors.Finding
    Column("summary", Text, nullable=False),  # JSON: inspectors.message.Summary
    # Since v005 the hash of a token that is never issued: links (the sender's too) live in
    # `links`. Kept because SQLite cannot drop a NOT NULL UNIQUE column without a rebuild.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("csrf", String(64), nullable=False),
    Column("acted_at", Float),
    Column("acted_by", Text),
    Column("kind", String(24), nullable=False, default="hold"),  # an action of rules.model.HELD
    Column("note", Text),  # approver's comment or reason
    Column("approvers", Text),  # v005, JSON list: whom approval was asked of
    Column("reminded_at", Float),  # v009: the last reminder queued (reminders.py); NULL: none
    # v016: inspectors.base.mailbox_of(mail_from), the sender's own page's exact match (me_list.py)
    Column("sender_box", Text),
    Index("ix_held_state_expires", "state", "expires_at"),
    # v009: the reminders' due query, answered from the index alone (never the rows, whose
    # message bytes sit before kind and reminded_at).
    Index("ix_held_reminders", "state", "expires_at", "updated_at", "kind", "reminded_at", "id"),
    Index("ix_held_sender", "sender_box", "created_at"),  # v016
)

# v016: whom each approval hold asks, one row an approver, the address as approver_pages.asks
# compares it (stripped, lower-case): "what waits for me" (me_list.py) as an exact, indexed
# match. Written with held_messages.approvers (store.py), deleted with its hold (retention.py).
held_approvers = Table(
    "held_approvers",
    metadata,
    Column("hold_id", String(32), primary_key=True),
    Column("address", Text, primary_key=True),
    Index("ix_held_approvers_address", "address", "hold_id"),
)

outbound = Table(
    "outbound",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # release, notice
    Column("message_id", String(32), ForeignKey("held_messages.id")),
    Column("mail_from", Text, nullable=False),
    Column("rcpt_tos", Text, nullable=False),  # JSON list
    Column("raw", LargeBinary),  # None: the held message, or the draft
    Column("state", String(16), nullable=False),  # pending, sent, failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Float, nullable=False),
    Column("lease_until", Float),
    Column("last_error", Text),
    Column("created_at", Float, nullable=False),
    Column("draft", Text),  # v005: records.LinkedNotice as JSON, rendered when sent
    Index("ix_outbound_due", "state", "next_attempt_at"),
)

audit = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    Column("message_id", String(32)),
    Column("actor", Text, nullable=False),  # sender, system, admin:NAME
    Column("client_addr", Text),
    Column("action", String(32), nullable=False),
    Column("detail", Text),  # codes and counts only, never raw data
    Column("comment", Text),  # v008: the words typed with a decision, one bounded line (trail.py)
    Index("ix_audit_message", "message_id"),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", String(32), primary_key=True),  # the queue id
    Column("at", Float, nullable=False),
    Column("mail_from", Text, nullable=False),
    Column("rcpt_tos", Text, nullable=False),  # JSON list
    Column("action", String(24), nullable=False),
    Column("findings", Text, nullable=False),  # JSON: codes, counts, where, masked evidence
    Index("ix_decisions_at", "at"),
)

decision_rules = Table(
    "decision_rules",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("message_id", String(32), nullable=False),
    Column("rule_id", String(100), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("action", String(24), nullable=False),
    Column("at", Float, nullable=False),
    Index("ix_decision_rules_rule_at", "rule_id", "at"),
    Index("ix_decision_rules_message", "message_id"),
)

links = Table(
    "links",
    metadata,  # the hashes of every link mailed
    Column("token_hash", String(64), primary_key=True),
    Column("message_id", String(32), nullable=False),
    Column("role", String(16), nullable=False),  # sender, approver
    Column("actor", Text, nullable=False),  # the sender's or the approver's address
    Column("created_at", Float, nullable=False),
    Index("ix_links_message", "message_id"),
)

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", Float, nullable=False),
)

store_heartbeat = Table(
    "store_heartbeat",
    metadata,  # v007: one row, the health check's write
    Column("id", Integer, primary_key=True),
    Column("at", Float, nullable=False),
)

# v003 (the admin console): login sessions, login attempts, the client directory, suppressions.
admin_sessions = Table(
    "admin_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),  # SHA-256 of the cookie's session id
    Column("login", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("last_seen", Float, nullable=False),
    Column("client_addr", Text),
    Column("source", String(16), nullable=False, default="password"),  # v015: 'password' or 'sso'
    Index("ix_admin_sessions_last_seen", "last_seen"),
)

# v015, OpenID Connect sign-on (quarantine/sso/logins.py): a login between the redirect to the
# provider and its answer, at most ten minutes, used once.
sso_logins = Table(
    "sso_logins",
    metadata,
    Column("state_hash", String(64), primary_key=True),
    Column("browser_hash", String(64), nullable=False),
    Column("nonce_hash", String(64), nullable=False),
    Column("client", String(64), nullable=False),
    Column("next", Text, nullable=False),
    Column("expires_at", Float, nullable=False),
    Index("ix_sso_logins_client", "client"),
)

login_attempts = Table(
    "admin_login_attempts",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("login", String(254), nullable=False),  # lower-cased, as typed
    Column("at", Float, nullable=False),
    Column("outcome", String(16), nullable=False),  # failure, success, lockout
    Column("client_addr", Text),
    Index("ix_admin_login_attempts_login_at", "login", "at"),
    Index("ix_admin_login_attempts_addr_at", "client_addr", "at"),  # v006
)

clients = Table(
    "clients",
    metadata,  # the client directory (取引先台帳)
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("name", String(300), nullable=False, unique=True),
    Column("aliases", Text, nullable=False),  # JSON list
    Column("domains", Text, nullable=False),  # JSON list
    Column("updated_at", Float, nullable=False),
)

suppressions = Table(
    "suppressions",
    metadata,  # do-not-contact: an address or @domain
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("entry", String(320), nullable=False, unique=True),
    Column("note", Text, nullable=False, default=""),
    Column("updated_at", Float, nullable=False),
)

recipient_history = Table(
    "recipient_history",
    metadata,  # updated when mail is delivered
    Column("sender", Text, primary_key=True),
    Column("address", Text, primary_key=True),
    Column("domain", String(255), nullable=False),
    Column("first_at", Float, nullable=False),
    Column("last_at", Float, nullable=False),
    Column("deliveries", Integer, nullable=False),
    Index("ix_history_domain", "domain"),
    Index("ix_history_address", "address"),
    Index("ix_history_last_at", "last_at"),  # v013: the other guards' deliveries, every 2 s
)

# v010, attachment links (quarantine/shares.py): a held message's attachments, stored apart from
# it so that each external recipient gets a link instead. No foreign keys: the retention purge
# deletes a held row with its share rows in one transaction, in any order.
shares = Table(
    "shares",
    metadata,
    Column("id", String(32), primary_key=True),  # the held message's id
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("mail_from", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("max_downloads", Integer, nullable=False),  # per file and recipient
    Column("notify", Integer, nullable=False),  # 0/1: tell the sender of the first download
    Column("state", String(16), nullable=False),  # active, revoked, purged
    Column("revoked_at", Float),
    Column("first_download_at", Float),
    Column("template", LargeBinary),  # the message without its attachments; NULL once purged
    Index("ix_shares_state_expires", "state", "expires_at"),
    Index("ix_shares_created", "created_at"),
)

share_files = Table(
    "share_files",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("share_id", String(32), nullable=False),
    Column("n", Integer, nullable=False),  # 1.., the order of the attachments
    Column("name", Text, nullable=False),
    Column("content_type", Text, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("data", LargeBinary),  # NULL once purged
    Index("ix_share_files_share", "share_id"),
)

share_recipients = Table(
    "share_recipients",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("share_id", String(32), nullable=False),
    Column("address", String(320), nullable=False),  # lower-cased
    # Wrong codes entered over the share's life (share_codes.MAX_FAILURES: then no code works
    # until the sender unlocks the recipient).
    Column("code_failures", Integer, nullable=False, default=0),
    # JSON [[time, hash of the client address], ...]: the code requests of the last hour.
    Column("code_requests", Text, nullable=False, default="[]"),
    Column("session_hash", String(64)),
    Column("session_expires_at", Float),
    UniqueConstraint("share_id", "address", name="uq_share_recipients"),
)

share_codes = Table(
    "share_codes",
    metadata,  # the codes mailed: one per recipient and browser (the nonce cookie that asked)
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("share_id", String(32), nullable=False),
    Column("address", String(320), nullable=False),
    Column("browser", String(64), nullable=False),  # SHA-256 of the browser's nonce cookie
    Column("code_hash", String(160)),  # "salt$hmac"; NULL until the worker mails the code
    Column("expires_at", Float),
    Column("attempts", Integer, nullable=False, default=0),  # wrong entries of this code
    Column("requested_at", Float, nullable=False),
    UniqueConstraint("share_id", "address", "browser", name="uq_share_codes"),
)

share_links = Table(
    "share_links",
    metadata,  # the hashes of every download link mailed
    Column("token_hash", String(64), primary_key=True),
    Column("share_id", String(32), nullable=False),
    Column("address", String(320), nullable=False),
    Column("created_at", Float, nullable=False),
    Index("ix_share_links_share", "share_id"),
)

share_downloads = Table(
    "share_downloads",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("share_id", String(32), nullable=False),
    Column("file_id", BigInteger, nullable=False),
    Column("address", String(320), nullable=False),
    Column("at", Float, nullable=False),
    Column("client_addr", Text),
    Index("ix_share_downloads_share", "share_id"),
)

# v011, the console's rules layer (quarantine/rule_versions.py): one row per save, the newest in
# force; `parent` unique, so two saves built from one version cannot both be taken.
rule_versions = Table(
    "rule_versions",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("parent", BigInteger, nullable=False, unique=True),
    Column("text", Text, nullable=False),
    Column("author", String(200), nullable=False),
    Column("at", Float, nullable=False),
    Column("summary", String(300), nullable=False),
    Column("reverted_from", BigInteger),
)

# v012, users and roles (quarantine/user_store.py): SMTP AUTH and the console's login read them;
# every instance polls user_revision (one row, bumped with every change) and reloads on a change.
users = Table(
    "users",
    metadata,
    Column("login", String(254), primary_key=True),  # lower-case: the address it may send as
    Column("password_hash", Text, nullable=False),  # quarantine/passwords.py's scrypt format
    Column("role", String(16), nullable=False),  # sender, admin
    Column("disabled", Integer, nullable=False, default=0),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)

user_revision = Table(
    "user_revision",
    metadata,
    Column("id", Integer, primary_key=True),  # the one row, id 1
    Column("revision", BigInteger, nullable=False),
)

user_imports = Table(
    "user_imports",
    metadata,  # users files imported (smtp.users_file): each content once
    Column("sha256", String(64), primary_key=True),
    Column("imported_at", Float, nullable=False),
    Column("added", Integer, nullable=False),
    Column("kept", Integer, nullable=False),  # logins already in the database: theirs won
)

# v014, the company's directory (quarantine/org_store.py, issue 21): the last good copy of the
# people, their managers and the directory's groups, written by the sync (once per cluster) and
# read by every instance when org_sync.revision moves. Addresses lower-case.
org_people = Table(
    "org_people",
    metadata,
    Column("mail", String(254), primary_key=True),
    Column("name", Text, nullable=False),
    Column("department", Text, nullable=False),
    Column("manager", String(254)),  # the manager's mail; NULL: none named
    Column("departed_at", Float),  # gone from the directory since; purged after keep_departed
    Column("updated_at", Float, nullable=False),
)

org_groups = Table(
    "org_groups",
    metadata,
    Column("name", String(254), primary_key=True),
    Column("updated_at", Float, nullable=False),
)

org_members = Table(
    "org_members",
    metadata,
    Column("group_name", String(254), ForeignKey("org_groups.name"), primary_key=True),
    Column("mail", String(254), primary_key=True),
)

org_sync = Table(
    "org_sync",
    metadata,
    Column("id", Integer, primary_key=True),  # the one row, id 1
    Column("revision", BigInteger, nullable=False),  # bumped by every sync that changed the copy
    Column("last_ok_at", Float),
    Column("last_attempt_at", Float),
    Column("last_error", String(32)),  # a DirectoryError code; NULL: the last attempt worked
    Column("people", Integer, nullable=False, default=0),  # active people in the copy
    Column("groups", Integer, nullable=False, default=0),
)
