"""The case officer's proposal and the decision maker's list and decision (two steps: check, then take)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from grants import permissions, selectors, services
from grants.forms import DecisionForm, ProposalForm
from grants.models import Application, ApplicationStatus, DecisionChoice
from grants.views._shared import _refused
from grants.views.cases import _officer_form, _officer_page
from portal import versions
from portal.confirm import is_confirmed
from portal.http import add_service_errors, error_messages, request_user
from portal.models import User
from portal.pagination import paginate


@require_safe
def decisions(request: HttpRequest) -> HttpResponse:
    proposals = selectors.proposals_for_decision(user=request.user)
    return render(
        request, "grants/decisions.html", {"page": paginate(request, proposals), "query": ""}
    )


@require_POST
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    def act(application: Application, user: User, form: ProposalForm) -> str:
        services.application_propose(
            application=application,
            actor=user,
            outcome=form.cleaned_data["outcome"],
            amount=form.cleaned_data["amount"],
            motivation=form.cleaned_data["motivation"],
            conditions=form.cleaned_data["conditions"],
            seen_version=form.cleaned_data["seen_version"],
            **form.assessment(),
        )
        return _("The proposal has been sent to the decision maker.")

    def confirm(application: Application, user: User, form: ProposalForm) -> dict[str, Any]:
        proposal = services.proposal_preview(
            application=application,
            actor=user,
            outcome=form.cleaned_data["outcome"],
            amount=form.cleaned_data["amount"],
            motivation=form.cleaned_data["motivation"],
            seen_version=form.cleaned_data["seen_version"],
            **form.assessment(),
        )
        consequences = [
            _("The assessment and the proposal can no longer be changed."),
            _("Another person, a decision maker, decides on it (four eyes)."),
        ]
        if form.cleaned_data.get("economic_activity") is not None:
            consequences.append(
                _(
                    "The grant is de minimis aid: the decision is checked against the "
                    "organisation's de minimis ceiling again and entered in its ledger."
                )
                if form.cleaned_data["economic_activity"]
                else _("The grant is not state aid: it is not entered in the de minimis ledger.")
            )
        return {
            "title": _("Send the proposal to the decision maker"),
            "question": _("Send the proposal “%(proposal)s” on %(number)s to the decision maker?")
            % {"proposal": proposal, "number": application.registry_number},
            "consequences": consequences,
            "confirm_label": _("Yes, send the proposal"),
            "danger": False,
        }

    return _officer_form(
        request,
        pk,
        name="proposal_form",
        form_for=lambda application: ProposalForm(
            request.POST, de_minimis=bool(application.call.programme.aid_regulation)
        ),
        act=act,
        confirm=confirm,
    )


def _decide_refusal(user: User, application: Application) -> str:
    """Why the person may not decide on this application, in a sentence."""
    if not permissions.is_decision_maker(user, application):
        return _("Only a decision maker of the public body can decide on this application.")
    if application.status != ApplicationStatus.PROPOSED:
        return _("There is no proposal waiting for a decision: it has already been decided on.")
    if application.proposed_by_id == user.pk:
        return _("You prepared this proposal, so another decision maker must decide on it.")
    return _("You may not decide on this application (conflict of interest).")


@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Two steps (check your answers): the first POST checks the decision and shows exactly
    what will be recorded; only "Take the decision" on that page decides. "Change" goes back
    to the form with what was typed."""
    application = selectors.application_get_for_officer(user=request.user, pk=pk)
    user = request_user(request)
    if not permissions.can_decide(user, application):
        _refused(request, PermissionDenied(_decide_refusal(user, application)))
        return redirect("grants:officer_application", pk=pk)
    form = DecisionForm(request.POST)
    if "edit" in request.POST or not form.is_valid():
        return _officer_page(request, application, decision_form=form)
    data = form.cleaned_data
    arguments: dict[str, Any] = {
        "application": application,
        "actor": user,
        "decision": data["decision"],
        "amount": data["amount"] if data["decision"] == DecisionChoice.CHANGE else None,
        "change_reason": data["change_reason"],
        "seen_version": data["seen_version"],
    }
    try:
        if not is_confirmed(request):  # the check-answers page is the confirmation
            outcome = services.decision_preview(**arguments)
            return render(
                request,
                "grants/decision_confirm.html",
                {
                    "application": application,
                    "form": form,
                    "outcome": outcome,
                    "assessment": selectors.assessment_of(application=application),
                    "aid_panel": selectors.aid_panel(
                        application=application,
                        amount=outcome.amount if outcome.status in services.DECIDED else None,
                    ),
                },
            )
        services.application_decide(**arguments)
    except ValidationError as error:
        if versions.FIELD in getattr(error, "error_dict", {}) or application.status != "proposed":
            error_messages(request, error)  # stale or already decided: reload and look again
            return redirect("grants:officer_application", pk=pk)
        add_service_errors(form, error)
        return _officer_page(request, application, decision_form=form)
    messages.success(request, _("The decision has been taken."))
    return redirect("grants:officer_application", pk=pk)
