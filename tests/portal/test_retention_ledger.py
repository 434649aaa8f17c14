"""The retention schedule and the de minimis ledger: records of de minimis aid are kept for ten
years (2023/2831 Art. 6(4)). The schedule refuses a shorter period for the ledger's two kinds,
the admin says so, the nightly disposal never uses a shorter one even if the schedule's row
says so, and no other kind of record takes the ledger with it."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from decimal import Decimal
from typing import cast

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from grants.models import Application, ApplicationStatus
from organisations import services, state_aid
from organisations.models import (
    AidDeclaration,
    AidEntry,
    AidInstrument,
    AidOrigin,
    AidRegulation,
    Organisation,
)
from portal import registry, retention
from portal.models import DisposalRecord, PublicBody, RetentionRule, User
from portal.tasks import dispose_due
from tests.grants.factories import ApplicationFactory
from tests.organisations.factories import OrganisationMembershipFactory
from tests.portal.factories import PublicBodyFactory, UserFactory

pytestmark = pytest.mark.django_db

LEDGER_KINDS = ("organisations.de_minimis_ledger", "organisations.aid_declarations")
BASIS = "Kommunstyrelsens dokumenthanteringsplan 2026-03-12 § 9"
LONG_AGO = timezone.make_aware(dt.datetime(2000, 1, 1))


def years_ago(years: int, *, days: int = 0) -> dt.datetime:
    return timezone.now() - timedelta(days=round(years * 365.25) + days)


class Aid:
    """An organisation whose aid is decided and declared at any moment (the clock moved)."""

    def __init__(self) -> None:
        membership = OrganisationMembershipFactory(
            organisation__status="verified", role="representative"
        )
        self.organisation = cast(Organisation, membership.organisation)
        self.representative = cast(User, membership.user)
        self.body = cast(PublicBody, PublicBodyFactory(name="Kultur- och fritidsnämnden"))
        self.officer = cast(User, UserFactory())
        self.cases = 0

    def declare(self, at: dt.datetime) -> AidDeclaration:
        """A declaration signed at `at`, of one aid from the region 100 days before."""
        with time_machine.travel(at, tick=False):
            return services.aid_declaration_sign(
                organisation=self.organisation,
                actor=self.representative,
                items=[
                    services.DeclaredAid(
                        granting_body="Region Exempel",
                        decided_on=timezone.localdate() - timedelta(days=100),
                        regulation=AidRegulation.DE_MINIMIS,
                        instrument=AidInstrument.GRANT,
                        amount_sek=Decimal("120000"),
                    )
                ],
                none_received=False,
                certified=True,
            )

    def grant(self, at: dt.datetime) -> AidEntry:
        """A de minimis grant decided on `at`'s date."""
        self.cases += 1
        return services.aid_grant(
            organisation=self.organisation,
            actor=self.officer,
            regulation=AidRegulation.DE_MINIMIS,
            decided_on=timezone.localdate(at),
            amount_sek=Decimal("50000"),
            public_body=self.body,
            source_kind="tests.case",
            source_id=self.cases,
            source_reference=f"KFN {at.year}/{self.cases}",
            since=LONG_AGO,
            since_label="the call opened",
        )


@pytest.fixture
def aid(db: None) -> Aid:
    return Aid()


def administrator() -> Client:
    person = User.objects.create_superuser("arkiv@exempel.se", "x-langt-losenord-1")
    Authenticator.objects.create(user=person, type="totp", data={"secret": "X"})
    client = Client()
    client.force_login(person)
    return client


# --- the schedule ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", LEDGER_KINDS)
def test_the_schedule_refuses_3000_days_for_the_ledger_and_accepts_ten_years(
    db: None, kind: str
) -> None:
    assert registry.registry.disposal_kinds[kind].minimum_days == 3653
    rule = RetentionRule(kind=kind, keep_days=3000, basis=BASIS)
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        rule.full_clean()
    with translation.override("en"):
        assert refused.value.message_dict["keep_days"] == [
            "This kind of record must be kept for at least 3653 days (10 years); leave the "
            "field empty to keep it."
        ]
    rule.keep_days = 3653
    rule.full_clean()
    rule.keep_days = None  # kept: always allowed
    rule.full_clean()
    # a kind without a legal minimum takes a short period
    RetentionRule(kind="grants.rejected", keep_days=30, basis=BASIS).full_clean()


def test_the_admin_shows_the_refusal_and_the_list_says_what_is_kept(db: None) -> None:
    retention.ensure_schedule()
    rule = RetentionRule.objects.get(kind="organisations.de_minimis_ledger")
    assert rule.keep_days is None  # kept until an administrator sets a period
    client = administrator()
    listing = client.get(reverse("admin:portal_retentionrule_changelist")).content.decode()
    assert "bevaras, gallras aldrig" in listing and "3653" in listing

    url = reverse("admin:portal_retentionrule_change", args=[rule.pk])
    form = client.get(url).content.decode()
    assert "3653" in form  # the shortest period allowed, beside the field
    page = client.post(url, {"keep_days": "3000", "basis": BASIS})
    assert page.status_code == 200  # the form again, with the error
    text = page.content.decode()
    assert "3653" in text and 'class="errorlist' in text
    assert RetentionRule.objects.get(pk=rule.pk).keep_days is None
    response = client.post(url, {"keep_days": "3653", "basis": BASIS})
    assert response.status_code == 302
    assert RetentionRule.objects.get(pk=rule.pk).keep_days == 3653
    listing = client.get(reverse("admin:portal_retentionrule_changelist")).content.decode()
    assert ">3653<" in listing

    # a row set shorter outside the admin: the list says what the disposal keeps
    RetentionRule.objects.filter(pk=rule.pk).update(keep_days=30)
    listing = client.get(reverse("admin:portal_retentionrule_changelist")).content.decode()
    assert "3653 (" in listing and "30)" in listing


# --- the disposal ------------------------------------------------------------------------------


def test_the_disposal_keeps_the_ledger_ten_years_whatever_the_row_says(aid: Aid) -> None:
    """The schedule's rows forced to 30 days: an entry and a declaration of five years ago
    stay, those of eleven years ago go (decided aid by its decision date, a declaration by its
    signing and its newest aid), and the log says ten years."""
    old_declaration = aid.declare(years_ago(11))
    old_entry = aid.grant(years_ago(11))
    recent_declaration = aid.declare(years_ago(5))
    recent_entry = aid.grant(years_ago(5))
    retention.ensure_schedule()
    RetentionRule.objects.filter(kind__in=LEDGER_KINDS).update(keep_days=30, basis=BASIS)
    assert retention.due_count("organisations.de_minimis_ledger") == 1
    assert retention.due_count("organisations.aid_declarations") == 1

    result = dispose_due.delay().get()

    assert result["organisations.de_minimis_ledger"] == 1
    assert result["organisations.aid_declarations"] == 1
    assert not AidEntry.objects.filter(pk=old_entry.pk).exists()
    assert not AidDeclaration.objects.filter(pk=old_declaration.pk).exists()
    assert AidEntry.objects.filter(pk=recent_entry.pk).exists()
    assert AidDeclaration.objects.filter(pk=recent_declaration.pk).exists()
    assert recent_declaration.entries.count() == 1  # its aid goes with it, not before
    assert AidEntry.objects.filter(origin=AidOrigin.DECLARED).count() == 1
    records = DisposalRecord.objects.filter(kind__in=LEDGER_KINDS)
    assert {r.keep_days for r in records} == {3653} and records.count() == 2

    # and nothing left that the law still asks for, a year later either
    with time_machine.travel(timezone.now() + timedelta(days=365)):
        dispose_due.delay().get()
    assert AidEntry.objects.filter(pk=recent_entry.pk).exists()
    assert AidDeclaration.objects.filter(pk=recent_declaration.pk).exists()


def test_a_declaration_goes_only_when_its_newest_aid_is_ten_years_old(aid: Aid) -> None:
    """Signed eleven years ago but holding aid decided nine years ago (a row the portal
    itself would never make: declared aid precedes its declaration): kept."""
    declaration = aid.declare(years_ago(11))
    AidEntry.objects.filter(declaration=declaration).update(
        decided_on=timezone.localdate(years_ago(9))
    )
    retention.ensure_schedule()
    RetentionRule.objects.filter(kind__in=LEDGER_KINDS).update(keep_days=3653, basis=BASIS)
    assert dispose_due.delay().get()["organisations.aid_declarations"] == 0
    assert AidDeclaration.objects.filter(pk=declaration.pk).exists()


def test_no_other_kind_of_record_removes_the_ledger(aid: Aid) -> None:
    """Every other kind disposed of at once (a period of 0), eleven years on: the rejected and
    withdrawn applications of the organisation go, its ledger and declarations stay while
    their own kinds are kept."""
    aid.declare(years_ago(1))
    aid.grant(years_ago(1))
    rejected = ApplicationFactory(
        organisation=aid.organisation,
        status=ApplicationStatus.REJECTED,
        registry_number="KFN 2026/1",
        decided_at=timezone.now(),
    )
    withdrawn = ApplicationFactory(
        organisation=aid.organisation,
        status=ApplicationStatus.WITHDRAWN,
        registry_number="KFN 2026/2",
    )
    retention.ensure_schedule()
    RetentionRule.objects.exclude(kind__in=LEDGER_KINDS).update(keep_days=0, basis=BASIS)
    entries, declarations = AidEntry.objects.count(), AidDeclaration.objects.count()
    with time_machine.travel(timezone.now() + timedelta(days=11 * 366)):
        result = dispose_due.delay().get()
    assert result["grants.rejected"] == 1 and result["grants.withdrawn"] == 1
    assert not Application.objects.filter(pk__in=[rejected.pk, withdrawn.pk]).exists()
    assert (AidEntry.objects.count(), AidDeclaration.objects.count()) == (entries, declarations)
    assert result["organisations.de_minimis_ledger"] == 0
    assert result["organisations.aid_declarations"] == 0
    # the standing still reads them (nothing half-deleted)
    assert state_aid.latest_declaration(aid.organisation.pk) is not None
