"""The pieces every form and page shares: dates in one style, messages that name their field,
the one error summary (links in field order, "Fel:" in the title) and the confirmation step
before an irreversible action."""

from __future__ import annotations

import importlib
import inspect
import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.http import HttpRequest
from django.test import RequestFactory
from django.utils import translation

from portal import formats
from portal.confirm import confirmation
from portal.forms import NamedErrorsMixin, PortalForm, summary_errors
from tests.helpers.clients import logged_in
from tests.portal.factories import UserFactory

UTC = ZoneInfo("UTC")
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


# -- dates -----------------------------------------------------------------------------------


def test_dates_in_swedish_text_and_tables() -> None:
    moment = datetime(2026, 11, 29, 8, 58, tzinfo=UTC)  # 09.58 in Stockholm (winter, +1)
    with translation.override("sv"):
        assert formats.long_date(moment) == "29 november 2026"
        assert formats.long_datetime(moment) == "29 november 2026 kl. 09.58"
        assert formats.time_of_day(moment) == "09.58"
    assert formats.short_date(moment) == "2026-11-29"
    assert formats.short_datetime(moment) == "2026-11-29 09:58"
    with translation.override("sv"):
        assert formats.long_date(date(2026, 1, 5)) == "5 januari 2026"


def test_dates_follow_stockholm_across_summer_time_and_the_day_line() -> None:
    summer = datetime(2026, 6, 30, 22, 30, tzinfo=UTC)  # already 1 July 00.30 in Stockholm
    with translation.override("sv"):
        assert formats.long_datetime(summer) == "1 juli 2026 kl. 00.30"
    assert formats.short_date(summer) == "2026-07-01"


def test_dates_in_english_and_missing_dates() -> None:
    moment = datetime(2026, 11, 29, 8, 58, tzinfo=UTC)
    with translation.override("en"):
        assert formats.long_date(moment) == "29 November 2026"
        assert formats.long_datetime(moment) == "29 November 2026 at 09:58"
    for helper in (formats.long_date, formats.long_datetime, formats.short_date):
        assert helper(None) == "–"


def test_no_template_formats_a_date_by_itself() -> None:
    """Dates are shown through portal.formats only (its filters long_date, short_date, …, and
    iso_datetime for the machine-readable `datetime` attribute); no raw `|date:` or `|time:`."""
    raw = re.compile(r"\|date(?![_a-z])|\|time(?![_a-z])")
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in TEMPLATES.rglob("*")
        if path.is_file()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if raw.search(line)
    ]
    assert offenders == []


# -- messages that name their field ------------------------------------------------------------


class _Example(PortalForm):
    title = forms.CharField(label="Rubrik")
    kind = forms.ChoiceField(label="Slag", choices=[("a", "A")])
    starts = forms.DateField(label="Startdatum")
    count = forms.IntegerField(label="Antal")
    accept = forms.BooleanField(label="Jag har läst villkoren")
    file = forms.FileField(label="Projektplan")
    own = forms.CharField(label="Eget", error_messages={"required": "Skriv något eget."})

    fieldsets = [
        ("Först", ["kind", "title"]),
        ("Sedan", ["starts", "count", "accept", "file", "own"]),
    ]


def test_required_and_invalid_messages_name_the_field() -> None:
    with translation.override("sv"):
        form = _Example(data={"starts": "i morgon", "count": "två"})
        assert form.errors["title"] == ["Fyll i ”Rubrik”."]
        assert form.errors["kind"] == ["Välj ett alternativ för ”Slag”."]
        assert form.errors["starts"] == [
            "”Startdatum” ska vara ett datum, till exempel 2026-11-29."
        ]
        assert form.errors["count"] == ["”Antal” ska vara ett heltal."]
        assert form.errors["accept"] == ["Kryssa i ”Jag har läst villkoren” för att gå vidare."]
        assert form.errors["file"] == ["Välj en fil för ”Projektplan”."]
        assert form.errors["own"] == ["Skriv något eget."]  # the author's own wording stays


def test_every_portal_form_names_its_fields() -> None:
    modules = ["portal.forms", "grants.forms", "organisations.forms", "agreements.forms"]
    plain = [
        f"{name}.{klass.__name__}"
        for name in modules
        for klass in vars(importlib.import_module(name)).values()
        if inspect.isclass(klass)
        and issubclass(klass, forms.BaseForm)
        and klass.__module__ == name
        and not issubclass(klass, NamedErrorsMixin)
    ]
    assert plain == []


# -- the error summary -----------------------------------------------------------------------


def test_summary_lists_errors_in_the_order_the_fields_stand() -> None:
    with translation.override("sv"):
        form = _Example(data={"own": "x", "count": "två"})
        ids = [anchor for anchor, _message in summary_errors(form)]
    assert ids == ["id_kind", "id_title", "id_starts", "id_count", "id_accept", "id_file"]


def test_summary_names_formset_rows_and_labels_messages_that_do_not() -> None:
    class Line(PortalForm):
        amount = forms.DecimalField(label="Belopp")

        def clean_amount(self) -> object:
            if self.cleaned_data["amount"] > 10:
                raise forms.ValidationError("För stort.")  # a message that names no field
            return self.cleaned_data["amount"]

    lines = forms.formset_factory(Line, extra=0)(
        data={
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "0",
            "form-0-amount": "5",
            "form-1-amount": "50",
        }
    )
    with translation.override("sv"):
        errors = summary_errors(lines)
    assert len(errors) == 1
    anchor, message = errors[0]
    assert anchor == "id_form-1-amount"
    assert message == "Rad 2: Belopp: För stort."


@pytest.mark.django_db
def test_a_page_with_errors_says_so_in_its_title_and_links_each_field() -> None:
    user = UserFactory(name="Frida Förening")
    client = logged_in(user)
    response = client.post("/konto/profil/", {"name": ""})
    html = response.content.decode()
    assert re.search(r"<title>Fel: ", html)
    assert "data-error-summary" in html
    assert '<a href="#id_name">Fyll i ”Namn”.</a>' in html
    user.refresh_from_db()
    assert user.display_name == "Frida Förening"
    # The same page without errors has a plain title and no summary.
    assert "<title>Fel:" not in client.get("/konto/profil/").content.decode()


# -- the confirmation step -----------------------------------------------------------------


def _post(data: dict[str, str]) -> HttpRequest:
    request = RequestFactory().post("/ansokan/7/atergar/", data)
    request.user = UserFactory.create()
    return request


def _ask(request: HttpRequest):  # type: ignore[no-untyped-def]
    return confirmation(
        request,
        title="Återkalla ansökan",
        question="Vill du återkalla ansökan?",
        confirm_label="Ja, återkalla",
        cancel_url="/ansokan/7/",
        consequences=["Handläggaren ser att den är återkallad."],
    )


@pytest.mark.django_db
def test_an_unconfirmed_action_shows_the_question_and_reposts_what_was_sent() -> None:
    response = _ask(_post({"seen_state": "submitted:3", "reason": "<b>fel</b>"}))
    assert response is not None
    html = response.content.decode()
    assert "Vill du återkalla ansökan?" in html
    assert '<input type="hidden" name="seen_state" value="submitted:3">' in html
    assert 'value="&lt;b&gt;fel&lt;/b&gt;"' in html  # what was typed comes back escaped
    assert '<input type="hidden" name="confirmed" value="1">' in html
    assert 'action="/ansokan/7/atergar/"' in html
    assert 'href="/ansokan/7/"' in html


@pytest.mark.django_db
def test_a_confirmed_action_goes_on() -> None:
    assert _ask(_post({"seen_state": "submitted:3", "confirmed": "1"})) is None


def test_limits_amounts_and_lists_read_as_plain_swedish() -> None:
    from portal.money import SekField

    class Limits(PortalForm):
        participants = forms.IntegerField(label="Antal deltagare", min_value=0)
        share = forms.DecimalField(label="Andel", max_value=100)
        amount = SekField(label="Belopp i kronor")
        name = forms.CharField(label="Namn på 100 %", max_length=3)
        kind = forms.ChoiceField(label="Slag", choices=[("", "---------"), ("a", "A")])

    with translation.override("sv"):
        form = Limits(
            data={"participants": "-2", "share": "fem", "amount": "mycket", "name": "Anna"}
        )
        assert form.errors["participants"] == ["”Antal deltagare” kan inte vara mindre än 0."]
        assert form.errors["share"] == ["”Andel” ska vara ett tal, till exempel 12 eller 12,5."]
        assert form.errors["amount"] == [
            "”Belopp i kronor” ska vara ett belopp i kronor, till exempel 12 500."
        ]
        assert form.errors["name"] == ["”Namn på 100 %” får ha högst 3 tecken (nu 4)."]
        assert next(iter(Limits().fields["kind"].choices)) == ("", "Välj …")


def test_the_history_shows_what_was_approved_as_a_reference_not_as_code() -> None:
    from django.template.loader import render_to_string

    from portal.models import AuditEvent

    event = AuditEvent(
        action="proposal_made",
        comment="Förslag: bevilja 35 000 kr [version a5e6acb5a474e995]",
        content_type_id=None,
    )
    with translation.override("sv"):
        html = render_to_string("components/history.html", {"history": [event]})
    assert "[version" not in html
    assert "Förslag: bevilja 35 000 kr" in html
    assert "Referens till det som godkändes: a5e6acb5" in html


@pytest.mark.django_db
def test_a_list_of_rows_is_read_with_one_plain_query_and_still_validates() -> None:
    """Django reads a ModelChoiceField's rows through a server-side cursor on PostgreSQL
    (DECLARE, FETCH, CLOSE); a portal form reads them with one query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.models import User

    anna, bertil = UserFactory(name="Anna"), UserFactory(name="Bertil")

    class PickForm(PortalForm):
        person = forms.ModelChoiceField(queryset=User.objects.order_by("name"), required=False)

    form = PickForm()
    with CaptureQueriesContext(connection) as queries:
        html = str(form["person"])
    assert len(queries) == 1
    assert not any("DECLARE" in query["sql"] for query in queries.captured_queries)
    assert html.index("Anna") < html.index("Bertil") and "Välj …" in html
    assert PickForm({"person": str(bertil.pk)}).is_valid()
    bound = PickForm({"person": "0"})
    assert not bound.is_valid() and anna.pk != 0
