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


def test_the_badge_escapes_what_it_shows() -> None:
    class Odd:
        status = '"><script>x</script>'

        class _meta:  # as a model's
            label = "grants.Application"

        def get_status_display(self) -> str:
            return "<b>Okänd</b>"

    badge = status_badge(Odd())
    assert "<script>" not in badge and "<b>" not in badge
    assert "&lt;b&gt;Okänd&lt;/b&gt;" in badge


def test_a_choice_label_is_what_get_display_gives_in_each_language() -> None:
    from organisations.models import LegalForm, Organisation
    from portal.templatetags.portal_tags import choice_label

    organisation = Organisation(legal_form=LegalForm.NON_PROFIT)
    for language in ("sv", "en", "sv"):
        with translation.override(language):
            assert choice_label(organisation, "legal_form") == str(
                organisation.get_legal_form_display()
            )
    with translation.override("sv"):
        assert choice_label(organisation, "legal_form") == "Ideell förening"
    # a value that is not one of the choices shows as itself, as Django shows it
    organisation.legal_form = "okand_form"
    assert choice_label(organisation, "legal_form") == "okand_form"
