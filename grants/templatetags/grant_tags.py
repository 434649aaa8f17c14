from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from organisations.templatetags import organisation_tags
from portal import jinja
from portal.templatetags.portal_tags import sek, status_badge

register = template.Library()

# the portal's money filter, so that grants templates keep `{% load grant_tags %}` for it
register.filter("sek", sek)


# an amount in euro as the de minimis ledger writes it: "3 181,82 euro"
register.filter("eur", organisation_tags.eur)


@register.filter
def time_left(closes_at: datetime) -> str:
    """`3 dagar kvar`, `5 timmar kvar`, `Stängd`."""
    seconds = (closes_at - timezone.now()).total_seconds()
    if seconds <= 0:
        return _("Closed")
    days = int(seconds // 86400)
    if days >= 1:
        return ngettext("%(count)d day left", "%(count)d days left", days) % {"count": days}
    hours = int(seconds // 3600)
    if hours >= 1:
        return ngettext("%(count)d hour left", "%(count)d hours left", hours) % {"count": hours}
    minutes = max(1, int(seconds // 60))
    return ngettext("%(count)d minute left", "%(count)d minutes left", minutes) % {"count": minutes}


@register.simple_tag
@jinja.helper
def application_status(application: Any) -> SafeString:
    """The application's status badge, and "Completion received" beside it while a completion
    sent in waits to be taken up (`Application.completion_received`)."""
    badge = status_badge(application)
    if application.completion_received:
        return format_html(
            '{} <span class="status status-completion_received">{}</span>',
            badge,
            _("Completion received"),
        )
    return badge
