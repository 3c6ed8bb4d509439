"""Password hashing (scrypt, salted) and the password policy; standard library only."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from bpmn_sales.errors import InvalidInput

# scrypt at n=2**14, r=8, p=1 costs ~16 MB and ~50 ms: cheap for one sign-in, dear for guessing.
N, R, P = 2**14, 8, 1
MIN_LENGTH = 8
MAX_LENGTH = 200


def check_policy(password: object) -> str:
    """Return the password if acceptable; otherwise say what is wrong with it."""
    if not isinstance(password, str) or not password:
        raise InvalidInput("a password is required", field="password")
    if len(password) < MIN_LENGTH:
        raise InvalidInput(
            f"the password must have at least {MIN_LENGTH} characters", field="password"
        )
    if len(password) > MAX_LENGTH:
        raise InvalidInput(
            f"the password must have at most {MAX_LENGTH} characters", field="password"
        )
    return password


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"scrypt${N}${R}${P}${salt.hex()}${digest.hex()}"


def verify_password(stored: str | None, password: str) -> bool:
    """True if `password` matches `stored`; False for a missing or malformed hash."""
    if not stored or not isinstance(password, str):
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        given = hashlib.scrypt(
            password.encode(),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(digest) // 2,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(given.hex(), digest)


DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
