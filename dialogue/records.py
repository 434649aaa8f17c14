"""The dialogue's documents in the registrar's diarium (`portal.records`): compacts and
consultations when they are created, and each response when it arrives."""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, F, QuerySet, Value
from django.urls import reverse
from django.utils.translation import gettext_lazy

from dialogue.models import Compact, Consultation, Response
from portal.models import PublicBody
from portal.registry import RecordKind


def _this_year(body: PublicBody, year: int) -> str:
    return f"{body.registry_prefix} {year}/"


def compacts(body: PublicBody, year: int) -> QuerySet[Any]:
    return Compact.objects.filter(
        public_body=body, registry_number__startswith=_this_year(body, year)
    ).values(
        entry_number=F("registry_number"),
        entry_registered=F("created_at"),
        entry_party=Value("", output_field=CharField()),
        entry_title=F("title"),
        entry_object_id=F("pk"),
    )


def consultations(body: PublicBody, year: int) -> QuerySet[Any]:
    return Consultation.objects.filter(
        public_body=body, registry_number__startswith=_this_year(body, year)
    ).values(
        entry_number=F("registry_number"),
        entry_registered=F("created_at"),
        entry_party=Value("", output_field=CharField()),
        entry_title=F("title"),
        entry_object_id=F("pk"),
    )


def responses(body: PublicBody, year: int) -> QuerySet[Any]:
    return Response.objects.filter(
        consultation__public_body=body, registry_number__startswith=_this_year(body, year)
    ).values(
        entry_number=F("registry_number"),
        entry_registered=F("submitted_at"),
        entry_party=F("organisation__name"),
        entry_title=F("consultation__title"),
        entry_object_id=F("consultation_id"),
    )


KINDS = (
    RecordKind(
        name="dialogue.compact",
        label=gettext_lazy("Local compact"),
        documents=compacts,
        url=lambda pk: reverse("dialogue:officer_compact", args=[pk]),
    ),
    RecordKind(
        name="dialogue.consultation",
        label=gettext_lazy("Consultation"),
        documents=consultations,
        url=lambda pk: reverse("dialogue:officer_consultation", args=[pk]),
    ),
    RecordKind(
        name="dialogue.response",
        label=gettext_lazy("Consultation response"),
        documents=responses,
        url=lambda pk: reverse("dialogue:officer_consultation", args=[pk]),
    ),
)
