"""The de minimis ledger's rules (organisations.state_aid) and its writes
(organisations.services.state_aid): the rolling three years at their edges, the two ceilings,
declared aid, single undertakings, all-or-nothing, and the ten-year floor of the schedule."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from organisations import services, state_aid
from organisations.models import (
    AidEntry,
    AidInstrument,
    AidOrigin,
    AidRegulation,
    Organisation,
    OrganisationMembership,
    OrganisationRole,
    StateAidSettings,
)
from portal.models import PublicBody, RetentionRule, User
from tests.helpers.concurrency import requires_postgresql, run_together
from tests.organisations.factories import OrganisationFactory, OrganisationMembershipFactory
from tests.portal.factories import PublicBodyFactory, UserFactory

D = Decimal
LONG_AGO = timezone.make_aware(dt.datetime(2020, 1, 1))


@dataclass
class Ledger:
    organisation: Organisation
    representative: User
    body: PublicBody
    officer: User

    def grant(
        self,
        sek: str,
        on: dt.date,
        *,
        regulation: str = AidRegulation.DE_MINIMIS,
        organisation: Organisation | None = None,
        case: int | None = None,
        gross: str | None = None,
        instrument: str = AidInstrument.GRANT,
    ) -> AidEntry:
        grant.counter += 1
        return services.aid_grant(
            organisation=organisation or self.organisation,
            actor=self.officer,
            regulation=regulation,
            decided_on=on,
            amount_sek=D(sek),
            gross_grant_equivalent_sek=None if gross is None else D(gross),
            instrument=instrument,
            public_body=self.body,
            source_kind="tests.case",
            source_id=case or grant.counter,
            source_reference=f"KS 2026/{grant.counter}",
            since=LONG_AGO,
            since_label="the call opened",
        )

    def declare(
        self, *items: services.DeclaredAid, organisation: Organisation | None = None
    ) -> None:
        organisation = organisation or self.organisation
        representative = self.representative
        if organisation != self.organisation:
            membership = OrganisationMembership.objects.create(
                organisation=organisation,
                user=UserFactory(),
                role=OrganisationRole.REPRESENTATIVE,
            )
            representative = membership.user
        services.aid_declaration_sign(
            organisation=organisation,
            actor=representative,
            items=list(items),
            none_received=not items,
            certified=True,
        )


def grant() -> None:  # a counter for the cases' ids
    pass


grant.counter = 0  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    """The services' messages, as an English reader sees them."""
    with translation.override("en"):
        yield


@pytest.fixture
def ledger(db: None) -> Ledger:
    settings = StateAidSettings.load()
    settings.sek_per_eur = D("10")  # round numbers: 10 kr = 1 euro
    settings.rate_date = dt.date(2026, 11, 1)
    settings.rate_source = "Europeiska kommissionens månadskurs (InforEuro)"
    settings.ceiling_eur = 300_000
    settings.sgei_ceiling_eur = 750_000
    settings.save()
    membership = OrganisationMembershipFactory(role=OrganisationRole.REPRESENTATIVE)
    officer = UserFactory(name="Hanna Handläggare")
    from tests.portal.factories import MembershipFactory

    MembershipFactory(user=officer)
    ledger = Ledger(
        organisation=membership.organisation,
        representative=membership.user,
        body=PublicBodyFactory(name="Kultur- och fritidsnämnden"),
        officer=officer,
    )
    ledger.declare()  # version 1: no aid from others
    return ledger


def counted(ledger: Ledger, at: dt.date, organisation: Organisation | None = None) -> Decimal:
    return state_aid.standing(
        organisation_id=(organisation or ledger.organisation).pk, at=at
    ).general_eur


# --- the rolling three years ----------------------------------------------------------------


def test_the_day_three_years_back_counts_and_the_day_before_does_not(ledger: Ledger) -> None:
    ledger.grant("100000", dt.date(2024, 3, 15))
    assert counted(ledger, dt.date(2027, 3, 15)) == D("10000")  # the same date: counted
    assert counted(ledger, dt.date(2027, 3, 16)) == 0  # the day after: out
    # an aid dated the day before must fit with it too: its three years hold that aid
    assert counted(ledger, dt.date(2024, 3, 14)) == D("10000")
    assert state_aid.frees_on(dt.date(2024, 3, 15)) == dt.date(2027, 3, 16)


def test_leap_days_at_both_ends_of_the_window(ledger: Ledger) -> None:
    # granted on a leap day: three years on there is no 29 February, so the 28th is the edge
    ledger.grant("100000", dt.date(2024, 2, 29))
    assert counted(ledger, dt.date(2027, 2, 28)) == D("10000")
    assert counted(ledger, dt.date(2027, 3, 1)) == 0
    assert state_aid.frees_on(dt.date(2024, 2, 29)) == dt.date(2027, 3, 1)
    # decided on a leap day: the window starts on 28 February three years back
    assert state_aid.window_start(dt.date(2028, 2, 29)) == dt.date(2025, 2, 28)
    ledger.grant("50000", dt.date(2025, 2, 28))
    assert counted(ledger, dt.date(2028, 2, 29)) == D("5000")
    assert counted(ledger, dt.date(2028, 3, 1)) == 0
    # an aid of 28 February 2025 still counts on 29 February 2028: it is freed on 1 March
    assert state_aid.frees_on(dt.date(2025, 2, 28)) == dt.date(2028, 3, 1)


def test_aid_counts_from_its_decision_date(ledger: Ledger) -> None:
    """Decided on 30 November 2023 (paid in January 2024): on 1 December 2026 it is out."""
    ledger.grant("100000", dt.date(2023, 11, 30))
    assert counted(ledger, dt.date(2026, 11, 30)) == D("10000")
    assert counted(ledger, dt.date(2026, 12, 1)) == 0


def test_releases_say_when_headroom_frees_up(ledger: Ledger) -> None:
    ledger.grant("1000000", dt.date(2024, 6, 1))
    ledger.grant("500000", dt.date(2025, 1, 10))
    ledger.grant("200000", dt.date(2025, 1, 10))
    now = state_aid.standing(organisation_id=ledger.organisation.pk, at=dt.date(2026, 12, 1))
    assert now.general_eur == D("170000")
    assert now.headroom_eur() == D("130000")
    assert now.headroom_sek() == D("1300000")
    assert [(r.day, r.amount_eur) for r in now.releases] == [
        (dt.date(2027, 6, 2), D("100000")),
        (dt.date(2028, 1, 11), D("70000")),
    ]


# --- amounts --------------------------------------------------------------------------------


def test_aid_in_kind_counts_at_its_gross_grant_equivalent(ledger: Ledger) -> None:
    entry = ledger.grant(
        "240000", dt.date(2026, 1, 1), gross="60000", instrument=AidInstrument.IN_KIND
    )
    assert entry.amount_sek == D("240000")
    assert entry.gross_grant_equivalent_sek == D("60000")
    assert entry.amount_eur == D("6000")
    assert counted(ledger, dt.date(2026, 12, 1)) == D("6000")


def test_each_entry_keeps_the_rate_it_was_converted_at(ledger: Ledger) -> None:
    first = ledger.grant("110000", dt.date(2026, 1, 1))
    settings = StateAidSettings.load()
    settings.sek_per_eur = D("11.2345")
    settings.rate_date = dt.date(2026, 12, 1)
    settings.save()
    second = ledger.grant("112345", dt.date(2026, 12, 1))
    first.refresh_from_db()
    assert (first.sek_per_eur, first.amount_eur, first.rate_date) == (
        D("10"),
        D("11000"),
        dt.date(2026, 11, 1),
    )
    assert (second.sek_per_eur, second.amount_eur) == (D("11.2345"), D("10000"))
    assert second.rate_source == "Europeiska kommissionens månadskurs (InforEuro)"


# --- declared aid ---------------------------------------------------------------------------


def declared(sek: str, on: dt.date, **more: object) -> services.DeclaredAid:
    values: dict[str, object] = {
        "granting_body": "Region Exempel",
        "decided_on": on,
        "regulation": AidRegulation.DE_MINIMIS,
        "instrument": AidInstrument.GRANT,
        "amount_sek": D(sek),
    }
    values.update(more)
    return services.DeclaredAid(**values)  # type: ignore[arg-type]


def test_declared_aid_counts_and_a_newer_declaration_replaces_it(ledger: Ledger) -> None:
    today = timezone.localdate()
    ledger.declare(declared("500000", today - dt.timedelta(days=100)))
    assert counted(ledger, today) == D("50000")
    # a loan declared at its gross grant equivalent; a euro amount stated in the decision wins
    ledger.declare(
        declared(
            "2000000",
            today - dt.timedelta(days=10),
            instrument=AidInstrument.LOAN,
            gross_grant_equivalent_sek=D("100000"),
        ),
        declared("300000", today - dt.timedelta(days=5), amount_eur=D("27000")),
    )
    assert counted(ledger, today) == D("37000")  # 10 000 + 27 000; version 1 no longer counts
    versions = list(ledger.organisation.aid_declarations.order_by("number"))
    assert [v.number for v in versions] == [1, 2, 3]
    assert versions[1].entries.get().superseded_at is not None
    assert versions[2].entries.filter(superseded_at__isnull=True).count() == 2
    # declaring none leaves nothing declared counting
    ledger.declare()
    assert counted(ledger, today) == 0
    assert ledger.organisation.aid_declarations.count() == 4


def test_a_declaration_is_signed_by_a_representative_only(ledger: Ledger) -> None:
    editor = OrganisationMembershipFactory(
        organisation=ledger.organisation, role=OrganisationRole.EDITOR
    ).user
    with pytest.raises(PermissionDenied):
        services.aid_declaration_sign(
            organisation=ledger.organisation,
            actor=editor,
            items=[],
            none_received=True,
            certified=True,
        )
    outsider = OrganisationMembershipFactory().user  # a representative elsewhere
    with pytest.raises(PermissionDenied):
        services.aid_declaration_sign(
            organisation=ledger.organisation,
            actor=outsider,
            items=[],
            none_received=True,
            certified=True,
        )
    assert ledger.organisation.aid_declarations.count() == 1  # the fixture's


def test_a_declaration_with_bad_rows_says_what_to_correct_and_writes_nothing(
    ledger: Ledger,
) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        services.aid_declaration_sign(
            organisation=ledger.organisation,
            actor=ledger.representative,
            items=[
                declared("100000", state_aid.window_start(today) - dt.timedelta(days=1)),
                declared("-5", today, granting_body=" "),
                declared("1000", today, gross_grant_equivalent_sek=D("2000")),
            ],
            none_received=True,
            certified=False,
        )
    errors = refused.value.message_dict
    assert set(errors) == {
        "item-0-decided_on",
        "item-1-granting_body",
        "item-1-amount_sek",
        "item-2-gross_grant_equivalent_sek",
        "none_received",
        "certified",
    }
    assert ledger.organisation.aid_declarations.count() == 1  # the fixture's
    assert not AidEntry.objects.exists()


# --- the check: ceilings, all or nothing, declarations -----------------------------------------


def test_a_grant_that_would_cross_the_ceiling_is_refused_whole(ledger: Ledger) -> None:
    today = timezone.localdate()
    ledger.grant("2900000", today - dt.timedelta(days=400))  # 290 000 euro
    with pytest.raises(ValidationError) as refused:
        ledger.grant("100010", today)  # 10 001 euro: one euro too many
    message = refused.value.messages[0]
    assert "not covered at all" in message and "10\u00a0000\u00a0euro" in message
    assert AidEntry.objects.count() == 1  # nothing trimmed to fit, nothing entered
    entry = ledger.grant("100000", today)  # exactly the room left
    assert entry.amount_eur == D("10000")
    assert counted(ledger, today) == D("300000")


def test_sgei_aid_has_its_own_ceiling_and_general_aid_counts_towards_it(ledger: Ledger) -> None:
    today = timezone.localdate()
    ledger.grant("3000000", today - dt.timedelta(days=30))  # 300 000 euro, general: full
    with pytest.raises(ValidationError):
        ledger.grant("10", today)  # general aid: no room
    # SGEI aid: up to 750 000 euro of all de minimis aid together
    ledger.grant("4500000", today, regulation=AidRegulation.SGEI)  # 450 000 euro
    with pytest.raises(ValidationError) as refused:
        ledger.grant("10", today, regulation=AidRegulation.SGEI)
    assert "750\u00a0000\u00a0euro" in refused.value.messages[0]
    now = state_aid.standing(organisation_id=ledger.organisation.pk, at=today)
    assert (now.general_eur, now.total_eur) == (D("300000"), D("750000"))
    assert now.headroom_eur(AidRegulation.SGEI) == 0


def test_general_aid_is_also_held_under_the_sgei_ceiling(ledger: Ledger) -> None:
    today = timezone.localdate()
    ledger.grant("6000000", today - dt.timedelta(days=30), regulation=AidRegulation.SGEI)
    # 600 000 euro of SGEI aid: general aid may only take what is left under 750 000
    now = state_aid.standing(organisation_id=ledger.organisation.pk, at=today)
    assert now.headroom_eur(AidRegulation.DE_MINIMIS) == D("150000")
    with pytest.raises(ValidationError):
        ledger.grant("1500010", today)
    ledger.grant("1500000", today)


def test_declared_aid_fills_the_headroom(ledger: Ledger) -> None:
    today = timezone.localdate()
    ledger.declare(declared("2950000", today - dt.timedelta(days=200)))
    with pytest.raises(ValidationError):
        ledger.grant("60000", today)
    ledger.grant("50000", today)


def test_a_decision_needs_a_declaration_newer_than_the_case(ledger: Ledger) -> None:
    today = timezone.localdate()
    opened = timezone.now() - dt.timedelta(days=30)

    def decide() -> AidEntry:
        return services.aid_grant(
            organisation=ledger.organisation,
            actor=ledger.officer,
            regulation=AidRegulation.DE_MINIMIS,
            decided_on=today,
            amount_sek=D("1000"),
            public_body=ledger.body,
            source_kind="tests.case",
            source_id=999,
            source_reference="KS 2026/999",
            since=opened,
            since_label="the call opened",
        )

    ledger.organisation.aid_declarations.update(declared_at=opened - dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        decide()  # a declaration from before the call opened is not enough
    ledger.declare()
    assert decide().source_reference == "KS 2026/999"
    decide()  # the same case decided anew keeps one entry
    assert AidEntry.objects.filter(source_kind="tests.case", source_id=999).count() == 1


# --- single undertakings ----------------------------------------------------------------------


def test_linked_organisations_count_together_each_entry_once(ledger: Ledger) -> None:
    today = timezone.localdate()
    company = OrganisationFactory(name="Föreningens Café AB")
    third = OrganisationFactory(name="Stiftelsen Exempel")
    ledger.declare(declared("200000", today - dt.timedelta(days=60)), organisation=company)
    ledger.grant("1000000", today - dt.timedelta(days=50))  # 100 000 euro to the association
    ledger.grant("500000", today - dt.timedelta(days=40), organisation=company)  # 50 000
    assert counted(ledger, today) == D("100000")
    services.undertaking_link(
        actor=ledger.officer,
        organisation=ledger.organisation,
        other=company,
        reason="Föreningen äger alla aktier i bolaget.",
    )
    # linked again through a third organisation: still one undertaking, each entry once
    services.undertaking_link(
        actor=ledger.officer, organisation=company, other=third, reason="Samma styrelse."
    )
    with pytest.raises(ValidationError):
        services.undertaking_link(
            actor=ledger.officer, organisation=third, other=ledger.organisation, reason="Igen."
        )
    now = state_aid.standing(organisation_id=third.pk, at=today)
    assert sorted(now.organisation_ids) == sorted([ledger.organisation.pk, company.pk, third.pk])
    assert now.general_eur == D("170000")  # 100 000 + 50 000 + 20 000, never twice
    assert len(now.entries) == 3
    ledger.declare(organisation=third)
    with pytest.raises(ValidationError) as refused:
        ledger.grant("1300010", today, organisation=third)
    assert "not covered at all" in refused.value.messages[0]
    services.undertaking_unlink(actor=ledger.officer, organisation=third, reason="Avslutat.")
    assert counted(ledger, today, organisation=third) == 0
    assert counted(ledger, today) == D("170000")


def test_only_an_officer_who_may_act_links_organisations(ledger: Ledger) -> None:
    other = OrganisationFactory()
    with pytest.raises(PermissionDenied):
        services.undertaking_link(
            actor=ledger.representative,
            organisation=ledger.organisation,
            other=other,
            reason="Jag vill.",
        )
    # an officer who is a member of the organisation stays out of its cases
    OrganisationMembershipFactory(organisation=other, user=ledger.officer)
    with pytest.raises(PermissionDenied):
        services.undertaking_link(
            actor=ledger.officer, organisation=ledger.organisation, other=other, reason="X."
        )
    assert not ledger.organisation.aid_entries.exists()
    assert state_aid.undertaking_ids(ledger.organisation.pk) == [ledger.organisation.pk]


# --- ten years ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["organisations.de_minimis_ledger", "organisations.aid_declarations"]
)
def test_the_schedule_refuses_less_than_ten_years(db: None, kind: str) -> None:
    rule = RetentionRule(kind=kind, keep_days=3652, basis="Dokumenthanteringsplan § 4")
    with pytest.raises(ValidationError) as refused:
        rule.full_clean()
    assert "keep_days" in refused.value.message_dict
    rule.keep_days = 3653
    rule.full_clean()


# --- concurrency -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@requires_postgresql
def test_two_decisions_for_one_undertaking_at_once_never_cross_the_ceiling_together(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two organisations of one undertaking, 200 000 euro of room, two decisions of 150 000
    euro each at the same moment: one is entered, the other refused."""
    today = timezone.localdate()
    company = OrganisationFactory(name="Föreningens Café AB")
    ledger.declare(organisation=company)
    services.undertaking_link(
        actor=ledger.officer, organisation=ledger.organisation, other=company, reason="Ägs."
    )
    ledger.grant("1000000", today - dt.timedelta(days=10))  # 100 000 euro used
    real_standing = state_aid.standing

    def slow_standing(**kwargs: object) -> state_aid.Standing:
        # widen the window between reading the sum and entering the aid: without the locks,
        # both decisions would read 100 000 euro and both be entered
        result = real_standing(**kwargs)  # type: ignore[arg-type]
        time.sleep(0.3)
        return result

    monkeypatch.setattr(state_aid, "standing", slow_standing)
    results = run_together(
        [
            lambda: ledger.grant("1500000", today, organisation=ledger.organisation, case=501),
            lambda: ledger.grant("1500000", today, organisation=company, case=502),
        ]
    )
    assert sorted(type(r).__name__ for r in results) == ["NoneType", "ValidationError"]
    assert AidEntry.objects.filter(origin=AidOrigin.DECIDED).count() == 2
    total = real_standing(organisation_id=company.pk, at=today).general_eur
    assert total == D("250000")


def test_a_decision_date_outside_its_case_is_refused(ledger: Ledger) -> None:
    """Backdated before its case began, an aid would fall outside the three years later
    decisions count; dated tomorrow, it is no decision yet."""
    for day in (LONG_AGO.date() - dt.timedelta(days=1), timezone.localdate() + dt.timedelta(1)):
        with pytest.raises(ValidationError) as refused:
            ledger.grant("1000", day)
        assert "when the case began" in refused.value.messages[0]
    assert not AidEntry.objects.filter(origin=AidOrigin.DECIDED).exists()
    ledger.grant("1000", LONG_AGO.date())


def test_an_aid_dated_back_must_fit_with_the_aid_decided_since(ledger: Ledger) -> None:
    """An IOP committee decided last spring, entered today: the aid decided after it counts,
    since that aid's three years now hold it."""
    today = timezone.localdate()
    ledger.grant("2900000", today - dt.timedelta(days=10))  # 290 000 euro, ten days ago
    with pytest.raises(ValidationError) as refused:
        ledger.grant("200000", today - dt.timedelta(days=200))  # 20 000 euro, dated back
    assert "not covered at all" in refused.value.messages[0]
    ledger.grant("100000", today - dt.timedelta(days=200))  # 10 000 euro fits both
