"""An IOP agreement's de minimis aid, read from the register's one ledger
(`organisations.state_aid`): which regulation a state-aid route means, the checks before the
legal review and the decision, and the statement the agreement makes of its aid. The ledger
entry itself is written by the decision (`agreements.services.agreement_decide`) through
`organisations.services.aid_grant`; nothing here writes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agreements.models import Agreement, ContributionKind, StateAidRoute
from organisations import state_aid
from organisations.models import AidEntry, AidInstrument, AidOrigin, AidRegulation
from portal.formats import long_date
from portal.money import format_sek

# How the agreement's entries are named in the ledger (source_kind, with the agreement's id).
SOURCE_KIND = "agreements.agreement"

# The regulation each de minimis route grants under; the other routes are not de minimis aid.
ROUTE_REGULATION = {
    StateAidRoute.DE_MINIMIS: AidRegulation.DE_MINIMIS,
    StateAidRoute.SGEI_DE_MINIMIS: AidRegulation.SGEI,
}

SINCE_LABEL = gettext_lazy("the agreement's initiative was registered")


def regulation_of(route: str) -> str | None:
    """The regulation the route grants aid under, or None when it is not de minimis aid."""
    return ROUTE_REGULATION.get(route)  # type: ignore[call-overload]


def instrument_of(agreement: Agreement) -> str:
    """Aid in kind when everything the public side brings is premises (a gross grant
    equivalent: the rent not charged); otherwise a grant."""
    kinds = set(
        agreement.parties.filter(public_body__isnull=False).values_list(
            "contributions__kind", flat=True
        )
    )
    return AidInstrument.IN_KIND if kinds == {ContributionKind.PREMISES} else AidInstrument.GRANT


def declaration_warning(agreement: Agreement) -> str:
    """Why the organisation must still declare its aid from others before the decision, or
    "" when it has declared since the initiative was registered."""
    return state_aid.declaration_missing(
        state_aid.latest_declaration(agreement.initiating_organisation_id),
        since=agreement.created_at,
        since_label=str(SINCE_LABEL),
    )


def legal_review_refusal(
    agreement: Agreement, *, route: str, amount: Decimal | None, at: dt.date | None = None
) -> str:
    """Why the legal review may not record `amount` as de minimis aid under `route` (it would
    cross the ceiling for the organisation's undertaking on `at`, today by default), or ""."""
    regulation = regulation_of(route)
    if regulation is None or amount is None:
        return ""
    current = state_aid.standing(
        organisation_id=agreement.initiating_organisation_id,
        at=at or timezone.localdate(),
        excluding=(SOURCE_KIND, agreement.pk),
    )
    return current.refusal(amount_eur=current.rate.to_eur(amount), regulation=regulation)


def decision_refusal(agreement: Agreement, *, decided_on: dt.date) -> list[str]:
    """Every reason the agreement's aid may not be decided on `decided_on` (the ceiling, a
    declaration older than the initiative), as the decision will find them; [] when it may.
    What the decision page says before the decision maker confirms; the decision checks again
    under the undertaking's locks."""
    regulation = regulation_of(agreement.state_aid_route)
    if regulation is None:
        return []
    try:
        state_aid.check(
            organisation=agreement.initiating_organisation,
            at=decided_on,
            amount_sek=agreement.state_aid_amount or Decimal(0),
            regulation=regulation,
            since=agreement.created_at,
            since_label=str(SINCE_LABEL),
            excluding=(SOURCE_KIND, agreement.pk),
        )
    except ValidationError as refused:
        return list(refused.messages)
    return []


def ledger_entry(agreement: Agreement) -> AidEntry | None:
    """The agreement's aid in the ledger, entered by its decision (None before, or when the
    route is not de minimis aid)."""
    return AidEntry.objects.filter(
        origin=AidOrigin.DECIDED, source_kind=SOURCE_KIND, source_id=agreement.pk
    ).first()


def statement(entry: AidEntry) -> str:
    """What the agreement says of its de minimis aid: that it is de minimis aid, under which
    regulation (its full title), the amount in kronor and in euro, and the rate."""
    rate = state_aid.Rate.of(entry)
    title = state_aid.regulation_title(entry.regulation)
    text = _(
        "The aid is de minimis aid under %(title)s. It amounts to %(sek)s, which is %(eur)s at "
        "the exchange rate %(rate)s, granted on %(date)s."
    )
    if entry.instrument != AidInstrument.GRANT:
        text = _(
            "The aid is de minimis aid under %(title)s. Its gross grant equivalent is %(sek)s, "
            "which is %(eur)s at the exchange rate %(rate)s, granted on %(date)s."
        )
    return text % {
        "title": title,
        "sek": format_sek(entry.gross_grant_equivalent_sek),
        "eur": state_aid.format_eur(entry.amount_eur),
        "rate": rate.describe(),
        "date": long_date(entry.decided_on),
    }
