"""Demo data of the statistics for `manage.py seed_demo`: the districts with their population
(a table in Statistics Sweden's layout) and the first build, once the demo is committed."""

from __future__ import annotations

from django.db import transaction

from insights import store
from insights.demo_population import seed_population
from portal.models import PublicBody, User


def seed_insights(*, users: dict[str, User]) -> None:
    root = (
        PublicBody.objects.filter(kind=PublicBody.Kind.MUNICIPALITY, parent=None)
        .order_by("pk")
        .first()
    )
    if root is not None:
        seed_population(root=root, actor=users["admin@exempel.se"])
    # shown at once in the quick start, also where a broker would only have queued the build
    transaction.on_commit(store.build)
