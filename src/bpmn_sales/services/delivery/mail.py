"""Mail: SMTP_URL settings, messages rendered from templates in bpmn_sales/mail, SMTP sending."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qs, unquote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bpmn_sales.i18n import _, current_language
from bpmn_sales.i18n.jinja import install_gettext

TEMPLATES = Path(__file__).resolve().parents[2] / "mail"
SMTP_TIMEOUT = 30.0
DEFAULT_PORTS = {"smtp": 25, "smtps": 465, "smtp+starttls": 587}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}

_templates = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)
install_gettext(_templates)  # the mail is rendered in its recipient's language (send.py)


class MailConfigError(ValueError):
    """SMTP_URL is missing or wrong; mail waits (pending) until it is fixed."""


@dataclass(frozen=True)
class SmtpSettings:
    scheme: str  # smtp, smtps (implicit TLS) or smtp+starttls
    host: str
    port: int
    username: str | None
    password: str | None
    cafile: str | None  # a CA bundle to trust (a private CA); else the system's

    def describe(self) -> str:
        """The URL without the password, for admin pages."""
        user = f"{self.username}@" if self.username else ""
        return f"{self.scheme}://{user}{self.host}:{self.port}"


def parse_smtp_url(url: str | None) -> SmtpSettings:
    """`smtp://user:pass@host:port`, `smtps://...` or `smtp+starttls://...` (`?cafile=PATH`)."""
    if not url:
        raise MailConfigError(_("SMTP_URL is not set"))
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS:
        raise MailConfigError(
            _(
                "SMTP_URL scheme %(scheme)s is not smtp, smtps or smtp+starttls",
                scheme=repr(parts.scheme),
            )
        )
    if not parts.hostname:
        raise MailConfigError(_("SMTP_URL names no host"))
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise MailConfigError(_("SMTP_URL has a port that is not a number")) from None
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    if password and parts.scheme == "smtp" and parts.hostname not in LOCAL_HOSTS:
        raise MailConfigError(
            _("SMTP_URL would send its password unencrypted: use smtps:// or smtp+starttls://")
        )
    cafiles = parse_qs(parts.query).get("cafile")
    cafile = cafiles[0] if cafiles else None
    return SmtpSettings(parts.scheme, parts.hostname, port, username, password, cafile)


def render(
    subject: str, text: str, name: str, link: str | None, sender: str, to: str
) -> EmailMessage:
    """A notification mail: plain text and HTML alternatives from the templates."""
    # The texts are in the language in force: the recipient's, put in force by the caller.
    lang = current_language().replace("_", "-")
    values = {"name": name, "text": text, "link": link, "lang": lang}
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = " ".join(subject.split())  # no line breaks in a header
    message.set_content(_templates.get_template("notification.txt").render(values))
    message.add_alternative(
        _templates.get_template("notification.html").render(values), subtype="html"
    )
    return message


def stamp(message: EmailMessage, delivery_id: int, created: datetime, sender: str) -> None:
    """Headers that let a receiver drop a repeat: the Message-ID comes from the outbox row."""
    domain = sender.rpartition("@")[2].strip("> ") or "localhost"
    message["Message-ID"] = f"<outbox.{delivery_id}.{int(created.timestamp())}@{domain}>"
    message["X-BpmnSales-Delivery"] = str(delivery_id)
    message["Date"] = format_datetime(created)


class MailRefused(Exception):
    """The server refused this message for good (e.g. an unknown recipient)."""


class Mailer:
    """One SMTP session reused for the messages of a delivery pass; reconnects when dropped."""

    def __init__(self, settings: SmtpSettings, timeout: float = SMTP_TIMEOUT) -> None:
        self.settings = settings
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None
        # Why the server could not be reached or logged in to: the rest of the pass fails fast
        # with the same error instead of waiting out a timeout per message.
        self._down: Exception | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.settings.cafile)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        smtp: smtplib.SMTP
        if s.scheme == "smtps":
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout, context=self._tls())
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if s.scheme == "smtp+starttls":
                if not smtp.has_extn("starttls"):
                    raise smtplib.SMTPException(_("%(host)s does not offer STARTTLS", host=s.host))
                smtp.starttls(context=self._tls())
                smtp.ehlo()
            if s.username:
                smtp.login(s.username, s.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Send one message; MailRefused when retrying cannot help, OSError/SMTPException else."""
        for attempt in (1, 2):
            if self._down is not None:
                raise self._down
            if self._smtp is None:
                try:
                    self._smtp = self._connect()
                except (OSError, smtplib.SMTPException) as exc:
                    self._down = exc
                    raise
            try:
                refused = self._smtp.send_message(message)
            except smtplib.SMTPServerDisconnected:
                self._smtp = None
                if attempt == 2:
                    raise
                continue
            except smtplib.SMTPRecipientsRefused as exc:
                raise MailRefused(
                    _("recipient refused: %(reply)s", reply=_smtp_text(exc.recipients))
                ) from None
            except smtplib.SMTPResponseException as exc:
                self.close()
                if 500 <= exc.smtp_code < 600 and exc.smtp_code != 530:
                    raise MailRefused(
                        _(
                            "refused: %(code)s %(reply)s",
                            code=exc.smtp_code,
                            reply=_decode(exc.smtp_error),
                        )
                    ) from None
                raise
            except BaseException:
                self.close()
                raise
            if refused:
                raise MailRefused(_("recipient refused: %(reply)s", reply=_smtp_text(refused)))
            return

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()


def _decode(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _smtp_text(refused: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{to}: {code} {_decode(text)}" for to, (code, text) in refused.items())
