"""Email of the portal: rendered in Swedish from templates, as plain text with an HTML
alternative.

Two rules keep user text in its place:

- The plain-text part and the subject are rendered with autoescaping off: an organisation
  called `Tom & Jerry "AB"` is written as typed, not as `Tom &amp; Jerry &quot;AB&quot;`.
- Text typed by users never becomes a link. The HTML part is the plain text, HTML-escaped,
  with its line breaks; nothing is "urlized", and its only links are the ones the layout itself
  writes (the button to the portal, the settings link). Mail programs also make links of
  anything that looks like an address, so every web address or domain name in the text that is
  not the portal's own (`SITE_URL` followed by `/`) is defanged in both parts, the way security
  teams write addresses that must not be clicked: `https://evil.example/login` becomes
  `https[:]//evil[.]example/login`, still readable, no longer a link.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe

# What a mail program may turn into a link: an address with a scheme, one starting with
# "www.", or a bare domain name (two or more letters at the end, a first label of two or more
# characters, so that "t.ex." and "bl.a." stay as they are). E-mail addresses are left alone.
ADDRESS = re.compile(
    r"""
    (?P<scheme>\b[a-z][a-z0-9+.-]*://[^\s<>"']*)
    | (?P<www>\bwww\.[^\s<>"']+)
    | (?<![\w@.-])(?P<domain>[a-z0-9][a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,24})\b(?![@-]|\.?[\w-]+@)
    """,
    re.IGNORECASE | re.VERBOSE,
)


def _plain(text: str) -> str:
    """The text as a plain `str` (a rendered template is marked safe for HTML; this one is not
    HTML)."""
    return "".join([text])


def defang(text: str, *, keep: str | tuple[str, ...] = "") -> str:
    """`text` with every web address and domain name broken so that no mail program makes a
    link of it, except addresses that start with `keep` (one root or several) followed by "/"
    (the portal's own)."""
    roots = [root.rstrip("/") for root in ((keep,) if isinstance(keep, str) else keep) if root]

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if any(token == root or token.startswith(root + "/") for root in roots):
            return token
        return token.replace("://", "[:]//").replace(".", "[.]")

    return ADDRESS.sub(replace, _plain(str(text)))


def render_text(template_name: str, context: dict[str, Any]) -> str:
    """A text template rendered without HTML escaping (plain-text email parts, subjects)."""
    template = get_template(template_name)
    return _plain(template.template.render(Context(context, autoescape=False)))  # type: ignore[attr-defined]


def text_as_html(text: str) -> SafeString:
    """Plain text as HTML: escaped, paragraphs and line breaks kept, no links."""
    return mark_safe(linebreaks(escape(text)))  # noqa: S308 - escaped just before


def site_url() -> str:
    return str(settings.SITE_URL).rstrip("/")


def defang_message(message: EmailMessage) -> EmailMessage:
    """The same rule for a message rendered elsewhere (allauth's account emails): subject,
    plain text and HTML alternatives with every address that is not the portal's defanged."""
    keep = (site_url(),)
    message.subject = defang(str(message.subject), keep=keep)
    message.body = defang(str(message.body), keep=keep)
    if isinstance(message, EmailMultiAlternatives):
        alternatives = list(message.alternatives)
        message.alternatives = []
        for content, mimetype in alternatives:
            message.attach_alternative(defang(str(content), keep=keep), mimetype)
    return message


def send_templated_email(*, template: str, to: list[str], context: dict[str, object]) -> None:
    """Render `<template>_subject.txt`, `<template>.txt` and `<template>.html` (or the text in
    the portal's HTML layout) in Swedish and send them."""
    if not to:
        return
    with translation.override(settings.LANGUAGE_CODE):
        context = {**context, "site_url": site_url()}
        subject = defang(
            " ".join(render_text(f"{template}_subject.txt", context).split()), keep=site_url()
        )
        body = defang(render_text(f"{template}.txt", context), keep=site_url())
        context.update(subject=subject, body=body, body_html=text_as_html(body))
        try:
            html = render_to_string(f"{template}.html", context)
        except TemplateDoesNotExist:
            html = render_to_string("portal/email/base.html", context)
    message = EmailMultiAlternatives(subject, body, None, to)
    message.attach_alternative(html, "text/html")
    message.send()
