"""A status badge names the status in the reader's language, however many rows show one."""

from __future__ import annotations

from django.utils import translation

from grants.models import Application, ApplicationStatus
from portal.templatetags.portal_tags import status_badge


def test_the_label_follows_the_language_and_the_value_is_the_class() -> None:
    application = Application(status=ApplicationStatus.SUBMITTED)
    with translation.override("sv"):
        swedish = status_badge(application)
    with translation.override("en"):
        english = status_badge(application)
    with translation.override("sv"):
        again = status_badge(application)
    assert swedish == again == '<span class="status status-submitted">Inskickad</span>'
    assert english == '<span class="status status-submitted">Submitted</span>'
