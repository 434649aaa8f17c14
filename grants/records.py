"""The applications in the registrar's diarium (`portal.records`): registered when first sent
in, from the organisation that applied."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy

from grants.models import Application
from portal.models import PublicBody
from portal.registry import RecordKind


def documents(body: PublicBody, year: int) -> QuerySet[Any]:
    return Application.objects.filter(
        public_body=body, registry_number__startswith=f"{body.registry_prefix} {year}/"
    ).values(
        entry_number=F("registry_number"),
        entry_registered=F("submitted_at"),
        entry_party=F("organisation__name"),
        entry_title=F("title"),
        entry_object_id=F("pk"),
    )


KIND = RecordKind(
    name="grants.application",
    label=gettext_lazy("Grant application"),
    documents=documents,
    url=lambda pk: reverse("grants:officer_application", args=[pk]),
)
