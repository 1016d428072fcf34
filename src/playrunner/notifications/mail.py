"""An email to an assignee: written from Jinja templates as plain text and HTML
(``email.message.EmailMessage`` with ``add_alternative``) and handed to the SMTP relay with the
standard library's ``smtplib`` (STARTTLS, TLS or plain; every wait bounded by
``smtp_timeout_seconds``)."""

from __future__ import annotations

import smtplib
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from playrunner.config import Settings
from playrunner.outbox.lease import Outcome, elapsed_ms
from playrunner.work.repository import WorkRow

_ENVIRONMENT = Environment(
    loader=PackageLoader("playrunner.notifications", "templates"),
    autoescape=select_autoescape(["html"], default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)
PATHS = {"task": "tasks", "form_request": "form-requests"}


@dataclass(frozen=True)
class Letter:
    """What one email says: the items assigned to someone (the first of them), how many
    more there are, and where the web app is."""

    name: str
    address: str
    items: list[WorkRow]
    more: int
    base_url: str

    def link(self, item: WorkRow) -> str:
        return f"{self.base_url}/{PATHS[item.kind]}/{item.id}"

    @property
    def subject(self) -> str:
        if len(self.items) == 1 and not self.more:
            (item,) = self.items
            what = "task" if item.kind == "task" else "form to fill in"
            text = f"New {what} for {item.account_name}: {item.title}"
        else:
            text = f"{len(self.items) + self.more} new items assigned to you"
        return " ".join(text.split())[:200]  # one line: a header


def compose(letter: Letter, sender: str, message_id: str) -> EmailMessage:
    """The email, plain text with an HTML alternative. ``message_id`` is the same on every
    try, so a mail client shows a resent copy once."""
    message = EmailMessage()
    message["Subject"] = letter.subject
    message["From"] = sender
    message["To"] = formataddr((" ".join(letter.name.split()), letter.address))
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    context = {"letter": letter, "my_work": f"{letter.base_url}/my-work"}
    message.set_content(_ENVIRONMENT.get_template("notifications/email.txt").render(context))
    message.add_alternative(
        _ENVIRONMENT.get_template("notifications/email.html").render(context), subtype="html"
    )
    return message


def send(settings: Settings, message: EmailMessage) -> Outcome:
    """Hand ``message`` to the relay. A recipient the relay refuses for good (5xx) is final;
    anything else (no answer, 4xx, a dropped connection) is worth another try."""
    started = time.monotonic()
    host, port = settings.smtp_host or "", settings.smtp_port_or_default
    timeout = settings.smtp_timeout_seconds
    try:
        if settings.smtp_security == "tls":
            relay: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            relay = smtplib.SMTP(host, port, timeout=timeout)
        with relay:
            if settings.smtp_security == "starttls":
                relay.starttls(context=ssl.create_default_context())
            if settings.smtp_user is not None:
                password = settings.smtp_password
                relay.login(settings.smtp_user, password.get_secret_value() if password else "")
            relay.send_message(message)
    except smtplib.SMTPRecipientsRefused as refused:
        code, reply = next(iter(refused.recipients.values()))
        return Outcome(
            False,
            code,
            elapsed_ms(started),
            f"the relay refused the address: {code} {_text(reply)}"[:500],
            final=500 <= code < 600,
        )
    except smtplib.SMTPResponseException as answered:
        code = answered.smtp_code
        error = f"the relay answered {code} {_text(answered.smtp_error)}"[:500]
        return Outcome(False, code, elapsed_ms(started), error)
    except (OSError, smtplib.SMTPException) as exc:
        return Outcome(False, None, elapsed_ms(started), f"{type(exc).__name__}: {exc}"[:500])
    return Outcome(True, 250, elapsed_ms(started), None)


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply
