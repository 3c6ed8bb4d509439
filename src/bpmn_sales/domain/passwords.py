"""Password hashing (argon2id; older scrypt hashes still verify) and the password policy."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _

# argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): tens of milliseconds for
# one sign-in, and memory-hard for anyone guessing offline. Raising these later is safe: a hash
# made with weaker settings is replaced at its owner's next sign-in.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MIN_LENGTH = 8
MAX_LENGTH = 200


def check_policy(password: object) -> str:
    """Return the password if acceptable; otherwise say what is wrong with it."""
    if not isinstance(password, str) or not password:
        raise InvalidInput(_("a password is required"), field="password")
    if len(password) < MIN_LENGTH:
        raise InvalidInput(
            _("the password must have at least %(least)s characters", least=MIN_LENGTH),
            field="password",
        )
    if len(password) > MAX_LENGTH:
        raise InvalidInput(
            _("the password must have at most %(most)s characters", most=MAX_LENGTH),
            field="password",
        )
    return password


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True if `password` matches `stored`; False for a missing or malformed hash."""
    if not stored or not isinstance(password, str):
        return False
    if stored.startswith("$argon2"):
        try:
            return HASHER.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
    return _verify_scrypt(stored, password)


def needs_rehash(stored: str) -> bool:
    """Whether a hash that just verified should be replaced (an older scheme or weaker cost)."""
    return not stored.startswith("$argon2") or HASHER.check_needs_rehash(stored)


def _verify_scrypt(stored: str, password: str) -> bool:
    """The hashes written before argon2id: `scrypt$n$r$p$salt$digest`."""
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
