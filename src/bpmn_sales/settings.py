"""The product's settings, read once from the environment and checked, each with its default.

`Settings.from_env()` is called once by each entry point (`bpmn-sales`, the web app) and handed
to the `Context`. A value that cannot be used is refused with `InvalidSetting` naming the
variable, what was given and what would work; nothing falls back silently to a default.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from bpmn_sales.errors import InvalidSetting
from bpmn_sales.i18n import _

DATABASE_FILE = "bpmn-sales.sqlite3"
DEFAULT_MAIL_FROM = "bpmn-sales@localhost"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_UPLOAD_MB = 10
MAX_UPLOAD_MB = 1024
MIN_SECRET_LENGTH = 16
DEFAULT_IDLE_MINUTES = 120
DEFAULT_SESSION_HOURS = 12
# Memory for the instances each server process keeps after writing them (about 40 KB each).
DEFAULT_INSTANCE_CACHE_MB = 64
MAX_INSTANCE_CACHE_MB = 65536
DATABASE_SCHEMES = ("sqlite", "postgresql", "postgresql+psycopg")
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("", "0", "false", "no", "off")
# A host name: dot-separated labels of letters, digits and inner hyphens.
HOST_NAME = re.compile(r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*")


@dataclass(frozen=True)
class Settings:
    """Everything the product reads from its environment."""

    database_url: str = field(default_factory=lambda: default_database_url(os.environ))
    # None: mail waits in the outbox (pending) and the admin page says why.
    smtp_url: str | None = None
    mail_from: str = DEFAULT_MAIL_FROM
    # The app's own address, for links in mail and webhooks.
    base_url: str = DEFAULT_BASE_URL
    max_upload_bytes: int = DEFAULT_UPLOAD_MB * 1024 * 1024
    # None: the web app keeps a random key in the database, shared by every server process.
    secret_key: str | None = None
    session_cookie_secure: bool = False
    # Hosts and networks outbound requests (webhooks) may reach though they are not public.
    outbound_allow: tuple[str, ...] = ()
    # A web session ends after this long without a request, and this long after signing in.
    session_idle: timedelta = timedelta(minutes=DEFAULT_IDLE_MINUTES)
    session_lifetime: timedelta = timedelta(hours=DEFAULT_SESSION_HOURS)
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto headers are believed.
    proxy_hops: int = 0
    # The memory each process may give to the instances it keeps live (0: keep none).
    instance_cache_bytes: int = DEFAULT_INSTANCE_CACHE_MB * 1024 * 1024

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and check DATABASE_URL, SMTP_URL, MAIL_FROM, BASE_URL, MAX_UPLOAD_MB,
        SECRET_KEY, SESSION_COOKIE_SECURE, SESSION_IDLE_MINUTES, SESSION_HOURS, PROXY_HOPS,
        OUTBOUND_ALLOW and BPMN_SALES_INSTANCE_CACHE_MB (an empty variable counts as unset)."""
        env = os.environ if environ is None else environ
        return cls(
            database_url=database_url(env.get("DATABASE_URL") or default_database_url(env)),
            smtp_url=env.get("SMTP_URL") or None,
            mail_from=mail_from(env.get("MAIL_FROM") or DEFAULT_MAIL_FROM),
            base_url=base_url(env.get("BASE_URL") or DEFAULT_BASE_URL),
            max_upload_bytes=upload_limit(env.get("MAX_UPLOAD_MB")),
            secret_key=secret_key(env.get("SECRET_KEY") or None),
            session_cookie_secure=flag(
                "SESSION_COOKIE_SECURE",
                env.get("SESSION_COOKIE_SECURE"),
                default=(env.get("BASE_URL") or "").lower().startswith("https://"),
            ),
            outbound_allow=outbound_allow(env.get("OUTBOUND_ALLOW")),
            session_idle=timedelta(
                minutes=whole("SESSION_IDLE_MINUTES", env.get("SESSION_IDLE_MINUTES"), 1, 10080)
                or DEFAULT_IDLE_MINUTES
            ),
            session_lifetime=timedelta(
                hours=whole("SESSION_HOURS", env.get("SESSION_HOURS"), 1, 720)
                or DEFAULT_SESSION_HOURS
            ),
            proxy_hops=whole("PROXY_HOPS", env.get("PROXY_HOPS"), 0, 5) or 0,
            instance_cache_bytes=instance_cache_bytes(env.get("BPMN_SALES_INSTANCE_CACHE_MB")),
        )


def default_database_url(environ: Mapping[str, str]) -> str:
    """The SQLite file used when DATABASE_URL is unset, found from the package, never the
    current directory: a checkout's `var/` (the package runs from its `src/`), otherwise the
    user's data directory ($XDG_DATA_HOME/bpmn-sales, by default ~/.local/share/bpmn-sales)."""
    package = Path(__file__).resolve().parent
    checkout = package.parent.parent
    if package.parent.name == "src" and (checkout / "pyproject.toml").is_file():
        folder = checkout / "var"
    else:
        data_home = environ.get("XDG_DATA_HOME", "")
        # The XDG spec says to ignore a relative path here.
        if not os.path.isabs(data_home):
            data_home = str(Path.home() / ".local" / "share")
        folder = Path(data_home) / "bpmn-sales"
    return f"sqlite:///{folder / DATABASE_FILE}"


def sqlite_file(url: str) -> Path | None:
    """The file a sqlite:/// URL names (None for another database or an in-memory one)."""
    if not url.startswith("sqlite:///"):
        return None
    path = url.removeprefix("sqlite:///").partition("?")[0]
    return None if path in ("", ":memory:") else Path(path)


def database_url(value: str) -> str:
    scheme = value.partition("://")[0] if "://" in value else ""
    if scheme not in DATABASE_SCHEMES:
        if scheme == "postgres":
            message = _(
                "DATABASE_URL %(url)s is not a SQLite or PostgreSQL URL (write "
                "postgresql+psycopg://...): use sqlite:///path/to/file.sqlite3 or "
                "postgresql+psycopg://user@host:5432/dbname",
                url=_shown(value),
            )
        else:
            message = _(
                "DATABASE_URL %(url)s is not a SQLite or PostgreSQL URL: use "
                "sqlite:///path/to/file.sqlite3 or postgresql+psycopg://user@host:5432/dbname",
                url=_shown(value),
            )
        raise InvalidSetting(message, setting="DATABASE_URL")
    return value


def mail_from(value: str) -> str:
    if "@" not in parseaddr(value)[1]:
        raise InvalidSetting(
            _(
                "MAIL_FROM %(value)r is not an e-mail address, e.g. 'Sales <sales@example.com>'",
                value=value,
            ),
            setting="MAIL_FROM",
        )
    return value


def base_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidSetting(
            _(
                "BASE_URL %(value)r is not an http(s) address, e.g. https://sales.example.com",
                value=value,
            ),
            setting="BASE_URL",
        )
    return value


def upload_limit(value: str | None) -> int:
    """MAX_UPLOAD_MB (megabytes, default 10) in bytes."""
    if value is None or not value.strip():
        return DEFAULT_UPLOAD_MB * 1024 * 1024
    try:
        megabytes = Decimal(value.strip())
    except InvalidOperation:
        megabytes = Decimal("NaN")
    if not megabytes.is_finite() or not 0 < megabytes <= MAX_UPLOAD_MB:
        raise InvalidSetting(
            _(
                "MAX_UPLOAD_MB %(value)r is not a number of megabytes from 0.001 to %(most)s "
                "(e.g. 10 or 2.5)",
                value=value,
                most=MAX_UPLOAD_MB,
            ),
            setting="MAX_UPLOAD_MB",
        )
    return max(1, int(megabytes * 1024 * 1024))


def secret_key(value: str | None) -> str | None:
    if value is not None and len(value) < MIN_SECRET_LENGTH:
        raise InvalidSetting(
            _(
                "SECRET_KEY has %(length)s characters: use at least %(least)s random ones, e.g. "
                "from: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'",
                length=len(value),
                least=MIN_SECRET_LENGTH,
            ),
            setting="SECRET_KEY",
        )
    return value


def flag(name: str, value: str | None, default: bool = False) -> bool:
    word = (value or "").strip().lower()
    if not word:
        return default
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise InvalidSetting(
        _("%(name)s %(value)r is not 1/true/yes or 0/false/no", name=name, value=value),
        setting=name,
    )


def whole(name: str, value: str | None, low: int, high: int) -> int | None:
    """A whole number from `low` to `high`, or None when unset."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise InvalidSetting(
            _(
                "%(name)s %(value)r is not a whole number from %(low)s to %(high)s",
                name=name,
                value=value,
                low=low,
                high=high,
            ),
            setting=name,
        )
    return int(text)


def instance_cache_bytes(value: str | None) -> int:
    """BPMN_SALES_INSTANCE_CACHE_MB (megabytes, default 64, 0 keeps no instance) in bytes."""
    name = "BPMN_SALES_INSTANCE_CACHE_MB"
    megabytes = whole(name, value, 0, MAX_INSTANCE_CACHE_MB)
    return (DEFAULT_INSTANCE_CACHE_MB if megabytes is None else megabytes) * 1024 * 1024


def outbound_allow(value: str | None) -> tuple[str, ...]:
    """OUTBOUND_ALLOW: comma-separated host names, addresses or networks (CIDR)."""
    entries = tuple(part.strip() for part in (value or "").split(",") if part.strip())
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            if not HOST_NAME.fullmatch(entry):
                raise InvalidSetting(
                    _(
                        "OUTBOUND_ALLOW entry %(value)r is not a host name, an address or a "
                        "network (e.g. crm.internal, 10.0.0.5 or 10.1.0.0/16)",
                        value=entry,
                    ),
                    setting="OUTBOUND_ALLOW",
                ) from None
    return entries


def without_password(url: str) -> str:
    """The URL with its password (if any) replaced by ***, for a message."""
    parts = urlsplit(url)
    if parts.password:
        url = url.replace(f":{parts.password}@", ":***@", 1)
    return url


def _shown(url: str) -> str:
    return repr(without_password(url))
