"""django-allauth under the portal's rules for email (`portal.emails`)."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.mail import EmailMessage

from portal.emails import defang_message
from portal.models import User


class AccountAdapter(DefaultAccountAdapter):
    """allauth's account emails (confirmation, password reset, email changed…) go out with
    every address typed by a user defanged, subject included, like the portal's own emails."""

    def render_mail(
        self,
        template_prefix: str,
        email: str | list[str],
        context: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> EmailMessage:
        message = super().render_mail(template_prefix, email, context, headers)
        request = getattr(self, "request", None)
        root = request.build_absolute_uri("/") if request is not None else ""
        return defang_message(message, also_keep=root)


def user_display(user: User) -> str:
    """How allauth names a person in its pages and emails: by the email address, never by the
    name they typed themselves (a sign-up email would otherwise carry a stranger's text to the
    address they gave)."""
    return user.email
