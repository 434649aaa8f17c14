"""Legal review, decision and signing: becoming a party's signatory, signing, restarting or
stopping a round, and the PDFs (the draft, the signed versions, whether one is public)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from agreements import selectors, services
from agreements.forms import DecisionForm, LegalReviewForm, SignForm, SigningRoundForm
from agreements.models import Agreement
from agreements.pdf import render_agreement_pdf
from agreements.views._shared import _act
from portal.http import form_error, private_file_response


@require_POST
def legal_review(request: HttpRequest, pk: int) -> HttpResponse:
    def act(agreement: Agreement, user: Any) -> str:
        form = LegalReviewForm(request.POST)
        if not form.is_valid():
            raise form_error(form)
        warnings = services.agreement_legal_review(
            agreement=agreement,
            actor=user,
            procurement=form.cleaned_data["procurement"],
            route=form.cleaned_data["route"],
            amount=form.cleaned_data["amount"],
        )
        for warning in warnings:
            messages.warning(request, warning)
        return _("The legal review has been recorded.")

    return _act(request, pk, act)


@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    def act(agreement: Agreement, user: Any) -> str:
        form = DecisionForm(request.POST)
        if not form.is_valid():
            raise form_error(form)
        services.agreement_decide(
            agreement=agreement,
            actor=user,
            decided_on=form.cleaned_data["decided_on"],
            reference=form.cleaned_data["reference"],
        )
        return _("The decision has been recorded; the parties can sign.")

    return _act(request, pk, act)


@require_POST
def become_signatory(request: HttpRequest, pk: int, party_pk: int) -> HttpResponse:
    def act(agreement: Agreement, user: Any) -> str:
        party = agreement.parties.filter(pk=party_pk).first()
        if party is None:
            raise ValidationError(_("Unknown party."))
        services.party_set_signatory(party=party, actor=user, signatory=user)
        return _("You sign for %(party)s.") % {"party": party}

    return _act(request, pk, act)


@require_POST
def sign(request: HttpRequest, pk: int, party_pk: int) -> HttpResponse:
    def act(agreement: Agreement, user: Any) -> str:
        party = agreement.parties.filter(pk=party_pk).first()
        if party is None:
            raise PermissionDenied
        form = SignForm(request.POST)
        form.is_valid()  # both fields optional here: the service refuses what is missing
        try:
            result = services.agreement_sign(
                agreement=agreement,
                actor=user,
                party=party,
                code=form.cleaned_data.get("code", ""),
                seen_version=form.cleaned_data.get("seen_version"),
            )
        except PermissionDenied as refused:
            if not refused.args:
                raise
            raise ValidationError(str(refused.args[0])) from refused
        if hasattr(result, "pdf"):
            return _("Every party has signed: version %(number)s is in force.") % {
                "number": result.number
            }
        return _("Your approval has been recorded.")

    return _act(request, pk, act)


@require_POST
def restart_signing(request: HttpRequest, pk: int) -> HttpResponse:
    """The case officer restarts a failed signing round, or stops the signing to change the
    text; every party is told."""

    def act(agreement: Agreement, user: Any) -> str:
        form = SigningRoundForm(request.POST)
        if not form.is_valid():
            raise form_error(form)
        if form.cleaned_data["action"] == "withdraw":
            services.agreement_signing_withdraw(
                agreement=agreement, actor=user, reason=form.cleaned_data["reason"]
            )
            return _("The signing has stopped; the text can be changed. Every party has been told.")
        services.agreement_signing_restart(
            agreement=agreement, actor=user, reason=form.cleaned_data["reason"]
        )
        return _("The signing has restarted; every party has been told to sign again.")

    return _act(request, pk, act)


@login_not_required
@require_safe
def version_pdf(request: HttpRequest, pk: int, version_pk: int) -> FileResponse:
    version = selectors.version_get_for_user(user=request.user, pk=pk, version_pk=version_pk)
    return private_file_response(_Stored(version))


class _Stored:
    """A signed version's PDF in the shape private_file_response reads."""

    def __init__(self, version: Any) -> None:
        self.file = version.pdf
        self.original_name = f"{(version.agreement.registry_number or 'IOP').replace(' ', '-').replace('/', '-')}-v{version.number}.pdf"
        self.content_type = "application/pdf"


@require_safe
def draft_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get_for_user(user=request.user, pk=pk)
    pdf = render_agreement_pdf(services.agreement_snapshot(agreement), draft=True)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="utkast.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def pdf_public(request: HttpRequest, pk: int) -> HttpResponse:
    def act(agreement: Agreement, user: Any) -> str:
        public = request.POST.get("public") == "1"
        services.agreement_set_pdf_public(agreement=agreement, actor=user, public=public)
        return (
            _("The signed PDF is public in the register.")
            if public
            else _("The signed PDF is no longer public.")
        )

    return _act(request, pk, act)
