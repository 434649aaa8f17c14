"""The de minimis ledger as a grant case reads it: the check panel of the proposal and the
decision (the undertaking's three years, its room under the ceiling, when room frees up, the
declaration), and the ledger's entry of a decided grant. The caller has already read the
application for the person (`application_get_for_officer`, `application_get_for_member`);
every read here is a fixed number of queries, however many entries the ledger holds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from grants.models import Application, ApplicationStatus
from grants.state_aid import CALL_OPENED, SOURCE_KIND
from organisations import state_aid
from organisations.models import (
    SGEI_REGULATIONS,
    AidDeclaration,
    AidEntry,
    AidOrigin,
    Organisation,
)

# how many of the days on which room frees up the panel lists
RELEASES_SHOWN = 3


@dataclass(frozen=True)
class AidPanel:
    """What the proposal and decision pages show of an undertaking's de minimis aid, for a
    grant of `amount_sek` decided today."""

    application_id: int
    organisation_id: int
    regulation: str
    amount_sek: Decimal
    standing: state_aid.Standing
    declaration: AidDeclaration | None
    declaration_missing: str
    since: dt.datetime
    organisations: list[Organisation] = field(default_factory=list)

    @property
    def is_sgei(self) -> bool:
        return self.regulation in SGEI_REGULATIONS

    @property
    def amount_eur(self) -> Decimal:
        return self.standing.rate.to_eur(self.amount_sek)

    @property
    def general_eur(self) -> Decimal:
        return self.standing.general_eur

    @property
    def total_eur(self) -> Decimal:
        return self.standing.total_eur

    @property
    def shows_total(self) -> bool:
        """The sum of all de minimis aid (SGEI included) is shown beside the general one when it
        binds (an SGEI grant) or differs (the undertaking has SGEI aid)."""
        return self.is_sgei or self.total_eur != self.general_eur

    @property
    def counted_eur(self) -> Decimal:
        return self.standing.counted_for(self.regulation)

    @property
    def ceiling_eur(self) -> Decimal:
        return self.standing.ceiling_for(self.regulation)

    @property
    def headroom_eur(self) -> Decimal:
        return self.standing.headroom_eur(self.regulation)

    @property
    def headroom_sek(self) -> Decimal:
        return self.standing.headroom_sek(self.regulation)

    @property
    def releases(self) -> list[state_aid.Release]:
        return self.standing.releases[:RELEASES_SHOWN]

    @property
    def more_releases(self) -> int:
        return max(len(self.standing.releases) - RELEASES_SHOWN, 0)

    @property
    def rate(self) -> str:
        return self.standing.rate.describe()

    @property
    def refusal(self) -> str:
        """Why a grant of the amount cannot be decided as de minimis aid for want of room, or
        ""."""
        return self.standing.refusal(amount_eur=self.amount_eur, regulation=self.regulation)

    @property
    def may_be_granted(self) -> bool:
        return not self.refusal and not self.declaration_missing


def aid_panel(*, application: Application, amount: Decimal | None) -> AidPanel | None:
    """The de minimis panel of a case in a programme classed as de minimis aid, for a grant of
    `amount` decided today; None when there is none to show: another classification, a case
    assessed as no economic activity, or no money. Before the assessment (in review) it is
    shown for the amount, since the officer needs it to assess. Four queries, five for an
    undertaking of more than one organisation."""
    regulation = application.call.programme.aid_regulation
    if not regulation or application.economic_activity is False or not amount or amount <= 0:
        return None
    current = state_aid.standing(
        organisation_id=application.organisation_id,
        at=timezone.localdate(),
        excluding=(SOURCE_KIND, application.pk),
    )
    declaration = state_aid.latest_declaration(application.organisation_id)
    since = application.call.opens_at
    organisations = (
        list(
            Organisation.objects.filter(pk__in=current.organisation_ids)
            .only("pk", "name", "organisation_number")
            .order_by("name", "pk")
        )
        if current.is_linked
        else []
    )
    return AidPanel(
        application_id=application.pk,
        organisation_id=application.organisation_id,
        regulation=regulation,
        amount_sek=amount,
        standing=current,
        declaration=declaration,
        declaration_missing=state_aid.declaration_missing(
            declaration, since=since, since_label=str(CALL_OPENED)
        ),
        since=since,
        organisations=organisations,
    )


def aid_panel_amount(application: Application) -> Decimal | None:
    """The amount the officer's page checks: applied for while in review, proposed once
    proposed; none otherwise."""
    if application.status == ApplicationStatus.IN_REVIEW:
        return application.amount_requested
    if application.status == ApplicationStatus.PROPOSED:
        return application.proposal_amount
    return None


def aid_entry_of(*, application: Application) -> AidEntry | None:
    """The ledger's entry of a decided grant that is de minimis aid (one query), or None
    (without a query when the decision is none)."""
    if not application.de_minimis_regulation:
        return None
    return (
        AidEntry.objects.filter(
            origin=AidOrigin.DECIDED, source_kind=SOURCE_KIND, source_id=application.pk
        )
        .order_by("pk")
        .first()
    )


def aid_declaration_for(*, application: Application) -> AidDeclaration | None:
    """The organisation's newest declaration of de minimis aid, when the application's
    programme is classed as de minimis aid and its case is undecided (None otherwise, without
    a query): what the association's page says it has done, or still must do."""
    if not application.call.programme.aid_regulation or application.decided_at:
        return None
    return state_aid.latest_declaration(application.organisation_id)
