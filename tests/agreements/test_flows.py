"""The IOP flows as each role meets them: the initiative's dates, the officer's own list, who
chooses a public body's signatory, messages that say what happened and what comes next, and a
confirmation before every step that cannot be taken back."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from agreements import services
from agreements.models import SCREENING_CRITERIA, Agreement
from portal.models import AuditEvent, PublicBodyRole
from tests.agreements.conftest import INITIATIVE, Iop, fresh, sign, to_signing
from tests.agreements.test_access import officer_of, screened
from tests.helpers.clients import in_english, logged_in, queued_messages
from tests.helpers.forms import posted_state
from tests.helpers.queries import assert_same_query_count, count_queries, sql_of
from tests.organisations.factories import OrganisationFactory, OrganisationMembershipFactory
from tests.portal.factories import CommitteeFactory

pytestmark = pytest.mark.django_db


def initiative_post(iop: Iop, **changes: Any) -> dict[str, Any]:
    return {
        **{k: v for k, v in INITIATIVE.items() if k not in ("proposed_start", "proposed_end")},
        "proposed_start": "2027-06-01",
        "proposed_end": "2027-01-01",
        "organisation": iop.org_party.organisation_id,
        "public_body": iop.body.pk,
        "title": "Baklänges",
        **changes,
    }


# --- 3. dates -----------------------------------------------------------------------------


def test_an_initiative_ending_before_it_starts_is_refused_naming_the_field(iop: Iop) -> None:
    response = logged_in(iop.representative).post(
        reverse("agreements:initiative"), initiative_post(iop)
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "”Föreslaget slutdatum” kan inte vara före ”Föreslaget startdatum” (1 juni 2027)." in page
    )
    assert not Agreement.objects.filter(title="Baklänges").exists()

    with pytest.raises(ValidationError) as refused:  # the service refuses it too
        services.agreement_initiate(
            actor=iop.representative,
            organisation=iop.org_party.organisation,
            public_body=iop.body,
            data={
                **INITIATIVE,
                "proposed_start": date(2027, 6, 1),
                "proposed_end": date(2027, 1, 1),
            },
        )
    assert "proposed_end" in refused.value.message_dict
    assert not Agreement.objects.filter(proposed_start=date(2027, 6, 1)).exists()
    # the same day is a term of one day
    response = logged_in(iop.representative).post(
        reverse("agreements:initiative"), initiative_post(iop, proposed_end="2027-06-01")
    )
    assert response.status_code == 302


# --- 4. roles -----------------------------------------------------------------------------


def test_the_officer_has_an_iop_list_of_their_bodies_by_status(iop: Iop) -> None:
    screened_one = screened(iop)
    colleague = officer_of(iop.body, PublicBodyRole.DECISION_MAKER)
    other = OrganisationMembershipFactory(
        organisation=OrganisationFactory(status="verified"), role="representative"
    )
    elsewhere = services.agreement_initiate(  # another body's: not in the list
        actor=other.user,
        organisation=other.organisation,
        public_body=CommitteeFactory(name="Byggnadsnämnden", registry_prefix="BN"),
        data={**INITIATIVE, "title": "Annan nämnd"},
    )
    client = in_english(logged_in(iop.officer))
    page = client.get(reverse("agreements:officer_list")).content.decode()
    assert screened_one.title in page and elsewhere.title not in page
    assert "Co-creation (1)" in page and "All (1)" in page
    assert "File an initiative on an association's behalf" in page
    page = client.get(reverse("agreements:officer_list") + "?status=initiative").content.decode()
    assert screened_one.title not in page
    assert (
        screened_one.title
        in logged_in(colleague).get(reverse("agreements:officer_list")).content.decode()
    )
    # an association's people have no officer list
    assert logged_in(iop.representative).get(reverse("agreements:officer_list")).status_code == 403
    # Case handling's IOP card opens it
    home = client.get(reverse("portal:officer_home")).content.decode()
    assert reverse("agreements:officer_list") in home


def test_the_officer_list_keeps_its_query_count(iop: Iop) -> None:
    client = logged_in(iop.officer)

    def make(count: int) -> None:
        for n in range(count):
            services.agreement_initiate(
                actor=iop.officer,
                organisation=OrganisationFactory(status="verified"),
                public_body=iop.body,
                data={**INITIATIVE, "title": f"Avtal {n}"},
            )

    make(2)
    client.get(reverse("agreements:officer_list"))
    with count_queries() as few:
        client.get(reverse("agreements:officer_list"))
    make(10)
    with count_queries() as many:
        response = client.get(reverse("agreements:officer_list"))
    assert response.status_code == 200
    assert_same_query_count(few, many)
    # the counts per status are the list's count: the rows are not counted a second time
    total = response.context["total"]
    assert response.context["page"].paginator.count == total == len(response.context["page"]) >= 12
    assert not [sql for sql in sql_of(many) if "COUNT(*) FROM (SELECT" in sql], sql_of(many)
    # the columns the list shows, not the agreement's texts or the organisation's whole row
    (rows,) = [sql for sql in sql_of(many) if "LIMIT" in sql and '"title"' in sql]
    assert '"challenge"' not in rows and '"purpose"' not in rows
    page = response.content.decode()
    assert "Avtal 9" in page and iop.body.name in page
    filtered = client.get(reverse("agreements:officer_list"), {"status": "initiative"})
    initiatives = {v: n for v, _label, n in filtered.context["statuses"]}["initiative"]
    assert filtered.context["page"].paginator.count == len(filtered.context["page"]) == initiatives
    none = client.get(reverse("agreements:officer_list"), {"status": "active"})
    assert none.context["page"].paginator.count == 0 and not list(none.context["page"])


def test_the_counts_per_status_are_kept_a_short_while_and_the_rows_are_always_read(
    iop: Iop, settings: Any
) -> None:
    """As a list's count (portal.pagination.kept_count): the counts beside the IOP list may be
    PAGINATION_COUNT_CACHE_SECONDS old, the agreements listed never are."""
    from django.core.cache import cache

    settings.PAGINATION_COUNT_CACHE_SECONDS = 30
    cache.clear()
    client = in_english(logged_in(iop.officer))
    screened(iop)
    assert client.get(reverse("agreements:officer_list")).context["total"] == 1
    later = services.agreement_initiate(
        actor=iop.officer,
        organisation=OrganisationFactory(status="verified"),
        public_body=iop.body,
        data={**INITIATIVE, "title": "Ett senare initiativ"},
    )
    with count_queries() as queries:
        response = client.get(reverse("agreements:officer_list"))
    kept = {value: n for value, _label, n in response.context["statuses"]}
    assert "initiative" not in kept and sum(kept.values()) == 1  # the kept counts ...
    assert later.title in response.content.decode()  # ... but the rows as they are now,
    assert response.context["total"] == 2  # and the total the page's rows give
    assert not [sql for sql in sql_of(queries) if "COUNT(" in sql]
    # another body's officer sees the counts of her own bodies, not these
    other = officer_of(CommitteeFactory(name="Byggnadsnämnden", registry_prefix="BN"))
    assert logged_in(other).get(reverse("agreements:officer_list")).context["total"] == 0
    cache.clear()


def test_the_officer_chooses_the_public_bodys_signatory_and_is_not_asked_to_declare(
    iop: Iop,
) -> None:
    a = screened(iop)
    page = logged_in(iop.officer).get(reverse("agreements:agreement", args=[a.pk])).content
    page_text = page.decode()
    assert "Jag är firmatecknare för Socialnämnden" not in page_text
    assert "Firmatecknare för Socialnämnden" in page_text  # the chooser's label
    assert f'<option value="{iop.chair.pk}">{iop.chair.display_name}</option>' in page_text
    # the representative says so of themselves for the association
    rep_page = logged_in(iop.representative).get(reverse("agreements:agreement", args=[a.pk]))
    assert "Jag är firmatecknare för Föreningen Mötesplats" in rep_page.content.decode()

    url = reverse("agreements:signatory_set", args=[a.pk, iop.body_party.pk])
    response = in_english(logged_in(iop.officer)).post(url, {"signatory": iop.chair.pk})
    assert queued_messages(response) == [
        f"{iop.chair.display_name} signs for Socialnämnden and is told when the agreement is "
        "ready to sign."
    ]
    assert fresh(a).parties.get(pk=iop.body_party.pk).signatory == iop.chair
    # someone who may not sign for it is not in the list and is refused
    response = logged_in(iop.officer).post(url, {"signatory": iop.representative.pk})
    assert fresh(a).parties.get(pk=iop.body_party.pk).signatory == iop.chair
    # the self-declaration is refused for a public body
    logged_in(iop.officer).post(
        reverse("agreements:become_signatory", args=[a.pk, iop.body_party.pk])
    )
    assert fresh(a).parties.get(pk=iop.body_party.pk).signatory == iop.chair


def test_the_initiative_lists_only_verified_organisations_the_person_may_act_for(
    iop: Iop,
) -> None:
    CommitteeFactory(name="Annan nämnd", registry_prefix="AN")
    pending = OrganisationFactory(name="Nystartade föreningen", status="pending")
    OrganisationMembershipFactory(
        organisation=pending, user=iop.representative, role="representative"
    )
    viewer_of = OrganisationFactory(name="Läsarföreningen", status="verified")
    OrganisationMembershipFactory(organisation=viewer_of, user=iop.representative, role="viewer")
    page = in_english(logged_in(iop.representative)).get(reverse("agreements:initiative"))
    html = page.content.decode()
    assert f'<option value="{iop.org_party.organisation_id}" selected>Föreningen Mötesplats' in html
    assert "Nystartade föreningen</option>" not in html and "Läsarföreningen</option>" not in html
    assert "Nystartade föreningen is not verified yet." in html
    response = logged_in(iop.representative).post(
        reverse("agreements:initiative"),
        initiative_post(iop, organisation=pending.pk, proposed_end="2028-01-01"),
    )
    assert response.status_code == 200 and not Agreement.objects.filter(title="Baklänges").exists()
    # an officer filing on an association's behalf: only for a verified one
    response = in_english(logged_in(iop.officer)).post(
        reverse("agreements:initiative"),
        {
            **initiative_post(iop, proposed_end="2028-01-01"),
            "organisation": "",
            "on_behalf_of": pending.organisation_number,
        },
    )
    assert "is not verified yet" in response.content.decode()
    assert not Agreement.objects.filter(title="Baklänges").exists()
    # on an association's behalf, an officer files only to their own public bodies
    form = in_english(logged_in(iop.officer)).get(reverse("agreements:initiative"))
    assert f'<option value="{iop.body.pk}">Socialnämnden</option>' in form.content.decode()
    assert "Annan nämnd</option>" not in form.content.decode()
    # the officer's association list does not offer the association's initiative button
    mine = in_english(logged_in(iop.officer)).get(reverse("agreements:mine")).content.decode()
    assert "File an IOP initiative" not in mine


# --- 5. messages and 6. confirmations -----------------------------------------------------


def test_legal_review_is_confirmed_first_and_the_message_says_what_comes_next(iop: Iop) -> None:
    a = screened(iop)
    action = reverse("agreements:transition", args=[a.pk])
    client = in_english(logged_in(iop.officer))
    page = client.get(reverse("agreements:agreement", args=[a.pk])).content.decode()
    data = {"to": "legal_review", "seen_state": posted_state(page, action)}
    response = client.post(action, data)
    assert response.status_code == 200
    asked = response.content.decode()
    assert "Send the agreement to legal review?" in asked and 'name="confirmed" value="1"' in asked
    assert fresh(a).status == "co_creation"  # nothing changed before the confirmation
    response = client.post(action, {**data, "confirmed": "1"})
    assert fresh(a).status == "legal_review"
    assert queued_messages(response)[0].startswith(
        "The agreement has been sent to legal review; its text is locked meanwhile."
    )


def test_screening_out_is_confirmed_first(iop: Iop) -> None:
    a = services.agreement_transition(
        agreement=fresh(iop.agreement), to="screening", actor=iop.officer
    )
    data = {"is_iop": "no", "comment": "Ett vanligt bidrag passar bättre."}
    for key, _label in SCREENING_CRITERIA:
        data[f"comment_{key}"] = ""
    client = in_english(logged_in(iop.officer))
    response = client.post(reverse("agreements:screen", args=[a.pk]), data)
    assert "Screen the initiative out as not an IOP?" in response.content.decode()
    assert fresh(a).status == "screening"
    response = client.post(reverse("agreements:screen", args=[a.pk]), {**data, "confirmed": "1"})
    assert fresh(a).status == "not_iop"
    assert "screened out as not an IOP" in queued_messages(response)[0]


def test_the_legal_review_and_the_decision_are_confirmed_first(iop: Iop) -> None:
    a = screened(iop)
    services.agreement_transition(agreement=fresh(a), to="legal_review", actor=iop.officer)
    client = in_english(logged_in(iop.officer))
    review = {"procurement": "Föreningens initiativ.", "route": "not_economic", "amount": ""}
    url = reverse("agreements:legal_review", args=[a.pk])
    assert "send the agreement to decision?" in client.post(url, review).content.decode()
    assert fresh(a).status == "legal_review" and fresh(a).legal_reviewed_by is None
    response = client.post(url, {**review, "confirmed": "1"})
    assert fresh(a).status == "decision"
    assert "waits for the committee's decision" in queued_messages(response)[0]

    decision = {"decided_on": timezone.localdate().isoformat(), "reference": "SN § 9"}
    url = reverse("agreements:decide", args=[a.pk])
    chair = in_english(logged_in(iop.chair))
    assert "start the signing?" in chair.post(url, decision).content.decode()
    assert fresh(a).status == "decision" and fresh(a).decision_reference == ""
    response = chair.post(url, {**decision, "confirmed": "1"})
    assert fresh(a).status == "signing"
    assert "has been sent for signing" in queued_messages(response)[0]


def test_restarting_and_stopping_a_signing_are_confirmed_first(iop: Iop) -> None:
    a = to_signing(iop)
    sign(agreement=a, actor=iop.representative, party=iop.org_party)
    url = reverse("agreements:restart_signing", args=[a.pk])
    client = in_english(logged_in(iop.officer))
    for action in ("restart", "withdraw"):
        response = client.post(url, {"action": action, "reason": "Fel namn."})
        assert response.status_code == 200 and 'name="confirmed"' in response.content.decode()
        assert fresh(a).status == "signing"
        assert fresh(a).signatures.filter(voided_at__isnull=True).count() == 1
    client.post(url, {"action": "withdraw", "reason": "Fel namn.", "confirmed": "1"})
    assert fresh(a).status == "co_creation"


def test_ending_and_terminating_are_confirmed_first(
    iop: Iop, django_capture_on_commit_callbacks: Any
) -> None:
    a = to_signing(iop)
    sign(agreement=a, actor=iop.representative, party=iop.org_party)
    with django_capture_on_commit_callbacks(execute=True):
        sign(agreement=fresh(a), actor=iop.chair, party=iop.body_party)
    url = reverse("agreements:end", args=[a.pk])
    client = in_english(logged_in(iop.officer))
    data = {"on": "2027-03-31", "terminate": "on", "reason": "Föreningen har upphört."}
    response = client.post(url, data)
    assert "Terminate the agreement from 31 March 2027?" in response.content.decode()
    assert fresh(a).status == "active"
    assert not AuditEvent.objects.filter(object_id=str(a.pk), to_state="terminated").exists()
    # an association's member is not asked at all
    assert logged_in(iop.representative).post(url, data).status_code == 403
    response = client.post(url, {**data, "confirmed": "1"})
    assert fresh(a).status == "terminated"
    assert queued_messages(response)[0].startswith(
        "The agreement has been terminated from 31 March 2027."
    )


def test_an_amendment_sent_for_signing_is_confirmed_first(
    iop: Iop, django_capture_on_commit_callbacks: Any
) -> None:
    a = to_signing(iop)
    sign(agreement=a, actor=iop.representative, party=iop.org_party)
    with django_capture_on_commit_callbacks(execute=True):
        sign(agreement=fresh(a), actor=iop.chair, party=iop.body_party)
    amender = officer_of(iop.body, PublicBodyRole.CASE_OFFICER)
    services.agreement_transition(agreement=fresh(a), to="amendment", actor=amender)
    action = reverse("agreements:transition", args=[a.pk])
    client = in_english(logged_in(amender))
    page = client.get(reverse("agreements:agreement", args=[a.pk])).content.decode()
    data = {"to": "signing", "seen_state": posted_state(page, action)}
    assert "Send the amendment for signing?" in client.post(action, data).content.decode()
    assert fresh(a).status == "amendment"
    response = client.post(action, {**data, "confirmed": "1"})
    assert fresh(a).status == "signing"
    assert "The amendment has been sent for signing." in queued_messages(response)[0]


def test_a_screening_sent_with_an_error_comes_back_with_what_was_typed(iop: Iop) -> None:
    """The officer forgets to choose the outcome: the page comes back with the error in the
    summary and every comment they wrote still in its field; nothing is recorded."""
    from agreements.models import SCREENING_CRITERIA

    a = services.agreement_transition(
        agreement=fresh(iop.agreement), to="screening", actor=iop.officer
    )
    data = {"comment": "Vi behöver veta mer om målgruppen."}
    for key, _label in SCREENING_CRITERIA:
        data[f"comment_{key}"] = f"Bedömning av {key}."
    response = logged_in(iop.officer).post(reverse("agreements:screen", args=[a.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Fel: " in page
    assert "data-error-summary" in page
    assert "Vi behöver veta mer om målgruppen." in page
    for key, _label in SCREENING_CRITERIA:
        assert f'value="Bedömning av {key}."' in page
    assert fresh(a).status == "screening"


# --- found by testers: the officer's side ---------------------------------------------------


def test_legal_review_confirmation_warns_of_empty_sections_and_no_contributions(
    iop: Iop,
) -> None:
    a = screened(iop)
    action = reverse("agreements:transition", args=[a.pk])
    client = logged_in(iop.officer)
    page = client.get(reverse("agreements:agreement", args=[a.pk])).content.decode()
    data = {"to": "legal_review", "seen_state": posted_state(page, action)}
    Agreement.objects.filter(pk=a.pk).update(
        sections={"background": "Bakgrund.", "values": "Värden.", "goals": " "}
    )
    asked = client.post(action, data).content.decode()
    assert "5 av 7 avsnitt är tomma." in asked and "Inga insatser är angivna." in asked
    assert "tas tillbaka från signeringen" not in asked  # not what this step leads to
    assert "beslutar" in asked
    client.post(action, {**data, "confirmed": "1"})
    assert fresh(a).status == "legal_review"  # a warning, not a block


def test_the_state_aid_route_is_not_chosen_beforehand(iop: Iop) -> None:
    a = screened(iop)
    services.agreement_transition(agreement=fresh(a), to="legal_review", actor=iop.officer)
    page = logged_in(iop.officer).get(reverse("agreements:agreement", args=[a.pk]))
    html = page.content.decode()
    routes = re.findall(r'<input[^>]*name="route"[^>]*>', html)
    assert len(routes) == 4 and not any("checked" in route for route in routes)
    assert "selected" not in html.split('name="route"', 1)[1].split("</fieldset>", 1)[0]
