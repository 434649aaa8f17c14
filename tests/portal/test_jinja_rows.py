"""The rows of the long lists are Jinja2 templates (`portal.jinja`): what an association typed
is escaped there as everywhere else and never read as a template, a link is the one `{% url %}`
gives, and their texts are in the Swedish catalogue."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from grants.models import ApplicationStatus
from portal import jinja
from portal.models import PublicBodyMembership, User
from portal.services import audit_record
from tests.grants.factories import ApplicationFactory, CallFactory, ProgrammeFactory
from tests.helpers.clients import logged_in
from tests.organisations.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>{{ 7*7 }}{% if 1 %}ja{% endif %}'


def test_what_an_association_typed_is_shown_as_text_in_the_inbox(
    officer: User, officer_membership: PublicBodyMembership
) -> None:
    call = CallFactory(programme=ProgrammeFactory(public_body=officer_membership.public_body))
    application = ApplicationFactory(
        call=call,
        organisation=OrganisationFactory(name=HOSTILE),
        status=ApplicationStatus.SUBMITTED,
        submitted_at=timezone.now(),
        registry_number="KFN 2026/7",
        amount_requested=Decimal("12500"),
    )
    page = logged_in(officer).get(reverse("grants:inbox")).content.decode()
    row = page[page.index("<tbody>") : page.index("</tbody>")]
    assert "<script>" not in page.replace('<script src="', "")  # only the portal's own scripts
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;{{ 7*7 }}{% if 1 %}ja{% endif %}" in row
    assert "49" not in row  # not evaluated as a template
    link = reverse("grants:officer_application", args=[application.pk])
    assert f'<a href="{link}">KFN 2026/7</a>' in row
    assert "12 500 kr" in row.replace("\xa0", " ")
    assert '<span class="status status-submitted">Inskickad</span>' in row
    assert "<td>–</td>" in row  # no case officer yet


def test_a_history_shows_what_was_typed_as_text_with_its_labels(officer: User) -> None:
    """The history (components/_history.jinja) on an organisation's page: the action and the
    states by their Swedish labels, the comment as text, the fingerprint apart from it."""
    organisation = OrganisationFactory(status="pending")
    audit_record(
        actor=officer,
        obj=organisation,
        action="status_changed",
        from_state="pending",
        to_state="verified",
        comment=HOSTILE + " [version 0123456789abcdef]",
    )
    page = (
        logged_in(officer)
        .get(reverse("organisations:officer_detail", args=[organisation.pk]))
        .content.decode()
    )
    history = page[page.index('<ol class="history">') :]
    history = history[: history.index("</ol>")]
    assert "<strong>Status ändrad</strong>: Väntar på verifiering → Verifierad" in history
    assert "– Hanna Handläggare &lt;" in history
    assert (
        '<p class="comment">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;{{ 7*7 }}'
        "{% if 1 %}ja{% endif %}</p>"
    ) in history
    assert "Referens till det som godkändes: 01234567" in history
    # the comment above is its text as typed, so not evaluated as a template (a "49" is not
    # looked for in the whole history: its times' microseconds may hold one)

    empty = OrganisationFactory()
    page = (
        logged_in(officer)
        .get(reverse("organisations:officer_detail", args=[empty.pk]))
        .content.decode()
    )
    assert "<li>Inget har hänt ännu.</li>" in page


def test_the_url_of_a_row_is_the_one_reverse_gives() -> None:
    assert jinja.url("grants:officer_application", 42) == reverse(
        "grants:officer_application", args=[42]
    )
    # what reverse_ids does not answer goes to reverse() itself
    assert jinja.url("grants:inbox") == reverse("grants:inbox")


def test_a_row_template_escapes_even_what_a_filter_returns() -> None:
    """autoescape is on in the environment the portal builds, and the portal's filters and
    helpers (the same functions the Django templates use) are there."""
    template = jinja.get_template("grants/_payment_rows.jinja")
    assert template.environment.autoescape is True
    for name in ("sek", "short_date", "sv", "number"):
        assert name in template.environment.filters
    for name in ("url", "status_badge", "application_status", "_"):
        assert name in template.environment.globals


def test_every_text_of_a_row_template_is_translated() -> None:
    """`make messages` reads the `.jinja` templates (their `_("…")`) like the Django ones: a
    text there without a Swedish translation would show in English."""
    texts = set()
    for path in settings.BASE_DIR.joinpath("templates").rglob("*.jinja"):
        texts.update(re.findall(r'_\("([^"]+)"\)', path.read_text()))
    assert texts  # the IOP list's column names, the reports' "Overdue"
    catalogue = translation.trans_real.translation("sv")._catalog  # type: ignore[attr-defined]
    missing = sorted(text for text in texts if text not in catalogue)
    assert missing == []


def test_a_rows_labels_are_in_the_readers_language_on_every_row(settings) -> None:  # type: ignore[no-untyped-def]
    """The labels of the register's and the open calls' rows are translated once for the page,
    in the language of the request, and stand on every row."""
    from agreements.models import AgreementStatus
    from tests.agreements.factories import AgreementFactory
    from tests.helpers.clients import in_english

    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    for n in range(2):
        AgreementFactory(title=f"Avtal {n}", status=AgreementStatus.ACTIVE)
        CallFactory(title=f"Utlysning {n}")
    swedish, english = Client(), in_english(Client())
    register = swedish.get(reverse("agreements:register")).content.decode()
    assert register.count("<strong>Parter:</strong>") == 2
    assert register.count("<strong>Avtalstid:</strong>") == 2
    assert (
        "<strong>Parties:</strong>" in english.get(reverse("agreements:register")).content.decode()
    )
    calls = swedish.get(reverse("grants:calls")).content.decode()
    assert calls.count("<strong>Stängs</strong>") == 2 and calls.count("<p>Budget: ") == 2
    assert "<strong>Closes</strong>" in english.get(reverse("grants:calls")).content.decode()


def test_what_an_association_typed_is_text_on_the_public_pages(settings) -> None:  # type: ignore[no-untyped-def]
    """The directory, the open calls and the IOP register are where an association's own words
    reach everyone: the rows escape them there too."""
    from agreements.models import AgreementStatus
    from organisations.models import OrganisationStatus
    from tests.agreements.factories import AgreementFactory, PartyFactory

    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    organisation = OrganisationFactory(
        name=HOSTILE,
        purpose=HOSTILE,
        status=OrganisationStatus.VERIFIED,
        public_listing=True,
    )
    agreement = AgreementFactory(
        title=HOSTILE,
        idea=HOSTILE,
        status=AgreementStatus.ACTIVE,
        initiating_organisation=organisation,
    )
    PartyFactory(agreement=agreement, public_body=None, organisation=organisation)
    call = CallFactory(title=HOSTILE)
    client = Client()
    for url in (
        reverse("organisations:directory"),
        reverse("agreements:register"),
        reverse("grants:calls"),
    ):
        page = client.get(url).content.decode()
        assert "&lt;script&gt;alert(" in page, url
        assert '<script>alert("x")' not in page and "{{ 7*7 }}" in page, url
    calls = client.get(reverse("grants:calls")).content.decode()
    # the moment for machines, in Stockholm time, as Django's |date:'c' writes it
    moment = timezone.localtime(call.closes_at).isoformat()
    assert f'<time datetime="{moment}">' in calls


def test_a_moment_for_machines_is_written_as_django_writes_it() -> None:
    from django.template import Context, Template

    from portal import formats

    moment = timezone.now()
    django = Template("{{ moment|date:'c' }}").render(Context({"moment": moment}))
    assert formats.iso_datetime(moment) == django
    assert formats.iso_datetime(None) == ""


def test_no_filter_of_the_portal_hides_one_of_jinja2s_own() -> None:
    """The row templates use Jinja2's `format`, `list` and `first`: a portal filter of the same
    name would silently take their place."""
    from jinja2.filters import FILTERS

    from portal.jinja import _portal_filters

    assert set(_portal_filters()) & set(FILTERS) == set()


def test_what_an_association_typed_is_text_in_the_sections_of_a_case_and_an_organisation(
    officer: User, officer_membership: PublicBodyMembership
) -> None:
    """The sections drawn by Jinja2 on the officer's pages (an organisation's details, its
    documents, an application's answers, budget and files) escape what was typed there and
    never read it as a template; a new line in an answer is a line break."""
    from grants.models import Attachment, BudgetLine, Question
    from organisations.models import AnnualDocument, DocumentVersion

    organisation = OrganisationFactory(
        name=HOSTILE,
        purpose=f"{HOSTILE}\nRad två",
        umbrella_organisation=HOSTILE,
        street_address=HOSTILE,
    )
    call = CallFactory(programme=ProgrammeFactory(public_body=officer_membership.public_body))
    question = Question.objects.create(call=call, text=HOSTILE, position=0)
    application = ApplicationFactory(
        call=call,
        organisation=organisation,
        status=ApplicationStatus.SUBMITTED,
        submitted_at=timezone.now(),
        registry_number="KFN 2026/8",
        title=HOSTILE,
        answers={str(question.pk): f"{HOSTILE}\nRad två"},
    )
    BudgetLine.objects.create(application=application, kind="cost", description=HOSTILE, amount=1)
    # a file as the association uploaded it, named by the association
    stored = {
        "original_name": HOSTILE,
        "content_type": "application/pdf",
        "size": 10,
        "sha256": "0" * 64,
        "uploaded_by": officer,
    }
    Attachment.objects.create(application=application, file="x.pdf", **stored)
    document = AnnualDocument.objects.create(
        organisation=organisation, year=timezone.localdate().year, kind="stadgar"
    )
    document.current_version = DocumentVersion.objects.create(
        document=document, number=1, file="y.pdf", **stored
    )
    document.review_comment = HOSTILE
    document.save()
    client = logged_in(officer)
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;{{ 7*7 }}{% if 1 %}ja{% endif %}"
    for url, sections in (
        (
            reverse("grants:officer_application", args=[application.pk]),
            ("answers-heading", "budget-heading", "attachments-heading"),
        ),
        (
            reverse("organisations:officer_detail", args=[organisation.pk]),
            ("details-heading", "documents-heading"),
        ),
    ):
        page = client.get(url).content.decode()
        assert "<script>" not in page.replace('<script src="', ""), url
        for heading in sections:
            start = page.index(f'id="{heading}"')
            section = page[start : page.index("</section>", start)]
            # shown as typed: escaped, and its {{ 7*7 }} and {% if %} left as text
            assert escaped.replace("&#34;", "&quot;") in section or escaped in section, heading
    case = client.get(reverse("grants:officer_application", args=[application.pk]))
    assert "ja{% endif %}<br>Rad två" in case.content.decode()
