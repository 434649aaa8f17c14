"""Payments: registering one on the officer's page, and the officer's list of payments."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST, require_safe

from grants import permissions, selectors, services
from grants.forms import PaymentForm
from grants.models import Application
from grants.views._shared import _list_page
from grants.views.cases import _officer_form
from portal.formats import long_date
from portal.models import User
from portal.money import format_sek


@require_POST
def payment_add(request: HttpRequest, pk: int) -> HttpResponse:
    def act(application: Application, user: User, form: PaymentForm) -> str:
        services.payment_register(application=application, actor=user, **form.cleaned_data)
        return _("The payment has been registered.")

    def confirm(application: Application, user: User, form: PaymentForm) -> dict[str, Any]:
        if not permissions.can_pay(user, application):  # refused before it is confirmed
            raise PermissionDenied(
                services.OWN_DECISION_PAYMENT_MESSAGE
                if permissions.can_handle(user, application)
                else None
            )
        data = form.cleaned_data
        return {
            "title": _("Register the payment"),
            "question": _(
                "Register that %(amount)s is paid to %(account)s on %(date)s for %(number)s?"
            )
            % {
                "amount": format_sek(data["amount"]),
                "account": application.organisation.payment_account_display,
                "date": long_date(data["paid_on"]),
                "number": application.registry_number,
            },
            "consequences": [
                _("Reference: %(reference)s.") % {"reference": data["reference"]},
                _("A registered payment cannot be changed or removed."),
            ],
            "confirm_label": _("Yes, register the payment"),
            "danger": False,
        }

    return _officer_form(
        request,
        pk,
        name="payment_form",
        form_for=lambda application: PaymentForm(request.POST),
        act=act,
        confirm=confirm,
    )


@require_safe
def payments_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    return _list_page(
        request,
        template="grants/payments_list.html",
        items_for=lambda state, call, body: selectors.payments_list(
            user=request.user, state=state, call=call, public_body=body
        ),
        states=[
            ("made", pgettext("payments filter", "Paid out")),
            ("scheduled", _("Scheduled (payment date ahead)")),
            ("partly_paid", _("Grant partly paid")),
            ("fully_paid", _("Grant fully paid")),
        ],
        export_name="utbetalningar",
        export_header=[
            _("Registration number"),
            _("Organisation"),
            _("Call"),
            _("Payment date"),
            _("Amount (SEK)"),
            _("Reference"),
            _("Paid to"),
        ],
        export_row=lambda p: [
            p.application.registry_number,
            p.application.organisation.name,
            p.application.call.title,
            p.paid_on.isoformat(),
            p.amount,
            p.reference,
            p.account,
        ],
    )
