"""The registrar's diarium: the documents each public body has registered with a diarienummer
in a year, of every kind the apps register (`registry.RecordKind`: applications, IOP agreements,
compacts, consultations and their responses), newest first, in one query per page.

Who may read it: the body's registrars (`PublicBodyRole.REGISTRAR`), its case officers and
decision makers, and superusers. A registrar is no officer: the role opens the diarium and
nothing of the cases behind it (`portal.selectors.user_memberships` leaves it out)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import CharField, F, QuerySet, Value
from django.utils import timezone

from portal import registry
from portal.models import PublicBody, User


@dataclass(frozen=True)
class Entry:
    number: str
    registered: datetime
    kind: str
    party: str
    title: str
    url: str


def registered(
    rows: QuerySet[Any],
    body: PublicBody,
    year: int,
    *,
    registered: str,
    title: str,
    party: str = "",
    body_path: str = "public_body",
    object_id: str = "pk",
) -> QuerySet[Any]:
    """An app's documents of a kind (`rows`) registered by `body` in `year`, as the values the
    diarium reads (`registry.RecordKind.documents`): the diarienummer carries the body's prefix
    and the year. `registered`, `title`, `party` and `object_id` name the row's fields for them
    (no `party`: none)."""
    return rows.filter(
        **{body_path: body, "registry_number__startswith": f"{body.registry_prefix} {year}/"}
    ).values(
        entry_number=F("registry_number"),
        entry_registered=F(registered),
        entry_party=F(party) if party else Value("", output_field=CharField()),
        entry_title=F(title),
        entry_object_id=F(object_id),
    )


def bodies_for(user: User) -> list[PublicBody]:
    """The public bodies whose diarium the person may read: where they hold any role (the roles
    kept for the request), every active one for a superuser."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return list(PublicBody.objects.filter(is_active=True).order_by("name"))
    from portal.selectors import public_body_roles

    bodies = {m.public_body_id: m.public_body for m in public_body_roles(user=user)}
    return sorted(bodies.values(), key=lambda body: body.name)


def years_of(body: PublicBody) -> list[int]:
    """The years the body has registered documents in, newest first (one query)."""
    from portal.models import RegistryCounter

    years = set(
        RegistryCounter.objects.filter(public_body=body, last_number__gt=0).values_list(
            "year", flat=True
        )
    )
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


def documents(body: PublicBody, year: int) -> QuerySet[Any]:
    """Every kind's documents of the body and year, as one query (a union), newest first."""
    queries = [
        kind.documents(body, year)
        .annotate(entry_kind=Value(kind.name, output_field=CharField()))
        .order_by()
        for kind in registry.record_kinds()
    ]
    first, *rest = queries
    return first.union(*rest, all=True).order_by("-entry_registered", "-entry_number")


def entries(rows: list[dict[str, Any]], *, links: bool) -> list[Entry]:
    """A page of `documents` as the diarium shows it: the kind's label, and the officers' page
    of each document when `links` (no query)."""
    kinds = registry.registry.record_kinds
    shown = []
    for row in rows:
        kind = kinds[row["entry_kind"]]
        shown.append(
            Entry(
                number=row["entry_number"],
                registered=row["entry_registered"],
                kind=str(kind.label),
                party=row["entry_party"] or "",
                title=row["entry_title"] or "",
                url=kind.url(row["entry_object_id"]) if links and kind.url else "",
            )
        )
    return shown


def links_for(user: User, body: PublicBody) -> bool:
    """Officers of the body get links to the documents' pages (which check their own rights);
    a registrar reads the register only. The officer roles kept for the request, no query."""
    from portal.selectors import user_memberships

    return any(m.public_body_id == body.pk for m in user_memberships(user=user))
