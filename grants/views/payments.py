"""Payments: registering one on the officer's page, and the officer's list of payments."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from grants import selectors, services
from grants.forms import PaymentForm
from grants.models import Application
from grants.views._shared import _list_page
from grants.views.cases import _officer_form
from portal.models import User


@require_POST
def payment_add(request: HttpRequest, pk: int) -> HttpResponse:
    def act(application: Application, user: User, form: PaymentForm) -> str:
        services.payment_register(application=application, actor=user, **form.cleaned_data)
        return _("The payment has been registered.")

    return _officer_form(
        request,
        pk,
        name="payment_form",
        form_for=lambda application: PaymentForm(request.POST),
        act=act,
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
            ("made", _("Paid out")),
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
