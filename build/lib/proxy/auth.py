"""SMTP users: a file of salted scrypt hashes (standard library), and the AUTH check.

One line per user:  LOGIN:scrypt$N$r$p$SALT$HASH:ROLE   (base64 salt and hash).
The login is the address the user may send as (the envelope sender must match it).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from aiosmtpd.smtp import AuthResult, LoginPassword

from .auth_throttle import AuthThrottle
from .errors import ConfigError

log = logging.getLogger("guard.smtp")

_N, _R, _P = 2**14, 8, 1
ROLES = ("sender", "admin")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_password(password: str, encoded: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
            maxmem=256 * 1024 * 1024,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


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
        if not path.exists():
            return cls(by_login={})
        users = {}
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
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
            verify_password(password, _DUMMY_HASH)
            return None
        return user if verify_password(password, user.password_hash) else None


_DUMMY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="


def add_user(path: Path, login: str, password: str, role: str = "sender") -> None:
    """Add or replace a user; the file is rewritten atomically with mode 0600."""
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

    def __init__(self, users: Users, throttle: AuthThrottle) -> None:
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
