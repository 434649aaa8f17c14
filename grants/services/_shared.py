"""What the grants services share: who may make a change, the application's row locked, amounts
as the fingerprints see them, and the checks of the dates that money hangs on."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from grants import permissions
from grants.models import Application, ApplicationStatus
from portal.formats import long_date
from portal.models import User
from portal.transitions import Rule

A = ApplicationStatus
DECIDED = {A.APPROVED, A.PARTLY_APPROVED}


def _member_may(actor: User, application: Application) -> bool:
    return permissions.can_apply_for(actor, application.organisation)


# Who may move an application (and its follow-up report): the association (an editor or
# representative), a case officer of the owning body, or a decision maker of that body other
# than the proposer. Each is refused with a bare PermissionDenied.
MEMBER: Rule[Application] = Rule(_member_may)
OFFICER: Rule[Application] = Rule(permissions.can_handle)
DECIDER: Rule[Application] = Rule(permissions.can_decide)


def _locked(application: Application) -> Application:
    return (
        # lock the application's row only, not the call, organisation or public body joined in
        Application.objects.select_for_update(of=("self",))
        .select_related("call__programme__public_body", "organisation")
        .get(pk=application.pk)
    )


def _money(value: Decimal | int | None) -> str | None:
    """An amount as the fingerprint sees it: 25000, 25000.0 and 25000.00 are one amount."""
    return None if value is None else f"{Decimal(value):.2f}"


# Dates that money hangs on are checked against what they relate to. Nothing before this date is a
# real date in the portal (a mistyped year such as 1900 or 0202 is refused).
EARLIEST_DATE = date(2000, 1, 1)


def _date_errors(
    value: date,
    *,
    label: str,
    not_before: date | None = None,
    not_before_what: str = "",
    not_after: date | None = None,
    not_after_what: str = "",
) -> list[str]:
    """The problems with a date, each naming the field and the limit (empty: it is fine)."""
    if value < EARLIEST_DATE:
        return [
            _("%(field)s: %(date)s is not possible; give a date from 1 January 2000 onwards.")
            % {"field": label, "date": value.isoformat()}
        ]
    if not_before is not None and value < not_before:
        return [
            _("%(field)s cannot be before %(what)s, %(limit)s.")
            % {"field": label, "what": not_before_what, "limit": long_date(not_before)}
        ]
    if not_after is not None and value > not_after:
        return [
            _("%(field)s cannot be after %(what)s, %(limit)s.")
            % {"field": label, "what": not_after_what, "limit": long_date(not_after)}
        ]
    return []
