"""The IOP agreements in the registrar's diarium (`portal.records`): registered when the
initiative is filed, with the organisation that took it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy

from agreements.models import Agreement
from portal.models import PublicBody
from portal.records import registered
from portal.registry import RecordKind


def documents(body: PublicBody, year: int) -> QuerySet[Any]:
    return registered(
        Agreement.objects.all(),
        body,
        year,
        registered="created_at",
        party="initiating_organisation__name",
        title="title",
    )


KIND = RecordKind(
    name="agreements.agreement",
    label=gettext_lazy("IOP agreement"),
    documents=documents,
    url=lambda pk: reverse("agreements:agreement", args=[pk]),
)
