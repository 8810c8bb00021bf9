"""Configuration: one YAML file, validated once into a frozen Settings (DESIGN.md).

Unknown keys are errors naming the file and the key; `MDG_<SECTION>_<KEY>` environment
variables override the file (for containers). Relative paths are relative to the file, or
to the working directory when the guard runs on the embedded defaults.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from inspectors import account_holders
from inspectors.base import mailbox_of
from inspectors.clients import Client
from inspectors.limits import REMOVED as REMOVED_LIMITS
from inspectors.limits import Limits
from quarantine.notice import NOTICE_NAME
from quarantine.retention_policy import RetentionPolicy
from rules.approvers import NO_DIRECTORY, OrgView, entry_error, group_key, resolve_approvers
from rules.decide import address_matches
from rules.loader import refuse_aliases
from rules.model import Organization

from .auth_throttle import AuthLimits
from .config_values import (
    MIN_INFLIGHT_BYTES,
    config_file,
    config_text,
    display_name,
    duration_or_off,
    memory_size,
    networks,
    optional_file,
    positive_int,
    text_list,
    time_zone,
)
from .directory_settings import DirectorySettings, directory_settings
from .endpoints import Endpoint, Upstream, parse_duration, parse_listen, parse_upstream, resolve
from .errors import ConfigError
from .health import instance_id
from .sso_settings import SSO_DEFAULTS, SsoSettings, sso_settings


@dataclass(frozen=True, kw_only=True)
class Group:
    """Senders that rules can scope to, and who approves their held mail (上長承認)."""

    name: str
    members: tuple[str, ...]  # addresses or "@domain"
    approvers: tuple[str, ...] = ()  # the first approves; the others are deputies


@dataclass(frozen=True, kw_only=True)
class Settings:
    source: str  # the file, or "embedded defaults"
    internal_domains: tuple[str, ...]
    clients: tuple[Client, ...]
    suppressed_recipients: tuple[str, ...]
    groups: tuple[Group, ...]
    own_names: tuple[str, ...]  # our own company's names: never a "mismatch"
    freemail_domains: tuple[str, ...]  # added to the shipped free-mail list
    smtp_listen: Endpoint
    trusted_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    hostname: str
    max_message_size: int
    max_recipients: int
    max_header_size: int
    session_timeout: float
    shutdown_grace: float
    max_sessions: int  # SMTP sessions in all (421 beyond)
    max_sessions_per_client: int  # SMTP sessions from one address (421 beyond)
    max_inflight_bytes: int  # message bytes inspected/forwarded at once
    spool_directory: Path | None  # large DATA waits here; None: system temp
    tls_cert: Path | None
    tls_key: Path | None
    users_file: Path
    auth_limits: AuthLimits
    web_listen: Endpoint
    public_url: str
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]  # may set X-Forwarded-For
    timezone: ZoneInfo | None  # the pages' and notices' times; None: the machine's zone
    upstream: Upstream
    ca_file: Path | None
    delivery_timeout: float
    retry_schedule: tuple[float, ...]
    max_attempts: int
    storage: str  # SQLAlchemy async URL
    rules: tuple[Path, ...]
    inspection_timeout: float
    inspection_workers: int
    inspection_worker_memory: int  # bytes of address space per worker
    limits: Limits
    hold_expiry: float
    notice_from: str
    notice_name: str  # the notices' From: display name
    retention: RetentionPolicy
    page_grace: float  # a finished hold's page shows details this long
    remind_after: float = 4 * 3600.0  # a hold nobody acted on is recalled after this; 0: never
    remind_every: float = 86400.0  # then again this often until it expires; 0: only once
    instance_id: str = "guard"  # instance.id: this guard among several (/healthz, /metrics)
    ldap: DirectorySettings | None = None  # directory: the company's people (issue 21); None: none
    sso: SsoSettings | None = None  # sso: OpenID Connect sign-on (proxy/sso_settings.py); None: off


MIN_REMIND_EVERY = 600.0  # quarantine.remind_every: seconds at least, unless off

# section -> key -> default; None means "no default" (computed or optional).
SCHEMA: dict[str, Any] = {
    "organization": {
        "internal_domains": [],
        "clients": [],
        "suppressed_recipients": [],
        "groups": {},
        "names": [],
        "freemail_domains": [],
    },
    "smtp": {
        "listen": "127.0.0.1:2525",
        "trusted_networks": ["127.0.0.0/8", "::1"],
        "hostname": "misdelivery-guard",
        "max_message_size": 25 * 1024 * 1024,
        "max_recipients": 1000,
        "max_header_size": 102400,
        "session_timeout": "300s",
        "shutdown_grace": "30s",
        "tls_cert": None,
        "tls_key": None,
        "users_file": "var/users",
        "auth_max_failures_per_connection": 3,
        "auth_max_failures": 10,
        "auth_block": "15m",
        "max_sessions": 100,
        "max_sessions_per_client": 50,
        "max_inflight_bytes": "64MiB",
        "spool_directory": None,
    },
    "web": {"listen": "127.0.0.1:8025", "public_url": None, "trusted_proxies": [], "timezone": None},
    "upstream": "maildir:var/outbox",
    "delivery": {
        "ca_file": None,
        "timeout": "60s",
        "retry": ["30s", "2m", "10m", "30m", "1h", "1h", "4h"],
        "max_attempts": 20,
    },
    "storage": "sqlite:///var/guard.db",
    "instance": {"id": None},  # None: the host name (proxy/health.py)
    "rules": [],
    "directory": None,  # a section of its own keys: proxy/directory_settings.py
    "inspection": {"timeout": "30s", "workers": 2, "worker_memory": "2GiB", "limits": {}},
    "quarantine": {
        "hold_expiry": "3d",
        "notice_from": None,
        "notice_name": NOTICE_NAME,
        "page_grace": "1d",
        "remind_after": "4h",
        "remind_every": "1d",
        "retention": {},
    },
    "sso": SSO_DEFAULTS,
}


def load_settings(path: str | Path | None, environ: Mapping[str, str] = os.environ) -> Settings:
    if path is None and Path("guard.yaml").is_file():
        path = "guard.yaml"
    raw: dict[str, Any]
    if path is None:
        raw, source, base = {}, "embedded defaults", Path.cwd()
    else:
        path = Path(path)
        source, base = str(path), path.resolve().parent
        try:
            text = path.read_text("utf-8")
            refuse_aliases(text)
            raw = yaml.safe_load(text) or {}
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from None
        if not isinstance(raw, dict):
            raise ConfigError(f"{path}: the top level must be a mapping")
    merged = _merge(raw, source)
    _apply_environment(merged, environ)
    try:
        built = _build(merged, source, base)
        sso = sso_settings(merged["sso"], environ, base, built.internal_domains)
        if sso is not None and not sso.allowed_domains:
            raise ConfigError("sso.allowed_domains: required when organization.internal_domains is empty")
        return replace(built, ldap=directory_settings(merged["directory"], base, environ), sso=sso)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None


def _merge(raw: dict, source: str) -> dict:
    merged: dict[str, Any] = {}
    for key, default in SCHEMA.items():
        value = raw.get(key)
        if isinstance(default, dict):
            if value is not None and not isinstance(value, dict):
                raise ConfigError(f"{source}: {key}: must be a mapping")
            value = value or {}
            unknown = set(value) - set(default)
            if unknown:
                raise ConfigError(f"{source}: unknown key {key}.{sorted(unknown)[0]}")
            merged[key] = {k: value.get(k, d) for k, d in default.items()}
        else:
            merged[key] = default if value is None else value
    unknown = set(raw) - set(SCHEMA)
    if unknown:
        raise ConfigError(f"{source}: unknown key {sorted(unknown)[0]}")
    return merged


def _apply_environment(merged: dict, environ: Mapping[str, str]) -> None:
    names: dict[str, tuple[str, str | None]] = {}
    for section, default in SCHEMA.items():
        if isinstance(default, dict):
            for key in default:
                names[f"MDG_{section}_{key}".upper()] = (section, key)
        else:
            names[f"MDG_{section}".upper()] = (section, None)
    secrets = _secret_names(merged)
    for name, text in environ.items():
        if not name.startswith("MDG_") or name in secrets:
            continue
        if name not in names:
            raise ConfigError(f"environment: unknown variable {name}")
        section, key = names[name]
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError:
            value = text
        if key is None:
            merged[section] = value
        else:
            merged[section][key] = value


def _secret_names(merged: dict) -> set[str]:
    """The variables a `*_env` key names (directory.bind_password_env: MDG_DIRECTORY_PASSWORD):
    secrets the configuration reads, not overrides of a key."""
    return {
        value
        for section in merged.values()
        if isinstance(section, dict)
        for key, value in section.items()
        if key.endswith("_env") and isinstance(value, str)
    }


def _build(m: dict, source: str, base: Path) -> Settings:
    org, smtp, web, insp, quar = (m["organization"], m["smtp"], m["web"], m["inspection"], m["quarantine"])
    web_listen = parse_listen(web["listen"], "web.listen")
    public_url = config_text(
        web["public_url"] or f"http://{web_listen.url_host}:{web_listen.port}", "web.public_url"
    ).rstrip("/")
    hostname = config_text(smtp["hostname"], "smtp.hostname")
    tls_cert, tls_key = (
        optional_file(smtp["tls_cert"], base, "smtp.tls_cert"),
        optional_file(smtp["tls_key"], base, "smtp.tls_key"),
    )
    if bool(tls_cert) != bool(tls_key):
        raise ConfigError("smtp.tls_cert and smtp.tls_key: give both or neither")
    settings = Settings(
        source=source,
        internal_domains=tuple(
            d.lower().strip(".") for d in text_list(org["internal_domains"], "organization.internal_domains")
        ),
        clients=_clients(org["clients"]),
        suppressed_recipients=tuple(
            s.lower() for s in text_list(org["suppressed_recipients"], "organization.suppressed_recipients")
        ),
        groups=_groups(org["groups"], _has_directory(m.get("directory"))),
        own_names=_own_names(org["names"]),
        freemail_domains=tuple(
            d.lower() for d in text_list(org["freemail_domains"], "organization.freemail_domains")
        ),
        smtp_listen=parse_listen(smtp["listen"], "smtp.listen"),
        trusted_networks=networks(smtp["trusted_networks"], "smtp.trusted_networks"),
        hostname=hostname,
        max_message_size=positive_int(smtp["max_message_size"], "smtp.max_message_size"),
        max_recipients=positive_int(smtp["max_recipients"], "smtp.max_recipients"),
        max_header_size=positive_int(smtp["max_header_size"], "smtp.max_header_size"),
        session_timeout=parse_duration(smtp["session_timeout"], "smtp.session_timeout"),
        shutdown_grace=parse_duration(smtp["shutdown_grace"], "smtp.shutdown_grace"),
        max_sessions=positive_int(smtp["max_sessions"], "smtp.max_sessions"),
        max_sessions_per_client=positive_int(smtp["max_sessions_per_client"], "smtp.max_sessions_per_client"),
        max_inflight_bytes=memory_size(
            smtp["max_inflight_bytes"], "smtp.max_inflight_bytes", minimum=MIN_INFLIGHT_BYTES
        ),
        spool_directory=optional_file(smtp["spool_directory"], base, "smtp.spool_directory"),
        tls_cert=tls_cert,
        tls_key=tls_key,
        users_file=config_file(smtp["users_file"], base, "smtp.users_file"),
        auth_limits=AuthLimits(
            per_connection=positive_int(
                smtp["auth_max_failures_per_connection"], "smtp.auth_max_failures_per_connection"
            ),
            max_failures=positive_int(smtp["auth_max_failures"], "smtp.auth_max_failures"),
            block=parse_duration(smtp["auth_block"], "smtp.auth_block"),
        ),
        web_listen=web_listen,
        public_url=public_url,
        trusted_proxies=networks(web["trusted_proxies"], "web.trusted_proxies"),
        timezone=time_zone(web["timezone"], "web.timezone"),
        upstream=parse_upstream(m["upstream"], base),
        ca_file=optional_file(m["delivery"]["ca_file"], base, "delivery.ca_file"),
        delivery_timeout=parse_duration(m["delivery"]["timeout"], "delivery.timeout"),
        retry_schedule=tuple(
            parse_duration(v, "delivery.retry") for v in text_list(m["delivery"]["retry"], "delivery.retry")
        ),
        max_attempts=positive_int(m["delivery"]["max_attempts"], "delivery.max_attempts"),
        storage=_storage_url(m["storage"], base),
        rules=tuple(config_file(p, base, "rules") for p in text_list(m["rules"], "rules")),
        inspection_timeout=parse_duration(insp["timeout"], "inspection.timeout"),
        inspection_workers=positive_int(insp["workers"], "inspection.workers"),
        inspection_worker_memory=memory_size(insp["worker_memory"], "inspection.worker_memory"),
        limits=_limits(insp["limits"]),
        hold_expiry=parse_duration(quar["hold_expiry"], "quarantine.hold_expiry"),
        notice_from=config_text(
            quar["notice_from"] or _default_notice_from(org, hostname), "quarantine.notice_from"
        ),
        notice_name=display_name(quar["notice_name"], "quarantine.notice_name"),
        retention=_retention(quar["retention"]),
        page_grace=parse_duration(quar["page_grace"], "quarantine.page_grace"),
        remind_after=duration_or_off(quar["remind_after"], "quarantine.remind_after"),
        remind_every=duration_or_off(quar["remind_every"], "quarantine.remind_every"),
        instance_id=instance_id(m["instance"]["id"], "instance.id"),
    )
    if 0 < settings.remind_every < MIN_REMIND_EVERY:  # each one a mail to every approver
        raise ConfigError(
            f"quarantine.remind_every: {settings.remind_every:g}s is too often; "
            f"at least {MIN_REMIND_EVERY:g}s (10m), or off"
        )
    # aiosmtpd cancels the DATA handler when the session times out: the whole answer
    # (inspection, then forwarding) must fit well inside it.
    if settings.session_timeout < 2 * (settings.inspection_timeout + settings.delivery_timeout):
        raise ConfigError(
            f"smtp.session_timeout: {settings.session_timeout:g}s must be at least twice "
            f"inspection.timeout + delivery.timeout "
            f"({settings.inspection_timeout + settings.delivery_timeout:g}s)"
        )
    return settings


def _default_notice_from(org: dict, hostname: str) -> str:
    """Notices need a sender the upstream accepts: our own domain when we know it."""
    domains = org.get("internal_domains") or []
    return (
        f"misdelivery-guard@{domains[0]}"
        if domains and isinstance(domains[0], str)
        else f"postmaster@{hostname}"
    )


def _own_names(value: Any) -> tuple[str, ...]:
    """organization.names: every spelling of our own name, an English one included (it cannot
    be derived from the Japanese), each a name and not only a legal form ("Co., Ltd.")."""
    names = tuple(text_list(value, "organization.names"))
    for i, name in enumerate(names):
        if len(account_holders.key(name)) < 2:
            raise ConfigError(
                f"organization.names[{i}]: must name the company, not only its form; got {name!r}"
            )
    return names


def _clients(value: Any) -> tuple[Client, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"organization.clients: must be a list; got {value!r}")
    out = []
    for i, item in enumerate(value):
        key = f"organization.clients[{i}]"
        if not isinstance(item, dict) or set(item) - {"name", "aliases", "domains"}:
            raise ConfigError(f"{key}: must be a mapping of name, aliases, domains; got {item!r}")
        out.append(
            Client(
                name=config_text(item.get("name"), f"{key}.name"),
                aliases=tuple(text_list(item.get("aliases", []), f"{key}.aliases")),
                domains=tuple(d.lower() for d in text_list(item.get("domains", []), f"{key}.domains")),
            )
        )
    return tuple(out)


def _limits(value: Any) -> Limits:
    """inspection.limits: any field of inspectors.limits.Limits, e.g. max_archive_members."""
    if not isinstance(value, dict):
        raise ConfigError(f"inspection.limits: must be a mapping; got {value!r}")
    known = {f.name: f.type for f in fields(Limits)}
    value = dict(value)
    for key in REMOVED_LIMITS.keys() & value.keys():
        # An older configuration keeps starting: a guard that refused to start would leave
        # mail unrelayed over a key that can only have made it read less.
        logging.getLogger("guard.settings").warning(
            "event=config_key_removed key=inspection.limits.%s action=ignored reason=%r",
            key,
            REMOVED_LIMITS[key],
        )
        del value[key]
    for key, item in value.items():
        if key not in known:
            raise ConfigError(f"unknown key inspection.limits.{key} (known: {', '.join(known)})")
        if isinstance(item, bool) or not isinstance(item, (int, float)) or item <= 0:
            raise ConfigError(f"inspection.limits.{key}: must be a number above 0; got {item!r}")
    return replace(Limits(), **value)


def _retention(value: Any) -> RetentionPolicy:
    """quarantine.retention: how long personal data at rest is kept (README, "Retention")."""
    if not isinstance(value, dict):
        raise ConfigError(f"quarantine.retention: must be a mapping; got {value!r}")
    known = [f.name for f in fields(RetentionPolicy)]
    for key in value:
        if key not in known:
            raise ConfigError(f"unknown key quarantine.retention.{key} (known: {', '.join(known)})")
    return RetentionPolicy(
        **{key: parse_duration(item, f"quarantine.retention.{key}") for key, item in value.items()}
    )


def _has_directory(value: Any) -> bool:
    """Whether the `directory:` section names a server (proxy/directory_settings.py checks it)."""
    return isinstance(value, dict) and value.get("url") is not None


def _groups(value: Any, directory: bool = False) -> tuple[Group, ...]:
    """organization.groups. `directory`: a directory: section is configured, so approvers may
    be `manager` / `manager_of_manager` (rules/approvers.py), and a group without members
    takes those of the directory's group of its name."""
    if not isinstance(value, dict):
        raise ConfigError(f"organization.groups: must be a mapping of group names; got {value!r}")
    out = []
    for name, body in value.items():
        key = f"organization.groups.{name}"
        if not isinstance(body, dict) or set(body) - {"members", "approvers"}:
            raise ConfigError(f"{key}: must be a mapping of members and approvers; got {body!r}")
        members = text_list(body.get("members", []), f"{key}.members")
        approvers = text_list(body.get("approvers", []), f"{key}.approvers")
        for entry in members:
            if "@" not in entry:
                raise ConfigError(f"{key}.members: {entry!r} is not an address or @domain")
        for entry in approvers:
            error = entry_error(entry, directory)
            if error:
                raise ConfigError(f"{key}.approvers: {error}")
        out.append(
            Group(
                name=str(name),
                members=tuple(m.lower() for m in members),
                approvers=tuple(dict.fromkeys(a.lower() for a in approvers)),
            )
        )
    return tuple(out)


def _storage_url(value: Any, base: Path) -> str:
    url = config_text(value, "storage")
    if url.startswith("sqlite:///"):
        return f"sqlite+aiosqlite:///{resolve(Path(url[len('sqlite:///') :]), base)}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        return url
    raise ConfigError(f"storage: must be sqlite:///PATH or postgresql://...; got {url!r}")


def rule_groups(settings: Settings) -> dict[str, tuple[str, ...]]:
    """The groups as the rules see them: name -> member entries."""
    return {g.name: g.members for g in settings.groups}


def rule_organization(settings: Settings) -> Organization:
    """What the rules know of the organisation for add_bcc (supervisor Bcc) and approvers."""
    return Organization(
        internal_domains=settings.internal_domains,
        approvers={g.name: g.approvers for g in settings.groups},
        directory=settings.ldap is not None,
    )


def approvers_for(
    settings: Settings,
    sender: str,
    admins: tuple[str, ...] = (),
    org: OrgView = NO_DIRECTORY,
    entries: tuple[str, ...] = (),
) -> tuple[str, ...]:
    """Who approves the sender's held mail: `entries` (the holding rule's own approvers), else
    the approvers of the first group he belongs to, in order (deputies after), `manager` and
    `manager_of_manager` resolved in the directory `org` in force (rules/approvers.py); never
    the sender himself (compared as mailboxes: case, quotes and a `+detail` do not make another
    person); with nobody left, the admins (`admins`: the enabled accounts with role admin, in
    the database), never the sender either. () when there is nobody at all: an admin then
    decides in the console. A group without members has the directory group's of its name."""
    me = mailbox_of(sender)
    if not entries:
        for group in settings.groups:
            members = group.members or org.groups.get(group_key(group.name), ())
            if group.approvers and address_matches(sender, members, {}):
                entries = group.approvers
                break
    others = resolve_approvers(entries, sender, org, settings.internal_domains)
    if others:
        return others
    return tuple(a.lower() for a in admins if mailbox_of(a) != me)
