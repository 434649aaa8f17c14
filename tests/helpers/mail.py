"""The e-mails the portal sent (Django's test outbox)."""

from __future__ import annotations

import re

from django.core import mail


def emails_to(address: str, subject: str = "") -> list[mail.EmailMessage]:
    """The e-mails sent to `address` whose subject contains `subject`, in the order sent."""
    return [m for m in mail.outbox if address in m.to and subject in m.subject]


def path_in_last_email(pattern: str) -> str:
    """The path of the link in the last e-mail whose path contains `pattern`, to follow with the
    test client (whichever host the e-mail names)."""
    body = mail.outbox[-1].body
    match = re.search(rf"https?://[^/\s]+([^\s]*{pattern}[^\s]*)", body)
    assert match, body
    return match.group(1)


def text_and_html(message: mail.EmailMultiAlternatives) -> tuple[str, str]:
    """The plain-text body and the one HTML alternative of an e-mail."""
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return message.body, str(html)
