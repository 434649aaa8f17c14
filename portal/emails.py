"""Email of the portal: rendered in Swedish from templates, as plain text with an HTML
alternative."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation


def send_templated_email(*, template: str, to: list[str], context: dict[str, object]) -> None:
    """Render `<template>_subject.txt`, `<template>.txt` and `<template>.html` (or the text in
    the portal's HTML layout) in Swedish and send them."""
    if not to:
        return
    with translation.override(settings.LANGUAGE_CODE):
        context = {**context, "site_url": settings.SITE_URL.rstrip("/")}
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}.txt", context)
        context.update(subject=subject, body=body)
        try:
            html = render_to_string(f"{template}.html", context)
        except TemplateDoesNotExist:
            html = render_to_string("portal/email/base.html", context)
    message = EmailMultiAlternatives(subject, body, None, to)
    message.attach_alternative(html, "text/html")
    message.send()
