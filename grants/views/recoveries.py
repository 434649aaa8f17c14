"""Recoveries: opened and marked paid back on the officer's page, and the officer's list."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from grants import selectors, services
from grants.forms import RecoveryForm, RecoveryPaidForm
from grants.models import Application
from grants.views._shared import _list_page, _officer_action
from grants.views.cases import _officer_form
from portal.models import User


@require_POST
def recovery_add(request: HttpRequest, pk: int) -> HttpResponse:
    def act(application: Application, user: User, form: RecoveryForm) -> str:
        services.recovery_open(application=application, actor=user, **form.cleaned_data)
        return _("The recovery has been opened and is shown to the association.")

    return _officer_form(
        request,
        pk,
        name="recovery_form",
        form_for=lambda application: RecoveryForm(request.POST),
        act=act,
    )


@require_POST
def recovery_paid(request: HttpRequest, pk: int, recovery_pk: int) -> HttpResponse:
    def act(application: Application, user: User) -> str:
        recovery = selectors.recoveries_of(application=application).filter(pk=recovery_pk).first()
        form = RecoveryPaidForm(request.POST)
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
