"""What the grants selectors share: the officer's public bodies and segregation of duties."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from grants.models import (
    Application,
)
from organisations import segregation
from portal.models import User
from portal.selectors import officer_body_ids

if TYPE_CHECKING:
    pass


def _officer_body_ids(user: User | AnonymousUser, roles: list[str] | None = None) -> list[int]:
    """The public bodies where the person is an officer (in any role, or in one of `roles`)."""
    return officer_body_ids(user=user, roles=roles)


def _without_conflicts(
    queryset: QuerySet[Any], user: User | AnonymousUser, *, application: str = ""
) -> QuerySet[Any]:
    """Segregation of duties for an officer's read: drop the cases the person must stay out of
    (`organisations.segregation`). `application` is the lookup from the queryset's model to its
    application ("" for applications themselves, "application__" for payments, reports and
    recoveries): a declaration of jäv is made on the application, so it hides everything of it."""
    return segregation.exclude_conflicted(
        queryset,
        user,
        organisation_field=f"{application}organisation_id",
        case=Application,
        case_field=f"{application}pk",
    )


def _application_queryset() -> QuerySet[Application]:
    """An application with its call, programme, body and organisation; the people its pages
    name come from `_with_people`: joins more to the same table of people cost PostgreSQL 2.5 ms
    of planning on every application page, where one query for them costs 0.2 ms."""
    return Application.objects.select_related("call__programme__public_body", "organisation")


# the people an application's pages name: who proposed the decision and who took it (the case
# officer is not named there: the assign form holds their id, and the lists read their name)
PEOPLE = ("proposed_by", "decided_by")


def _with_people(application: Application | None) -> Application | None:
    """The one who proposed and the one who decided, read in one query (none before a
    proposal) and set on the application as select_related would."""
    if application is None:
        return None
    fields = [Application._meta.get_field(name) for name in PEOPLE]
    ids = {getattr(application, f"{name}_id") for name in PEOPLE} - {None}
    people = User.objects.in_bulk(ids) if ids else {}
    for name, field in zip(PEOPLE, fields, strict=True):
        field.set_cached_value(application, people.get(getattr(application, f"{name}_id")))  # type: ignore[union-attr]
    return application
