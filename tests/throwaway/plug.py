"""What the throwaway app registers: written as a new domain app's notifications module is."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Q
from django.http import HttpRequest

from portal.models import Notification
from portal.notifications import offset_kind
from portal.registry import DELETE, Context, DigestSection, Held, Kind, PersonalData, Rows, Todo
from tests.throwaway.models import Errand

REMIND_DAYS = (7, 3, 1)


def _errand(errand: Errand, _row: Notification) -> Context:
    return {"errand": errand, "url": f"/errands/{errand.pk}/"}


ERRAND_DUE = Kind("errand_due", "An errand is due", "throwaway/email/errand_due", True, _errand)


def errands_due(rows: Rows, *, now: datetime, today: date) -> None:
    """Errands due in 7, 3 or 1 days: one query whatever their number."""
    dates = {today + timedelta(days=n): n for n in REMIND_DAYS}
    for errand in Errand.objects.filter(due__in=dates).select_related("person"):
        rows.add(
            offset_kind("errand_due", dates[errand.due]),
            Errand,
            errand.pk,
            errand.due,
            [errand.person],
        )


WAITING_ERRANDS = DigestSection(
    "errands",
    "throwaway/email/digest_errands",
    recipients=lambda start, end: Q(pk__in=Errand.objects.filter(waiting=True).values("person_id")),
    items=lambda user, start, end: Errand.objects.filter(person=user, waiting=True).order_by(
        "due", "id"
    ),
    order=90,
)


def errands_to_do(request: HttpRequest) -> list[Todo]:
    """The person's waiting errands for their overview's to-do list: one query."""
    return [
        Todo(errand.title, f"/errands/{errand.pk}/", errand.due, "Ärenden")
        for errand in Errand.objects.filter(person_id=request.user.pk, waiting=True)
    ]


# A person's errands are theirs alone: they go into the person's copy, and go with the account.
PERSONAL_DATA = PersonalData(
    name="arenden",
    label="Errands",
    held=(Held(Errand, ("person",), erase=DELETE),),
)
