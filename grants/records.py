"""The applications in the registrar's diarium (`portal.records`): registered when first sent
in, from the organisation that applied."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy

from grants.models import Application
from portal.models import PublicBody
from portal.records import registered
from portal.registry import RecordKind


def documents(body: PublicBody, year: int) -> QuerySet[Any]:
    return registered(
        Application.objects.all(),
        body,
        year,
        registered="submitted_at",
        party="organisation__name",
        title="title",
    )


KIND = RecordKind(
    name="grants.application",
    label=gettext_lazy("Grant application"),
    documents=documents,
    url=lambda pk: reverse("grants:officer_application", args=[pk]),
)
