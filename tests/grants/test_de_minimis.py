"""A grant programme classed as de minimis aid: the case officer assesses economic activity with
the proposal; the proposal and the decision show the undertaking's three years and its room
under the ceiling and refuse a grant that would cross it (or that has no declaration since the
call opened); the decision enters the aid in the organisation's ledger in its own transaction,
and the decision's text and email say that it is de minimis aid, under which regulation, and
its amount in euro."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from grants import selectors, services
from grants.models import Application, StateAidClass
from grants.state_aid import SOURCE_KIND
from organisations import services as organisation_services
from organisations import state_aid
from organisations.models import (
    AidEntry,
    AidOrigin,
    AidRegulation,
    StateAidSettings,
)
from portal.formats import long_date
from tests.grants.aid import (
    NBSP,
    REASONS,
    D,
    classify,
    declare,
    from_the_region,
    in_review,
    propose,
    proposed_aid,
)
from tests.grants.conftest import (
    Grants,
    decide_proposal,
    pay,
    seen_version,
    submitted,
)
from tests.helpers.audit import audit_events
from tests.helpers.clients import in_english, logged_in
from tests.helpers.queries import count_queries, sql_of
from tests.organisations.factories import OrganisationFactory, OrganisationMembershipFactory

pytestmark = pytest.mark.django_db


def entries_of(application: Application) -> list[AidEntry]:
    return list(
        AidEntry.objects.filter(
            origin=AidOrigin.DECIDED, source_kind=SOURCE_KIND, source_id=application.pk
        )
    )


def officer_url(application: Application) -> str:
    return reverse("grants:officer_application", args=[application.pk])


def eur(amount: str) -> str:
    return state_aid.format_eur(D(amount))


# --- the classification and the assessment ----------------------------------------------------


def test_a_programme_classed_as_aid_needs_its_reasons(grants: Grants) -> None:
    programme = grants.programme
    programme.state_aid_class = StateAidClass.DE_MINIMIS
    programme.state_aid_reasons = " "
    with pytest.raises(ValidationError) as error:
        programme.full_clean()
    assert set(error.value.message_dict) == {"state_aid_reasons"}
    programme.state_aid_class = StateAidClass.NOT_AID
    programme.full_clean()  # not state aid: no reasons needed


def test_the_admin_form_of_a_programme_refuses_a_classification_without_reasons(
    grants: Grants,
) -> None:
    from grants.admin import ProgrammeAdminForm

    programme = grants.programme
    data = {
        "public_body": programme.public_body_id,
        "name": programme.name,
        "kind": programme.kind,
        "requires_verified": "on",
        "is_active": "on",
        "state_aid_class": StateAidClass.SGEI_DE_MINIMIS,
        "state_aid_reasons": "",
    }
    form = ProgrammeAdminForm(data, instance=programme)
    assert not form.is_valid()
    assert "state_aid_reasons" in form.errors
    form = ProgrammeAdminForm(
        data | {"state_aid_reasons": "Bidraget ersätter en tjänst av allmänt ekonomiskt intresse."},
        instance=programme,
    )
    assert form.is_valid(), form.errors


def test_the_proposal_in_a_de_minimis_programme_needs_the_assessment_with_its_reasons(
    de_minimis: Grants,
) -> None:
    g = de_minimis
    application = in_review(g)
    officer = in_english(logged_in(g.officer))
    page = officer.get(officer_url(application))
    assert "economic_activity" in page.context["proposal_form"].fields
    response = officer.post(
        reverse("grants:propose", args=[application.pk]),
        {
            "outcome": "approve",
            "motivation": "Bra evenemang.",
            "seen_version": seen_version(officer, application, "proposal_form"),
        },
    )
    assert response.status_code == 400
    errors = response.context["proposal_form"].errors
    assert set(errors) == {"economic_activity", "economic_activity_reasons"}
    assert 'href="#id_economic_activity"' in response.content.decode()  # the error summary
    application.refresh_from_db()
    assert application.status == "in_review"

    # the service holds the same rule, whoever calls it
    with pytest.raises(ValidationError) as error:
        propose(g, application, economic_activity=None, reasons="")
    assert {"economic_activity", "economic_activity_reasons"} <= set(error.value.message_dict)

    application = propose(g, application, economic_activity=False, reasons="Amatörverksamhet.")
    assert (application.economic_activity, application.economic_activity_reasons) == (
        False,
        "Amatörverksamhet.",
    )


def test_a_programme_that_is_not_aid_asks_nothing_about_economic_activity(grants: Grants) -> None:
    g = grants
    application = in_review(g)
    page = logged_in(g.officer).get(officer_url(application))
    assert "economic_activity" not in page.context["proposal_form"].fields
    assert page.context["aid_panel"] is None
    assert 'id="aid-heading"' not in page.content.decode()
    # the assessment is not kept where there is none to make
    application = propose(g, application, economic_activity=True, reasons="Något.")
    assert application.economic_activity is None and application.economic_activity_reasons == ""


def test_the_assessment_is_part_of_what_the_decision_maker_saw(de_minimis: Grants) -> None:
    application = proposed_aid(de_minimis)
    before = services.decision_version(application)
    Application.objects.filter(pk=application.pk).update(economic_activity_reasons="Annat skäl.")
    application.refresh_from_db()
    assert services.decision_version(application) != before


# --- the check at the proposal and at the decision ---------------------------------------------


def test_the_officer_pages_show_the_sum_the_room_and_when_room_frees_up(
    de_minimis: Grants,
) -> None:
    g = de_minimis
    declare(g, from_the_region("100000", days_ago=400), from_the_region("20000", days_ago=30))
    application = in_review(g)
    officer = in_english(logged_in(g.officer))
    page = officer.get(officer_url(application)).content.decode()
    panel = page.split('id="aid-heading"')[1].split("</section>")[0]
    assert eur("120000") in panel  # counted over three years
    assert eur("300000") in panel  # the ceiling
    assert eur("180000") in panel and f"1{NBSP}980{NBSP}000{NBSP}kr" in panel  # the room
    assert eur("3636.36") in panel  # the amount applied for, in euro
    first = state_aid.frees_on(timezone.localdate() - dt.timedelta(days=400))
    assert long_date(first) in panel and eur("100000") in panel  # when room frees up first
    assert "11,0000" in panel and "InforEuro" in panel  # the rate used
    assert "Version 2" in panel  # the declaration

    propose(g, application)
    decider = in_english(logged_in(g.decision_maker))
    page = decider.get(officer_url(application)).content.decode()
    assert 'id="aid-heading"' in page and eur("3636.36") in page  # this grant in euro
    check = decider.post(
        reverse("grants:decide", args=[application.pk]),
        {
            "decision": "confirm",
            "seen_version": seen_version(decider, application, "decision_form"),
        },
    )
    assert check.templates[0].name == "grants/decision_confirm.html"
    confirm = check.content.decode()
    assert 'id="aid-heading"' in confirm and eur("120000") in confirm
    assert REASONS in confirm  # the assessment the decision maker decides on


def test_the_room_is_shown_exactly(de_minimis: Grants) -> None:
    g = de_minimis
    declare(g, from_the_region("100000"))
    application = in_review(g)
    panel = selectors.aid_panel(application=application, amount=application.amount_requested)
    assert panel is not None
    assert panel.general_eur == D("100000")
    assert panel.headroom_eur == D("200000")
    assert panel.headroom_sek == D("2200000")
    assert panel.amount_eur == D("3636.36")
    assert panel.releases[0].amount_eur == D("100000")
    assert panel.refusal == "" and panel.declaration_missing == ""


def test_a_proposal_that_would_cross_the_ceiling_is_refused(de_minimis: Grants) -> None:
    g = de_minimis
    declare(g, from_the_region("299000"))  # 1 000 euro (11 000 kr) left
    application = in_review(g)
    officer = in_english(logged_in(g.officer))
    typed = {
        "outcome": "approve",  # 40 000 kr: 3 636,36 euro
        "motivation": "Bra evenemang.",
        "economic_activity": "yes",
        "economic_activity_reasons": REASONS,
        "seen_version": seen_version(officer, application, "proposal_form"),
    }
    response = officer.post(reverse("grants:propose", args=[application.pk]), typed)
    assert response.status_code == 400
    [message] = response.context["proposal_form"].errors["outcome"]
    assert "not covered at all" in message and eur("1000") in message
    assert 'id="error-summary-proposalform"' in response.content.decode()
    application.refresh_from_db()
    assert application.status == "in_review"

    # not economic activity: not state aid, whatever the room
    response = officer.post(
        reverse("grants:propose", args=[application.pk]),
        typed | {"economic_activity": "no"},
    )
    assert response.status_code == 200  # the confirmation page
    # the whole grant within the room is proposed
    application = propose(g, application, outcome="partly", amount=D("11000"))
    assert application.status == "proposed"


def test_at_the_ceiling_it_is_all_or_nothing_and_a_refused_decision_writes_nothing(
    de_minimis: Grants,
) -> None:
    g = de_minimis
    declare(g, from_the_region("299000"))  # 1 000 euro (11 000 kr) left
    application = proposed_aid(g, outcome="partly", amount=D("5000"))
    left = services.call_budget_left(g.call)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        decide_proposal(
            application,
            g.decision_maker,
            decision="change",
            amount=D("11000.06"),  # 1 000,01 euro: one cent over
            change_reason="Hela kostnaden.",
        )
    assert "not covered at all" in " ".join(error.value.message_dict["amount"])
    application.refresh_from_db()
    assert application.status == "proposed" and application.decided_at is None
    assert application.decided_amount is None and application.decision_state_aid_class == ""
    assert entries_of(application) == []
    assert services.call_budget_left(g.call) == left
    assert not audit_events(application, "status_changed", from_state="proposed").exists()
    assert not audit_events(g.organisation, "de_minimis_granted").exists()

    decide_proposal(
        application,
        g.decision_maker,
        decision="change",
        amount=D("11000"),  # exactly the room
        change_reason="Hela kostnaden.",
    )
    [entry] = entries_of(application)
    assert entry.amount_eur == D("1000.00")
    assert state_aid.standing(
        organisation_id=g.organisation.pk, at=timezone.localdate()
    ).headroom_eur() == D(0)


def test_the_decision_page_refuses_an_amount_over_the_ceiling_as_a_form_error(
    de_minimis: Grants,
) -> None:
    g = de_minimis
    declare(g, from_the_region("299000"))
    application = proposed_aid(g, outcome="partly", amount=D("5000"))
    decider = in_english(logged_in(g.decision_maker))
    typed = {
        "decision": "change",
        "amount": "20 000",
        "change_reason": "Hela kostnaden.",
        "seen_version": seen_version(decider, application, "decision_form"),
    }
    for step in ({}, {"confirmed": "1"}):  # the check, and a POST that skips it
        response = decider.post(reverse("grants:decide", args=[application.pk]), typed | step)
        assert response.status_code == 200
        [message] = response.context["decision_form"].errors["amount"]
        assert "not covered at all" in message
        assert 'id="error-summary-decisionform"' in response.content.decode()
    application.refresh_from_db()
    assert application.status == "proposed" and entries_of(application) == []


def test_the_decision_enters_the_grant_once_with_its_euro_and_rate(de_minimis: Grants) -> None:
    g = de_minimis
    application = proposed_aid(g)
    decide_proposal(application, g.decision_maker)
    [entry] = AidEntry.objects.filter(origin=AidOrigin.DECIDED)
    assert entry.source_kind == SOURCE_KIND and entry.source_id == application.pk
    assert entry.organisation == g.organisation
    assert entry.regulation == AidRegulation.DE_MINIMIS
    assert entry.amount_sek == D("40000") and entry.gross_grant_equivalent_sek == D("40000")
    assert entry.amount_eur == D("3636.36")
    assert entry.sek_per_eur == D("11.0000") and entry.rate_date == dt.date(2026, 11, 1)
    assert "InforEuro" in entry.rate_source
    assert entry.decided_on == timezone.localdate()
    assert entry.public_body == g.body and entry.granting_body == g.body.name
    assert entry.source_reference == application.registry_number
    assert entry.recorded_by == g.decision_maker
    assert application.decision_state_aid_class == StateAidClass.DE_MINIMIS


def test_an_sgei_programme_enters_sgei_aid_under_its_ceiling(de_minimis: Grants) -> None:
    g = de_minimis
    classify(g.programme, StateAidClass.SGEI_DE_MINIMIS)
    declare(g, from_the_region("299000"))  # general aid: the SGEI ceiling leaves room
    application = proposed_aid(g)
    decide_proposal(application, g.decision_maker)
    [entry] = entries_of(application)
    assert entry.regulation == AidRegulation.SGEI and entry.amount_eur == D("3636.36")


def test_without_a_declaration_since_the_call_opened_nothing_is_proposed_or_decided(
    de_minimis: Grants,
) -> None:
    g = de_minimis
    application = in_review(g)
    # the call opened after the organisation's only declaration
    g.call.opens_at = timezone.now() + dt.timedelta(seconds=1)
    g.call.save()
    application.refresh_from_db()
    with translation.override("en"), pytest.raises(ValidationError) as error:
        propose(g, application)
    assert "has not declared its de minimis aid" in " ".join(error.value.message_dict["outcome"])
    assert "the call opened" in " ".join(error.value.message_dict["outcome"])

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=1), tick=False):
        declare(g)  # a new declaration, after the opening
        application = propose(g, application)
    # then the call's opening moves after it again (the administrator reopens the call)
    g.call.opens_at = timezone.now() + dt.timedelta(minutes=2)
    g.call.save()
    application.refresh_from_db()
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.decision_preview(
            application=application,
            actor=g.decision_maker,
            decision="confirm",
            seen_version=services.decision_version(application),
        )
    assert "has not declared" in " ".join(error.value.message_dict["decision"])
    with pytest.raises(ValidationError):
        decide_proposal(application, g.decision_maker)
    application.refresh_from_db()
    assert application.status == "proposed" and entries_of(application) == []


def test_a_programme_not_classed_as_aid_and_a_case_without_economic_activity_enter_nothing(
    grants: Grants,
) -> None:
    g = grants
    not_aid = proposed_aid(g)  # the programme is not state aid: no declaration needed either
    decide_proposal(not_aid, g.decision_maker)
    assert not_aid.status == "approved" and not_aid.decision_state_aid_class == "not_aid"

    classify(g.programme, StateAidClass.DE_MINIMIS)  # still no declaration
    amateur = proposed_aid(g, economic_activity=False, reasons="Amatörverksamhet för barn.")
    decide_proposal(amateur, g.decision_maker)
    assert amateur.status == "approved" and amateur.decision_state_aid_class == "de_minimis"

    rejected = proposed_aid(g, outcome="reject", economic_activity=True)
    decide_proposal(rejected, g.decision_maker)
    assert rejected.status == "rejected"
    assert not AidEntry.objects.exists()
    for application in (not_aid, amateur, rejected):
        page = logged_in(g.viewer).get(reverse("grants:application", args=[application.pk]))
        assert 'id="de-minimis-heading"' not in page.content.decode()


def test_the_decision_date_counts_not_the_payment_date(de_minimis: Grants) -> None:
    """A grant decided before the three years and paid within them no longer counts."""
    g = de_minimis
    granted = proposed_aid(g)
    decide_proposal(granted, g.decision_maker)
    decided_on = timezone.localdate()
    later = in_review(g, amount="10000")
    frees = state_aid.frees_on(decided_on)
    day_before = timezone.make_aware(dt.datetime.combine(frees - dt.timedelta(days=1), dt.time(12)))
    with time_machine.travel(day_before, tick=False):
        panel = selectors.aid_panel(application=later, amount=D("10000"))
        assert panel is not None and panel.general_eur == D("3636.36")
    with time_machine.travel(day_before + dt.timedelta(days=1), tick=False):
        pay(g, granted)  # paid within the three years of a grant decided today …
        panel = selectors.aid_panel(application=later, amount=D("10000"))
        assert panel is not None and panel.general_eur == D(0)  # … does not count
    [entry] = entries_of(granted)
    assert entry.decided_on == decided_on  # payments do not touch the ledger
    assert AidEntry.objects.count() == 1


# --- the decision's text -----------------------------------------------------------------------


def test_the_decision_and_its_email_say_it_is_de_minimis_aid(
    de_minimis: Grants,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    g = de_minimis
    application = proposed_aid(g)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decide_proposal(application, g.decision_maker)
    [message] = [m for m in mail.outbox if g.representative.email in m.to and "Beslut" in m.subject]
    for text in (message.body,):
        assert "2023/2831" in text
        assert "de minimis aid" in text or "stöd av mindre betydelse" in text
        assert eur("3636.36") in text
        assert "11,0000" in text  # the rate used
    assert "2023/2831" in str(message.alternatives[0][0])
    # the organisation reads the same on the decision's page, and the officer too
    for user, url in (
        (g.viewer, reverse("grants:application", args=[application.pk])),
        (g.officer, officer_url(application)),
    ):
        with translation.override("en"):
            page = in_english(logged_in(user)).get(url).content.decode()
        statement = page.split('id="de-minimis-heading"')[1].split("</div>")[0]
        assert "Commission Regulation (EU) 2023/2831 of 13 December 2023" in statement
        assert eur("3636.36") in statement and "11,0000 SEK per euro" in statement
        assert "ten years" in statement and "three years" in statement


def test_an_sgei_decision_names_its_regulation(de_minimis: Grants) -> None:
    g = de_minimis
    classify(g.programme, StateAidClass.SGEI_DE_MINIMIS)
    application = proposed_aid(g)
    decide_proposal(application, g.decision_maker)
    page = (
        in_english(logged_in(g.viewer))
        .get(reverse("grants:application", args=[application.pk]))
        .content.decode()
    )
    assert "services of general economic interest" in page and "2023/2832" in page


def test_the_decision_text_stays_when_the_programme_is_classed_anew(de_minimis: Grants) -> None:
    g = de_minimis
    application = proposed_aid(g)
    decide_proposal(application, g.decision_maker)
    classify(g.programme, StateAidClass.NOT_AID)
    settings = StateAidSettings.load()
    settings.sek_per_eur = D("12")  # and the rate changes
    settings.save()
    page = (
        logged_in(g.viewer)
        .get(reverse("grants:application", args=[application.pk]))
        .content.decode()
    )
    assert "2023/2831" in page and eur("3636.36") in page and "11,0000" in page


# --- who sees what, and what it costs -------------------------------------------------------------


def test_an_association_member_never_sees_the_officers_panel(de_minimis: Grants) -> None:
    g = de_minimis
    declare(g, from_the_region("100000"))
    application = proposed_aid(g)
    member = logged_in(g.representative)
    assert member.get(officer_url(application)).status_code == 404
    page = member.get(reverse("grants:application", args=[application.pk]))
    assert page.status_code == 200
    assert "aid_panel" not in page.context
    assert 'id="aid-heading"' not in page.content.decode()
    assert eur("100000") not in page.content.decode()
    response = member.post(
        reverse("grants:decide", args=[application.pk]),
        {"decision": "confirm", "seen_version": services.decision_version(application)},
    )
    assert response.status_code == 404
    assert entries_of(application) == []
    # an officer of another public body does not see the case at all
    assert logged_in(g.other_body_officer).get(officer_url(application)).status_code == 404


def test_the_officers_page_reads_the_ledger_in_a_fixed_number_of_queries(
    de_minimis: Grants,
) -> None:
    g = de_minimis
    application = proposed_aid(g)
    client = logged_in(g.decision_maker)

    def page_queries() -> list[str]:
        client.get(officer_url(application))  # the person's session read once
        with count_queries() as queries:
            page = client.get(officer_url(application))
        assert 'id="aid-heading"' in page.content.decode()
        return sql_of(queries)

    declare(g, from_the_region("1000"))
    few = page_queries()
    declare(g, *(from_the_region("1000", days_ago=10 + day) for day in range(30)))
    # and another organisation linked as one undertaking, with aid of its own
    company = OrganisationFactory(name="Evenemangsbolaget AB", status="verified")
    organisation_services.undertaking_link(
        actor=g.officer,
        organisation=g.organisation,
        other=company,
        reason="Föreningen äger bolaget.",
    )
    organisation_services.aid_declaration_sign(
        organisation=company,
        actor=OrganisationMembershipFactory(organisation=company, role="representative").user,
        items=[from_the_region("100", days_ago=number + 1) for number in range(10)],
        none_received=False,
        certified=True,
    )
    many = page_queries()
    # one more query names the organisations of the undertaking; the entries cost none
    assert len(many) <= len(few) + 1, many
    assert "Evenemangsbolaget AB" in client.get(officer_url(application)).content.decode()


def test_a_programme_classed_after_the_proposal_grants_nothing_unassessed(grants: Grants) -> None:
    g = grants
    application = proposed_aid(g)  # not state aid when proposed: no assessment
    classify(g.programme, StateAidClass.DE_MINIMIS)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        decide_proposal(application, g.decision_maker)
    assert "no assessment" in " ".join(error.value.message_dict["decision"])
    decide_proposal(application, g.decision_maker, decision="reject", change_reason="Oklart stöd.")
    assert application.status == "rejected" and not AidEntry.objects.exists()


def test_the_association_is_told_to_declare_its_aid_before_the_decision(de_minimis: Grants) -> None:
    g = de_minimis
    application = submitted(g)
    member = in_english(logged_in(g.editor))
    page = member.get(reverse("grants:application", args=[application.pk])).content.decode()
    assert 'id="de-minimis-declaration-heading"' in page
    assert reverse("organisations:aid_declaration", args=[g.organisation.pk]) in page
    # declared since the call opened: the page says it is done, and by whom
    assert "De minimis aid: declared" in page and "(version 1)" in page
    g.organisation.aid_declarations.update(declared_at=g.call.opens_at - dt.timedelta(days=1))
    page = member.get(reverse("grants:application", args=[application.pk])).content.decode()
    assert "De minimis aid: declare the aid you have received" in page
    assert "De minimis aid: declared" not in page
    call = member.get(reverse("grants:call", args=[g.call.pk])).content.decode()
    assert "de minimis aid under Commission Regulation (EU) 2023/2831" in call

    classify(g.programme, StateAidClass.NOT_AID)
    page = member.get(reverse("grants:application", args=[application.pk])).content.decode()
    assert 'id="de-minimis-declaration-heading"' not in page
    assert "2023/2831" not in member.get(reverse("grants:call", args=[g.call.pk])).content.decode()


def test_the_archived_decision_keeps_what_it_said_of_the_aid(
    de_minimis: Grants,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    import portal.pdf
    from portal.earchive.services import case_package

    g = de_minimis
    application = proposed_aid(g)
    decide_proposal(application, g.decision_maker)
    pay(g, application)  # paid in full, no follow-up report asked for: the case is closed
    seen: dict[str, str] = {}
    real = portal.pdf.render_to_string

    def capture(template: str, context: dict) -> str:  # type: ignore[type-arg]
        seen[template] = real(template, context)
        return seen[template]

    monkeypatch.setattr(portal.pdf, "render_to_string", capture)
    case_package("grants", application.pk)
    html = seen["earchive/print_grant_decision.html"]
    assert "2023/2831" in html and eur("3636.36") in html
