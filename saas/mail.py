"""Outgoing email behind a small interface: SMTP for real, console + outbox for development."""

from __future__ import annotations

import json
import logging
import smtplib
import time
import uuid
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from flask import current_app, render_template

from saas.config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str


class Mailer(Protocol):
    def send(self, email: Email) -> None: ...


class SmtpMailer:
    """Sends through an SMTP server (a relay in production, aiosmtpd in tests)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, email: Email) -> None:
        message = EmailMessage()
        message["From"] = self.settings.mail_sender
        message["To"] = email.to
        message["Subject"] = email.subject
        message["Message-ID"] = f"<{uuid.uuid4().hex}@guyub>"
        message.set_content(email.text)
        with smtplib.SMTP(self.settings.smtp_host, self.settings.smtp_port, timeout=10) as smtp:
            if self.settings.smtp_starttls:
                smtp.starttls()
            if self.settings.smtp_username:
                smtp.login(self.settings.smtp_username, self.settings.smtp_password)
            smtp.send_message(message)


class ConsoleMailer:
    """Development: logs that a mail went out and keeps it in ``instance/outbox`` to read."""

    def __init__(self, outbox: Path) -> None:
        self.outbox = outbox

    def send(self, email: Email) -> None:
        self.outbox.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:6]}.json"
        (self.outbox / name).write_text(json.dumps(asdict(email), ensure_ascii=False))
        log.info("mail kept in the development outbox", extra={"subject": email.subject})

    def list_recent(self, limit: int = 50) -> list[Email]:
        if not self.outbox.exists():
            return []
        files = sorted(self.outbox.glob("*.json"), reverse=True)[:limit]
        return [Email(**json.loads(f.read_text())) for f in files]


def make_mailer(settings: Settings) -> Mailer:
    if settings.mail_backend == "smtp":
        return SmtpMailer(settings)
    return ConsoleMailer(settings.instance_dir / "outbox")


def send_templated(to: str, subject: str, template: str, **context: object) -> None:
    """Render ``templates/emails/<template>.txt`` in the active locale and send it."""
    mailer: Mailer = current_app.extensions["guyub.mailer"]
    mailer.send(
        Email(to=to, subject=subject, text=render_template(f"emails/{template}.txt", **context))
    )
