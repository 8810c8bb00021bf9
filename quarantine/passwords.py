"""Password hashes: salted scrypt from the standard library, the one format for every account.

Encoded as  scrypt$N$r$p$SALT$HASH  (base64 salt and hash). It lives here, not in proxy/,
because both sides hash: the SMTP AUTH check and `user add` (proxy) and the console's users
page (quarantine), which never imports proxy.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_N, _R, _P = 2**14, 8, 1
ROLES = ("sender", "admin")
PASSWORD_MIN, PASSWORD_MAX = 8, 1024  # the console's login form refuses longer ones
LOGIN_MAX = 254  # an address (RFC 5321 §4.5.3.1.3: a path is at most 256 octets)

# Verified for an unknown login, so that timing does not reveal which logins exist.
DUMMY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="


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


def login_problem(login: str) -> str | None:
    """Why a login cannot be an account ("" never), or None: an address, no ':' (the users
    file's separator), no space or control character, at most LOGIN_MAX characters."""
    if not login or len(login) > LOGIN_MAX or "@" not in login or login.startswith("@"):
        return "login"
    if ":" in login or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in login):
        return "login"
    return None


def password_problem(password: str) -> str | None:
    if len(password) < PASSWORD_MIN:
        return "password_short"
    if len(password) > PASSWORD_MAX or any(ord(c) < 32 or ord(c) == 127 for c in password):
        return "password"
    return None
