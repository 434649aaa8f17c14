"""What the grants pages share: the application's page context, the case officer's one-button
actions, form errors as messages, and the officer's lists with their exports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from grants import selectors, services
from grants.forms import OfficerListForm
from grants.models import Application
from grants.state_aid import decision_statement
from portal import versions
from portal.exports import export_response
from portal.http import error_messages, request_user
from portal.pagination import paginate, query_without_page


def _money_context(application: Application) -> dict[str, Any]:
    """Payments, report and recoveries of a decided case: a granted one whatever its recorded
    decision time (a grant without one, from an import or an old system, still opens)."""
    if not application.decided_at and application.status not in services.DECIDED:
        return {}
    payments = list(selectors.payments_of(application=application))
    today = timezone.localdate()
    for payment in payments:
        payment.ahead = payment.is_ahead(today)  # type: ignore[attr-defined]  # for the rows
    return {
        "payments": payments,
        # every payment registered (what is left to pay, the payment form's version) ...
        "paid": sum((p.amount for p in payments), start=0),
        # ... of which paid out by today, and scheduled with the bank for a day ahead
        "paid_out": sum((p.amount for p in payments if not p.is_ahead(today)), start=0),
        "scheduled": sum((p.amount for p in payments if p.is_ahead(today)), start=0),
        "report": selectors.report_of(application=application),
        "recoveries": selectors.recoveries_of(application=application),
        "today": today,
    }


def _application_context(application: Application, **extra: Any) -> dict[str, Any]:
    aid_entry = selectors.aid_entry_of(application=application)
    lines = selectors.budget_lines_of(application=application)
    costs = sum((line.amount for line in lines if line.kind == "cost"), start=0)
    funding = sum((line.amount for line in lines if line.kind != "cost"), start=0)
    return {
        "application": application,
        "budget_lines": lines,
        "total_costs": costs,
        "total_funding": funding,
        "attachments": selectors.current_attachments(application=application),
        "answers": [
            (question, application.answers.get(str(question.pk), ""))
            for question in selectors.call_questions(call=application.call)
        ],
        # a grant that is de minimis aid says so, from the ledger's entry
        "aid_statement": decision_statement(aid_entry) if aid_entry else [],
        "aid_declaration": selectors.aid_declaration_for(application=application),
        **_money_context(application),
        **extra,
    }


REFUSED_MESSAGE = gettext_lazy(
    "You cannot do that in this case: either you do not handle it, or another person must take "
    "this step (four eyes). Nothing was changed."
)


def _refused(request: HttpRequest, error: PermissionDenied) -> None:
    """Show a service's refusal as a message: its own reason (segregation of duties, four eyes)
    or, when it gives none, the general one."""
    reason = str(error.args[0]) if error.args and str(error.args[0]) else str(REFUSED_MESSAGE)
    messages.error(request, reason)


def _officer_action(request: HttpRequest, pk: int, action: Any) -> HttpResponse:
    application = selectors.application_get_for_officer(user=request.user, pk=pk)
    try:
        message = action(application, request_user(request))
    except ValidationError as error:
        error_messages(request, error)
    except PermissionDenied as error:
        _refused(request, error)
    else:
        messages.success(request, message)
    return redirect("grants:officer_application", pk=pk)


def _for_the_form(form: Any, error: ValidationError) -> bool:
    """Does a service's refusal belong with the form (errors of its fields, or of the form as a
    whole), rather than on a reloaded page (a stale version, a case that moved on)?"""
    return hasattr(error, "error_dict") and versions.FIELD not in error.error_dict


def _cost_lines(application: Application) -> list[Any]:
    return list(application.budget_lines.filter(kind="cost").order_by("id"))


def _list_page(
    request: HttpRequest,
    *,
    template: str,
    items_for: Any,
    states: list[tuple[str, str]],
    export_name: str,
    export_header: list[str],
    export_row: Any,
) -> HttpResponse | StreamingHttpResponse:
    form = OfficerListForm(
        request.GET,
        calls=selectors.inbox_calls(user=request.user),
        bodies=selectors.officer_bodies(user=request.user),
        states=states,
    )
    filters = form.cleaned_data if form.is_valid() else {}
    items = items_for(filters.get("state") or "", filters.get("call"), filters.get("public_body"))
    fmt = request.GET.get("export", "")
    if fmt in {"csv", "xlsx"}:
        return export_response(
            rows=(export_row(item) for item in items.iterator(chunk_size=2000)),
            header=export_header,
            filename=export_name,
            fmt=fmt,
        )
    query = query_without_page(request)
    return render(
        request,
        template,
        {
            "form": form,
            "page": paginate(request, items),
            "query": query,
            "export_query": query,
            "today": timezone.localdate(),
            "segregated": selectors.officer_has_exclusions(user=request.user),
        },
    )
