"""Outgoing mail (password-reset links). With ``IDENTITY_SMTP_URL`` it is sent over SMTP
(STARTTLS when the server offers it); without, each message is written as an ``.eml`` file into
``IDENTITY_MAIL_DROP_DIR``, the way a development mail catcher keeps them. Message bodies are
never logged: they carry single-use secrets."""

from __future__ import annotations

import asyncio
import smtplib
import uuid
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

import structlog

from svc_identity.settings import IdentitySettings

log = structlog.get_logger("svc_identity.mail")


class Mailer:
    def __init__(self, settings: IdentitySettings) -> None:
        self.settings = settings

    def message(self, *, to: str, subject: str, body: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.mail_from
        message["To"] = to
        message["Subject"] = subject
        message["Message-ID"] = f"<{uuid.uuid4().hex}@egov>"
        message.set_content(body)
        return message

    async def send(self, message: EmailMessage) -> None:
        if self.settings.smtp_url:
            await asyncio.to_thread(self._smtp, message)
        else:
            await asyncio.to_thread(self._drop, message)
        log.info("mail_sent", subject=message["Subject"], via="smtp" if self.settings.smtp_url
                 else "drop")

    def _drop(self, message: EmailMessage) -> None:
        folder = Path(self.settings.mail_drop_dir)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{uuid.uuid4().hex}.eml").write_bytes(bytes(message))

    def _smtp(self, message: EmailMessage) -> None:
        assert self.settings.smtp_url is not None
        url = urlsplit(self.settings.smtp_url)
        with smtplib.SMTP(url.hostname or "localhost", url.port or 25, timeout=10) as smtp:
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls()
                smtp.ehlo()
            if url.username:
                smtp.login(unquote(url.username), unquote(url.password or ""))
            smtp.send_message(message)
