"""Recoveries: opened and marked paid back on the officer's page, and the officer's list."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from grants import permissions, selectors, services
from grants.forms import RecoveryForm, RecoveryPaidForm
from grants.models import Application
from grants.views._shared import _list_page, _officer_action
from grants.views.cases import _officer_form
from portal.confirm import confirmation
from portal.formats import long_date
from portal.http import request_user
from portal.models import User
from portal.money import format_sek


@require_POST
def recovery_add(request: HttpRequest, pk: int) -> HttpResponse:
    def act(application: Application, user: User, form: RecoveryForm) -> str:
        services.recovery_open(application=application, actor=user, **form.cleaned_data)
        return _("The recovery has been opened and is shown to the association.")

    def confirm(application: Application, user: User, form: RecoveryForm) -> dict[str, Any]:
        data = form.cleaned_data
        return {
            "title": _("Open a recovery"),
            "question": _("Ask %(name)s to pay back %(amount)s by %(date)s?")
            % {
                "name": application.organisation.name,
                "amount": format_sek(data["amount"]),
                "date": long_date(data["due_date"]),
            },
            "consequences": [
                _("The association sees the recovery and its reason at once."),
                _("A recovery cannot be removed; when the money is back, record it as paid back."),
            ],
            "confirm_label": _("Yes, open the recovery"),
        }

    return _officer_form(
        request,
        pk,
        name="recovery_form",
        form_for=lambda application: RecoveryForm(request.POST),
        act=act,
        confirm=confirm,
    )


@require_POST
def recovery_paid(request: HttpRequest, pk: int, recovery_pk: int) -> HttpResponse:
    application = selectors.application_get_for_officer(user=request.user, pk=pk)
    recovery = selectors.recoveries_of(application=application).filter(pk=recovery_pk).first()
    form = RecoveryPaidForm(request.POST)
    if (
        recovery is not None
        and form.is_valid()
        and permissions.can_handle(request_user(request), application)
        and (
            response := confirmation(
                request,
                title=_("Record the recovery as paid back"),
                question=_("Record that %(amount)s was paid back on %(date)s?")
                % {
                    "amount": format_sek(recovery.amount),
                    "date": long_date(form.cleaned_data["paid_on"]),
                },
                consequences=[_("The recovery is closed; this cannot be undone.")],
                confirm_label=_("Yes, record it as paid back"),
                cancel_url=reverse("grants:officer_application", args=[pk]),
                danger=False,
            )
        )
        is not None
    ):
        return response

    def act(application: Application, user: User) -> str:
        if recovery is None or not form.is_valid():
            raise ValidationError(_("Give the date it was paid back."))
        services.recovery_mark_paid(
            recovery=recovery, actor=user, paid_on=form.cleaned_data["paid_on"]
        )
        return _("The recovery is recorded as paid back.")

    return _officer_action(request, pk, act)


@require_safe
def recoveries_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    return _list_page(
        request,
        template="grants/recoveries_list.html",
        items_for=lambda state, call, body: selectors.recoveries_list(
            user=request.user, status=state, call=call, public_body=body
        ),
        states=[("open", _("To be paid back")), ("paid", _("Paid back"))],
        export_name="aterkrav",
        export_header=[
            _("Registration number"),
            _("Organisation"),
            _("Amount (SEK)"),
            _("Reason"),
            _("To be paid back by"),
            _("Status"),
            _("Paid back on"),
        ],
        export_row=lambda r: [
            r.application.registry_number,
            r.application.organisation.name,
            r.amount,
            r.reason,
            r.due_date.isoformat(),
            r.get_status_display(),
            r.paid_on.isoformat() if r.paid_on else "",
        ],
    )
