"""Segregation of duties: the one rule that keeps a person from acting on both sides of a case.

A case officer or decision maker never acts on a case of an organisation they are *affiliated*
with: a member now, a member within `SEGREGATION_FORMER_MEMBER_DAYS`, the person who registered
it, someone with a request to join it waiting, or an officer who let someone into it within
that period. Nor on a case where they have declared a
conflict of interest (jäv, förvaltningslagen 16–18 §§), nor on any case of an organisation they
declared one on. Nor does anyone verify a change they made themselves (`is_own_change`).

Services call `ensure_may_act` (authoritative: it raises `PermissionDenied`); selectors narrow
querysets with `exclude_conflicted`; permission predicates and templates ask `is_excluded`. The
affiliations and declarations of a person are read once per request and kept on the user
object, like their officer roles (`portal.selectors.user_memberships`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisations.models import (
    ConflictOfInterest,
    JoinRequest,
    JoinRequestStatus,
    Organisation,
    OrganisationMembership,
    PastMembership,
)
from portal import person_cache
from portal.models import User

M = TypeVar("M", bound=models.Model)

EXCLUDED_MESSAGE = _(
    "You may not handle this case: you are or have recently been connected to the organisation, "
    "or you have declared a conflict of interest (jäv)."
)
OWN_CHANGE_MESSAGE = _(
    "You made or asked for this change yourself. Another case officer must verify it."
)

_AFFILIATIONS = "_segregation_affiliations"
_DECLARATIONS = "_segregation_declarations"


def affiliated_organisation_ids(user: User | AnonymousUser) -> frozenset[int]:
    """Organisations the person belongs to, belonged to recently, registered, or asked to join."""
    if not user.is_authenticated:
        return frozenset()
    if _AFFILIATIONS not in user.__dict__:
        _read_connections(user)
    affiliations: frozenset[int] = user.__dict__[_AFFILIATIONS]
    return affiliations


def declared_conflicts(user: User | AnonymousUser) -> frozenset[tuple[int, str]]:
    """(content type id, object id) of every case the person declared a conflict of interest on."""
    if not user.is_authenticated:
        return frozenset()
    if _DECLARATIONS not in user.__dict__:
        _read_connections(user)
    declarations: frozenset[tuple[int, str]] = user.__dict__[_DECLARATIONS]
    return declarations


def _read_connections(user: User) -> None:
    """Both sets in one query, on every officer page: the affiliations (memberships now and
    within the period, organisations registered, requests to join waiting, people let in within
    the period) and the declarations. Written as SQL because the ORM's five-part UNION cost more
    to build than the database took to answer it. Kept between requests in the shared cache
    until any of these tables changes (`portal.person_cache`, watched in OrganisationsConfig)."""
    since = connection.ops.adapt_datetimefield_value(
        timezone.now() - timedelta(days=settings.SEGREGATION_FORMER_MEMBER_DAYS)
    )
    sql = _connections_sql(connection.vendor)
    params = [
        user.pk,
        user.pk,
        since,
        user.pk,
        JoinRequestStatus.PENDING.value,
        user.pk,
        user.pk,
        JoinRequestStatus.ACCEPTED.value,
        since,
        user.pk,
    ]

    def read() -> tuple[frozenset[int], frozenset[tuple[int, str]]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return (
            frozenset(int(a) for kind, a, _b in rows if kind == 0),
            frozenset((int(a), str(b)) for kind, a, b in rows if kind == 1),
        )

    affiliations, declarations = person_cache.remember(user.pk, "connections", read)
    user.__dict__[_AFFILIATIONS] = affiliations
    user.__dict__[_DECLARATIONS] = declarations


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model: type[models.Model], name: str) -> str:
    """A model field's column, quoted; for the SQL below, written from the models' names only."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return connection.ops.quote_name(field.column)


@functools.cache
def _connections_sql(vendor: str) -> str:
    """The query of `_read_connections` on this kind of database (`vendor`, the cache's key),
    with the tables' and columns' names as the models give them: no value from outside is ever
    part of the text, every value is a parameter."""

    def organisations(model: type[models.Model], field: str, where: str) -> str:
        nothing = "CAST(NULL AS VARCHAR(64))"
        return f"SELECT 0, {_column(model, field)}, {nothing} FROM {_table(model)} WHERE {where}"  # noqa: S608

    member, past, join = OrganisationMembership, PastMembership, JoinRequest
    parts = [
        organisations(member, "organisation", f"{_column(member, 'user')} = %s"),
        organisations(
            past,
            "organisation",
            f"{_column(past, 'user')} = %s AND {_column(past, 'ended_at')} >= %s",
        ),
        organisations(
            join, "organisation", f"{_column(join, 'user')} = %s AND {_column(join, 'status')} = %s"
        ),
        organisations(Organisation, "id", f"{_column(Organisation, 'created_by')} = %s"),
        # An officer who let someone into an organisation (when it had no representative) does
        # not then verify what that person changes.
        organisations(
            join,
            "organisation",
            f"{_column(join, 'decided_by')} = %s AND {_column(join, 'status')} = %s "
            f"AND {_column(join, 'decided_at')} >= %s",
        ),
        f"SELECT 1, {_column(ConflictOfInterest, 'content_type')}, "  # noqa: S608
        f"{_column(ConflictOfInterest, 'object_id')} FROM {_table(ConflictOfInterest)} "
        f"WHERE {_column(ConflictOfInterest, 'user')} = %s",
    ]
    return " UNION ALL ".join(parts)


def forget(user: User | AnonymousUser) -> None:
    """Drop what was read for this request (after the person's own affiliations change)."""
    user.__dict__.pop(_AFFILIATIONS, None)
    user.__dict__.pop(_DECLARATIONS, None)


def _organisation_type_id() -> int:
    return ContentType.objects.get_for_model(Organisation).pk


def excluded_organisation_ids(user: User | AnonymousUser) -> frozenset[int]:
    """Every organisation whose cases the person stays out of: affiliations and declarations
    about the organisation itself."""
    org_type = _organisation_type_id()
    declared = {
        int(object_id) for type_id, object_id in declared_conflicts(user) if type_id == org_type
    }
    return affiliated_organisation_ids(user) | declared


def is_excluded(
    user: User | AnonymousUser,
    *,
    organisation_ids: Iterable[int | None],
    case: models.Model | None = None,
) -> bool:
    """True when the person must stay out of a case that concerns these organisations."""
    if not user.is_authenticated:
        return False
    if excluded_organisation_ids(user) & {pk for pk in organisation_ids if pk is not None}:
        return True
    if case is not None and case.pk is not None:
        type_id = ContentType.objects.get_for_model(case, for_concrete_model=False).pk
        return (type_id, str(case.pk)) in declared_conflicts(user)
    return False


def ensure_may_act(
    user: User, *, organisation_ids: Iterable[int | None], case: models.Model | None = None
) -> None:
    """The services' check: refuse an officer's action on a case they must stay out of."""
    if is_excluded(user, organisation_ids=organisation_ids, case=case):
        raise PermissionDenied(EXCLUDED_MESSAGE)


def connected_user_ids(
    organisation_ids: Iterable[int], *, case: models.Model | None = None
) -> frozenset[int]:
    """Everybody who must stay out of the cases of these organisations (and of `case`): the
    other side of `affiliated_organisation_ids`, in one query, for lists of colleagues to
    assign or to choose as signatory. Written as SQL like `_read_connections`: the ORM's
    six-part UNION cost four times what the database took to answer it, on every case page."""
    ids = sorted(set(organisation_ids))
    type_id = (
        ContentType.objects.get_for_model(case, for_concrete_model=False).pk
        if case is not None and case.pk is not None
        else None
    )
    if not ids and type_id is None:
        return frozenset()
    since = connection.ops.adapt_datetimefield_value(
        timezone.now() - timedelta(days=settings.SEGREGATION_FORMER_MEMBER_DAYS)
    )
    params: list[Any] = []
    if ids:
        params += [
            *ids,
            *ids,
            since,
            *ids,
            JoinRequestStatus.PENDING.value,
            *ids,
            *ids,
            JoinRequestStatus.ACCEPTED.value,
            since,
            _organisation_type_id(),
            *(str(pk) for pk in ids),
        ]
    if type_id is not None:
        params += [type_id, str(case.pk)]  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(_connected_sql(connection.vendor, len(ids), type_id is not None), params)
        return frozenset(int(row[0]) for row in cursor.fetchall() if row[0] is not None)


@functools.cache
def _connected_sql(vendor: str, count: int, with_case: bool) -> str:
    """The query of `connected_user_ids` for `count` organisations (and a case's declarations
    when `with_case`) on this kind of database; as `_connections_sql`, every value a parameter."""

    def people(model: type[models.Model], person: str, where: str) -> str:
        return f"SELECT {_column(model, person)} FROM {_table(model)} WHERE {where}"  # noqa: S608

    listed = "(" + ", ".join(["%s"] * count) + ")"
    member, past, join, conflict = (
        OrganisationMembership,
        PastMembership,
        JoinRequest,
        ConflictOfInterest,
    )
    parts = []
    if count:
        parts += [
            people(member, "user", f"{_column(member, 'organisation')} IN {listed}"),
            people(
                past,
                "user",
                f"{_column(past, 'organisation')} IN {listed} AND {_column(past, 'ended_at')} >= %s",
            ),
            people(
                join,
                "user",
                f"{_column(join, 'organisation')} IN {listed} AND {_column(join, 'status')} = %s",
            ),
            people(Organisation, "created_by", f"{_column(Organisation, 'id')} IN {listed}"),
            people(
                join,
                "decided_by",
                f"{_column(join, 'organisation')} IN {listed} AND {_column(join, 'status')} = %s "
                f"AND {_column(join, 'decided_at')} >= %s",
            ),
            people(
                conflict,
                "user",
                f"{_column(conflict, 'content_type')} = %s "
                f"AND {_column(conflict, 'object_id')} IN {listed}",
            ),
        ]
    if with_case:
        parts.append(
            people(
                conflict,
                "user",
                f"{_column(conflict, 'content_type')} = %s AND {_column(conflict, 'object_id')} = %s",
            )
        )
    return " UNION ALL ".join(parts)


def is_own_change(user: User | AnonymousUser, changed_by_id: int | None) -> bool:
    """Did this person make (or request) the change that now waits for verification?"""
    return user.is_authenticated and changed_by_id is not None and changed_by_id == user.pk


def ensure_not_own_change(user: User, changed_by_id: int | None) -> None:
    if is_own_change(user, changed_by_id):
        raise PermissionDenied(OWN_CHANGE_MESSAGE)


def exclude_conflicted(
    queryset: models.QuerySet[M],
    user: User | AnonymousUser,
    *,
    organisation_field: str | None = "organisation_id",
    case: type[models.Model] | None = None,
    case_field: str = "pk",
) -> models.QuerySet[M]:
    """Narrow an officer's list to the cases they may handle: drop those of excluded
    organisations (through `organisation_field`, a lookup such as `organisation_id` or
    `parties__organisation_id`) and those declared on themselves. The case is the queryset's
    own model, or `case` reached through `case_field` (payments of an application:
    `case=Application, case_field="application_id"`)."""
    excluded = excluded_organisation_ids(user)
    if excluded and organisation_field:
        queryset = queryset.exclude(**{f"{organisation_field}__in": excluded})
    if queryset.model is Organisation and excluded:
        queryset = queryset.exclude(pk__in=excluded)
    model = case or queryset.model
    type_id = ContentType.objects.get_for_model(model, for_concrete_model=False).pk
    declared_ids = [object_id for t, object_id in declared_conflicts(user) if t == type_id]
    if declared_ids:
        queryset = queryset.exclude(**{f"{case_field}__in": declared_ids})
    return queryset


def conflict_exists(user: User, case: models.Model) -> bool:
    type_id = ContentType.objects.get_for_model(case, for_concrete_model=False).pk
    return (type_id, str(case.pk)) in declared_conflicts(user)


def record_past_membership(membership: OrganisationMembership, **extra: Any) -> PastMembership:
    """Keep that a membership existed when it ends (called by the services that end one)."""
    return PastMembership.objects.create(
        organisation_id=membership.organisation_id,
        user_id=membership.user_id,
        role=membership.role,
        started_at=membership.created_at,
        **extra,
    )
