"""Email of the portal: rendered in Swedish from a pair of text templates."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation


def send_templated_email(*, template: str, to: list[str], context: dict[str, object]) -> None:
    """Render `<template>_subject.txt` and `<template>.txt` in Swedish and send them."""
    if not to:
        return
    with translation.override(settings.LANGUAGE_CODE):
        context = {**context, "site_url": settings.SITE_URL.rstrip("/")}
        subject = render_to_string(f"{template}_subject.txt", context)
        body = render_to_string(f"{template}.txt", context)
    send_mail(" ".join(subject.split()), body, None, to)
