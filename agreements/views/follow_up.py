"""The agreement in force: its follow-up points and its end."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agreements import permissions, services
from agreements.forms import EndForm, FollowUpPlanForm, FollowUpRecordForm
from agreements.models import Agreement
from agreements.views._shared import _act, agreement_url
from portal.confirm import confirmation
from portal.formats import long_date
from portal.http import InvalidForm


@require_POST
def end(request: HttpRequest, pk: int) -> HttpResponse:
    def act(agreement: Agreement, user: Any) -> str | HttpResponse:
        form = EndForm(request.POST)
        if not form.is_valid():
            raise InvalidForm("end_form", form)
        on, terminate = form.cleaned_data["on"], form.cleaned_data["terminate"]
        permissions.ensure(permissions.can_handle(user, agreement), user, agreement)
        if terminate and not form.cleaned_data["reason"].strip():
            raise ValidationError(_("Give the reason for the termination."))
        question = (
            _("Terminate the agreement from %(date)s?")
            if terminate
            else _("End the agreement on %(date)s?")
        ) % {"date": long_date(on)}
        response = confirmation(
            request,
            title=_("Terminate the agreement") if terminate else _("End the agreement"),
            question=question,
            confirm_label=_("Terminate the agreement") if terminate else _("End the agreement"),
            cancel_url=agreement_url(agreement.pk, "end-heading"),
            consequences=[
                _("The agreement is no longer in force; this cannot be undone."),
                _("The register shows it as ended, with the date."),
            ],
        )
        if response is not None:
            return response
        services.agreement_end(
            agreement=agreement,
            actor=user,
            on=on,
            reason=form.cleaned_data["reason"],
            terminate=terminate,
        )
        if terminate:
            return _(
                "The agreement has been terminated from %(date)s. The reason is in the history; "
                "follow-up already recorded stays."
            ) % {"date": long_date(on)}
        return _(
            "The agreement ended on %(date)s. It stays in the register as an ended agreement."
        ) % {"date": long_date(on)}

    return _act(request, pk, act)


@require_POST
def follow_up_plan(request: HttpRequest, pk: int) -> HttpResponse:
    def act(agreement: Agreement, user: Any) -> str:
        form = FollowUpPlanForm(request.POST)
        if not form.is_valid():
            raise InvalidForm("follow_up_form", form)
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
