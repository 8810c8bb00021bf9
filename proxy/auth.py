"""SMTP users: the AUTH check, and the users file, now only an import source (issue 20).

The accounts live in the database (quarantine/user_store.py), read through a copy that every
instance refreshes within seconds (quarantine/user_cache.py). A users file (smtp.users_file),
one line per user,  LOGIN:scrypt$N$r$p$SALT$HASH:ROLE  (base64 salt and hash), is imported at
start-up once per content (its SHA-256 is recorded): the logins already in the database keep
theirs. The login is the address the user may send as (the envelope sender must match it).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from aiosmtpd.smtp import AuthResult, LoginPassword

from quarantine.passwords import DUMMY_HASH, ROLES, hash_password, verify_password
from quarantine.user_store import UserConflict, UserStore

from .auth_throttle import AuthThrottle
from .errors import ConfigError

log = logging.getLogger("guard.smtp")

__all__ = [
    "ROLES",
    "Authenticator",
    "Users",
    "add_user",
    "hash_password",
    "import_users_file",
    "verify_password",
]


class Account(Protocol):
    @property
    def login(self) -> str: ...
    @property
    def role(self) -> str: ...


class Accounts(Protocol):
    """What AUTH checks against: the database's accounts (UserCache) or a file's (Users)."""

    def check(self, login: str, password: str) -> Account | None: ...


@dataclass(frozen=True, kw_only=True)
class User:
    login: str
    password_hash: str
    role: str = "sender"


@dataclass(frozen=True, kw_only=True)
class Users:
    by_login: dict[str, User]

    @classmethod
    def load(cls, path: Path) -> Users:
        return cls.parse(path.read_text("utf-8"), path) if path.exists() else cls(by_login={})

    @classmethod
    def parse(cls, text: str, path: Path) -> Users:
        users = {}
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split(":")
            if len(fields) not in (2, 3) or (len(fields) == 3 and fields[2] not in ROLES):
                raise ConfigError(f"{path}:{number}: expected LOGIN:HASH[:ROLE]")
            login = fields[0].lower()
            users[login] = User(
                login=login, password_hash=fields[1], role=fields[2] if len(fields) == 3 else "sender"
            )
        return cls(by_login=users)

    def check(self, login: str, password: str) -> User | None:
        user = self.by_login.get(login.lower())
        if user is None:
            # Same work for an unknown login, so timing does not reveal which logins exist.
            verify_password(password, DUMMY_HASH)
            return None
        return user if verify_password(password, user.password_hash) else None


async def import_users_file(path: Path, users: UserStore) -> None:
    """At start-up: the users file's accounts into the database, once per content. A file
    that is not there is nothing to import; one that does not parse stops the start-up (as it
    did when it was the users' only home)."""
    if not path.exists():
        return
    data = path.read_bytes()
    parsed = Users.parse(data.decode("utf-8"), path)
    lines = [(u.login, u.password_hash, u.role) for u in parsed.by_login.values()]
    digest = hashlib.sha256(data).hexdigest()
    for _ in range(3):  # another instance importing the same file at the same moment
        try:
            done = await users.import_file(digest, lines)
            break
        except UserConflict:
            await asyncio.sleep(0.2)
    else:
        raise ConfigError(f"smtp.users_file: {path}: could not be imported (conflicts repeated)")
    if done is None:
        log.info("event=users_file_already_imported sha256=%s", digest[:16])
    else:
        log.info("event=users_file_imported sha256=%s added=%d kept=%d", digest[:16], done.added, done.kept)


def add_user(path: Path, login: str, password: str, role: str = "sender") -> None:
    """Add or replace a user in a users file (an import source; `user add` writes the
    database); the file is rewritten atomically with mode 0600."""
    if ":" in login or "@" not in login or role not in ROLES:
        raise ConfigError(f"user add: login must be an address without ':'; role one of {ROLES}")
    lines = path.read_text("utf-8").splitlines() if path.exists() else []
    kept = [ln for ln in lines if ln.split(":", 1)[0].lower() != login.lower()]
    kept.append(f"{login.lower()}:{hash_password(password)}:{role}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(kept) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


# RFC 4954 §6: 454 4.7.0 is the temporary failure; 421 closes the connection (RFC 5321 §3.8).
BLOCKED = "454 4.7.0 Temporary authentication failure"
TOO_MANY = "421 4.7.0 Too many failed authentications"


class Authenticator:
    """aiosmtpd's authenticator hook: PLAIN and LOGIN, only ever offered after STARTTLS.

    Awaited by GuardSMTP. scrypt runs in two threads of its own (hashlib releases the GIL):
    on the event loop it stalled every other session, and in the shared default executor a
    crowd of guessers would queue ahead of the guard's other work.
    """

    def __init__(self, users: Accounts, throttle: AuthThrottle) -> None:
        self.users = users
        self.throttle = throttle
        self._threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="auth")
        # Logs name a login by a keyed hash: the same login reads the same within one run, but
        # a log and a staff list do not give the logins back (nor a password typed as a login).
        # The key lives only in memory.
        self._log_key = secrets.token_bytes(16)

    def _login_id(self, login: str) -> str:
        return hmac.new(self._log_key, login.encode("utf-8", "replace"), "sha256").hexdigest()[:16]

    async def __call__(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode("utf-8", "replace").lower()
        password = auth_data.password.decode("utf-8", "replace")
        address = str(session.peer[0] if isinstance(session.peer, tuple) else session.peer)
        # The throttle counts the login by its keyed hash: a key of fixed size whatever the
        # client sends, and no login kept in clear.
        login_id = self._login_id(login)
        attempt = self.throttle.attempt(address, login_id)
        user = None
        if not attempt.blocked:
            user = await asyncio.get_running_loop().run_in_executor(
                self._threads, self.users.check, login, password
            )
        if user is not None:
            self.throttle.succeeded(address, login_id)
            return AuthResult(success=True, handled=False, auth_data=user.login)
        failures = session.auth_failures = getattr(session, "auth_failures", 0) + 1
        log.warning(
            "event=auth_failed login_id=%s client=%s connection_failures=%d "
            "address_failures=%d login_failures=%d blocked=%d table_full=%d",
            login_id,
            address,
            failures,
            attempt.address_failures,
            attempt.login_failures,
            attempt.blocked,
            attempt.full,
        )
        await asyncio.sleep(attempt.delay)
        if failures >= self.throttle.limits.per_connection:
            await server.push(TOO_MANY)
            server.transport.close()  # aiosmtpd's connection_lost then ends the session
            return AuthResult(success=False, handled=True)
        return AuthResult(success=False, handled=False, message=BLOCKED if attempt.blocked else None)
