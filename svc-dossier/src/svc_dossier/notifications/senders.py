"""The channels: email over SMTP (stdlib ``smtplib`` in a worker thread) or, in demo mode
without SMTP, ``.eml`` files in a drop folder; SMS through an ``SmsProvider``, by default the
SIMULATOR below. Senders raise on failure; the dispatcher retries."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import structlog

from egov_shared.timeutil import utcnow
from svc_dossier.notifications.templates import sms_parts, unaccent
from svc_dossier.settings import DossierSettings

log = structlog.get_logger("svc_dossier.notifications")


class EmailSender(Protocol):
    async def send(self, *, to: str, subject: str, body: str) -> None: ...


class SmsProvider(Protocol):
    name: str

    async def send(self, *, phone: str, text: str) -> str:
        """Hands the text to the provider; answers its message id, raises on failure."""
        ...


def email_message(sender: str, *, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = Address(addr_spec=to)
    message["Subject"] = subject  # non-ASCII: RFC 2047 encoded words, UTF-8
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = f"<{uuid.uuid4().hex}@dichvucong>"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    message.set_content(body)  # text/plain; charset=utf-8
    return message


class SmtpMailer:
    """``smtp://user:pass@host:587`` (STARTTLS per ``starttls``) or ``smtps://…:465``.
    Credentials are only ever sent over TLS unless STARTTLS is explicitly ``off``."""

    def __init__(self, url: str, *, sender: str, starttls: str = "auto",
                 timeout: float = 10.0) -> None:
        self.url = urlsplit(url)
        self.sender = sender
        self.starttls = starttls
        self.timeout = timeout

    async def send(self, *, to: str, subject: str, body: str) -> None:
        message = email_message(self.sender, to=to, subject=subject, body=body)
        await asyncio.to_thread(self._send, message)

    def _send(self, message: EmailMessage) -> None:
        host, implicit = self.url.hostname or "localhost", self.url.scheme == "smtps"
        port = self.url.port or (465 if implicit else 25)
        context = ssl.create_default_context()
        client: smtplib.SMTP = (smtplib.SMTP_SSL(host, port, timeout=self.timeout,
                                                 context=context) if implicit
                                else smtplib.SMTP(host, port, timeout=self.timeout))
        with client as smtp:
            secure = implicit or self._start_tls(smtp, context)
            if self.url.username:
                if not secure and self.starttls != "off":
                    raise smtplib.SMTPException("refusing to send credentials without TLS")
                smtp.login(unquote(self.url.username), unquote(self.url.password or ""))
            smtp.send_message(message)

    def _start_tls(self, smtp: smtplib.SMTP, context: ssl.SSLContext) -> bool:
        smtp.ehlo()
        if self.starttls == "off":
            return False
        if not smtp.has_extn("starttls"):
            if self.starttls == "required":
                raise smtplib.SMTPException("the server does not offer STARTTLS")
            return False
        smtp.starttls(context=context)
        smtp.ehlo()
        return True


class DropMailer:
    """Demo mode without SMTP: each message becomes an ``.eml`` file, like a mail catcher."""

    def __init__(self, folder: str, *, sender: str) -> None:
        self.folder = Path(folder)
        self.sender = sender

    async def send(self, *, to: str, subject: str, body: str) -> None:
        message = email_message(self.sender, to=to, subject=subject, body=body)
        await asyncio.to_thread(self._write, message)

    def _write(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / f"{uuid.uuid4().hex}.eml").write_bytes(bytes(message))


@dataclass(frozen=True)
class SimulatedSms:
    id: str
    phone: str
    text: str
    parts: int
    at: datetime = field(default_factory=utcnow)


class SmsSimulator:
    """SIMULATOR of an SMS gateway (brandname SMS): nothing leaves the machine. It keeps every
    message in ``messages`` for inspection (tests, demos) and logs it as ``sms_simulated``."""

    name = "simulator"

    def __init__(self, *, unaccented: bool = False, keep: int = 1000) -> None:
        self.unaccented = unaccented
        self.keep = keep
        self.messages: list[SimulatedSms] = []

    async def send(self, *, phone: str, text: str) -> str:
        text = unaccent(text) if self.unaccented else text
        sms = SimulatedSms(id=uuid.uuid4().hex, phone=phone, text=text, parts=sms_parts(text))
        self.messages = [*self.messages[-(self.keep - 1):], sms]
        log.info("sms_simulated", provider="SIMULATOR", sms_id=sms.id, parts=sms.parts)
        return sms.id

    def sent_to(self, phone: str) -> list[SimulatedSms]:
        return [m for m in self.messages if m.phone == phone]


@dataclass
class Senders:
    email: EmailSender | None
    sms: SmsProvider | None


def build_senders(settings: DossierSettings) -> Senders:
    email: EmailSender | None = None
    if settings.smtp_url is not None:
        email = SmtpMailer(settings.smtp_url.get_secret_value(), sender=settings.mail_from,
                           starttls=settings.smtp_starttls,
                           timeout=settings.smtp_timeout_seconds)
    elif settings.demo:
        email = DropMailer(settings.mail_drop_dir, sender=settings.mail_from)
    sms: SmsProvider | None = None
    if settings.sms_provider == "simulator":
        sms = SmsSimulator(unaccented=settings.sms_unaccented)
        if not settings.demo:
            log.warning("sms_simulator_outside_demo", detail="SMS are not really sent")
    return Senders(email=email, sms=sms)
