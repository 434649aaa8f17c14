"""The agreement in force: its follow-up points and its end."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agreements import services
from agreements.forms import EndForm, FollowUpPlanForm, FollowUpRecordForm
from agreements.models import Agreement
from agreements.views._shared import _act
from portal.http import form_error


@require_POST
def end(request: HttpRequest, pk: int) -> HttpResponse:
    def act(agreement: Agreement, user: Any) -> str:
        form = EndForm(request.POST)
        if not form.is_valid():
            raise form_error(form)
        services.agreement_end(
            agreement=agreement,
            actor=user,
            on=form.cleaned_data["on"],
            reason=form.cleaned_data["reason"],
            terminate=form.cleaned_data["terminate"],
        )
        return _("The agreement has ended.")

    return _act(request, pk, act)


@require_POST
def follow_up_plan(request: HttpRequest, pk: int) -> HttpResponse:
    def act(agreement: Agreement, user: Any) -> str:
        form = FollowUpPlanForm(request.POST)
        if not form.is_valid():
            raise form_error(form)
        services.follow_up_plan(
            agreement=agreement,
            actor=user,
            due=form.cleaned_data["due"],
            text=form.cleaned_data["text"],
        )
        return _("The follow-up point has been added.")

    return _act(request, pk, act)


@require_POST
def follow_up_record(request: HttpRequest, pk: int, point_pk: int) -> HttpResponse:
    def act(agreement: Agreement, user: Any) -> str:
        point = agreement.follow_ups.filter(pk=point_pk).first()
        form = FollowUpRecordForm(request.POST)
        if point is None or not form.is_valid():
            raise ValidationError(_("Describe what happened, measured against the goals."))
        services.follow_up_record(point=point, actor=user, text=form.cleaned_data["text"])
        return _("The follow-up has been recorded.")

    return _act(request, pk, act)


@require_POST
def follow_up_review(request: HttpRequest, pk: int, point_pk: int) -> HttpResponse:
    def act(agreement: Agreement, user: Any) -> str:
        point = agreement.follow_ups.filter(pk=point_pk).first()
        if point is None:
            raise ValidationError(_("Unknown follow-up."))
        services.follow_up_review(point=point, actor=user)
        return _("The follow-up is marked as reviewed.")

    return _act(request, pk, act)
