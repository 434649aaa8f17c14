"""The dialogue's documents in the registrar's diarium (`portal.records`): compacts and
consultations when they are created, and each response when it arrives."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy

from dialogue.models import Compact, Consultation, Response
from portal.models import PublicBody
from portal.records import registered
from portal.registry import RecordKind


def compacts(body: PublicBody, year: int) -> QuerySet[Any]:
    return registered(Compact.objects.all(), body, year, registered="created_at", title="title")


def consultations(body: PublicBody, year: int) -> QuerySet[Any]:
    return registered(
        Consultation.objects.all(), body, year, registered="created_at", title="title"
    )


def responses(body: PublicBody, year: int) -> QuerySet[Any]:
    return registered(
        Response.objects.all(),
        body,
        year,
        registered="submitted_at",
        party="organisation__name",
        title="consultation__title",
        body_path="consultation__public_body",
        object_id="consultation_id",
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
