"""The IOP agreements in the registrar's diarium (`portal.records`): registered when the
initiative is filed, with the organisation that took it."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy

from agreements.models import Agreement
from portal.models import PublicBody
from portal.registry import RecordKind


def documents(body: PublicBody, year: int) -> QuerySet[Any]:
    return Agreement.objects.filter(
        public_body=body, registry_number__startswith=f"{body.registry_prefix} {year}/"
    ).values(
        entry_number=F("registry_number"),
        entry_registered=F("created_at"),
        entry_party=F("initiating_organisation__name"),
        entry_title=F("title"),
        entry_object_id=F("pk"),
    )


KIND = RecordKind(
    name="agreements.agreement",
    label=gettext_lazy("IOP agreement"),
    documents=documents,
    url=lambda pk: reverse("agreements:agreement", args=[pk]),
)
