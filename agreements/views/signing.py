"""Legal review, decision and signing: becoming a party's signatory, signing, restarting or
stopping a round, and the PDFs (the draft, the signed versions, whether one is public)."""

from __future__ import annotations

import hashlib
import json
from typing import Any, NoReturn

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from agreements import de_minimis, permissions, selectors, services
from agreements.forms import (
    DecisionForm,
    LegalReviewForm,
    SignatoryForm,
    SignForm,
    SigningRoundForm,
)
from agreements.models import Agreement, AgreementStatus
from agreements.pdf import render_agreement_pdf
from agreements.views._shared import _act, agreement_url
from portal.confirm import confirmation
from portal.eid import signing as eid_signing
from portal.http import InvalidForm, add_service_errors, form_error, private_file_response
from portal.versions import check_seen


def _refused_on_form(
    agreement: Agreement, status: str, name: str, form: Form, error: ValidationError
) -> NoReturn:
    """The service's refusal beside what was typed, on the form the page shows in `status`;
    as messages above the page when the page no longer shows that form (the agreement had
    moved on)."""
    if agreement.status != status:
        raise error
    add_service_errors(form, error)
    raise InvalidForm(name, form) from None


@require_POST
def legal_review(request: HttpRequest, pk: int) -> HttpResponse:
    def act(agreement: Agreement, user: Any) -> str | HttpResponse:
        form = LegalReviewForm(request.POST)
        if not form.is_valid():
            raise InvalidForm("legal_form", form)
        permissions.ensure(permissions.can_handle(user, agreement), user, agreement)
        route, amount = form.cleaned_data["route"], form.cleaned_data["amount"]
        # de minimis aid that would cross the ceiling is refused before the confirmation
        refusal = de_minimis.legal_review_refusal(agreement, route=route, amount=amount)
        if refusal:
            form.add_error("amount", refusal)
            raise InvalidForm("legal_form", form)
        # not a refusal: the organisation may still declare its aid before the decision
        missing = (
            de_minimis.declaration_warning(agreement)
            if de_minimis.regulation_of(route) is not None
            else ""
        )
        response = confirmation(
            request,
            title=_("Record the legal review"),
            question=_("Record the legal review and send the agreement to decision?"),
            confirm_label=_("Record and send to decision"),
            cancel_url=agreement_url(agreement.pk, "legal-heading"),
            consequences=[
                _("The review is recorded in the history with your name."),
                _(
                    "You will not sign for the public body: someone else does (four eyes). "
                    "Next, the committee's decision is recorded."
                ),
            ],
            warnings=[missing] if missing else [],
            danger=False,
        )
        if response is not None:
            return response
        try:
            warnings = services.agreement_legal_review(
                agreement=agreement,
                actor=user,
                procurement=form.cleaned_data["procurement"],
                route=route,
                amount=amount,
            )
        except ValidationError as error:
            _refused_on_form(agreement, AgreementStatus.LEGAL_REVIEW, "legal_form", form, error)
        for warning in warnings:
            messages.warning(request, warning)
        return _(
            "The legal review has been recorded and the agreement waits for the committee's "
            "decision. Record the decision's date and protocol reference when the minutes are "
            "approved."
        )

    return _act(request, pk, act)


@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    def act(agreement: Agreement, user: Any) -> str | HttpResponse:
        form = DecisionForm(request.POST)
        if not form.is_valid():
            raise InvalidForm("decision_form", form)
        permissions.ensure(permissions.can_decide(user, agreement), user, agreement)
        # de minimis aid the decision could not enter in the ledger: said before the
        # confirmation (the decision checks again, under the undertaking's locks)
        reasons = de_minimis.decision_refusal(agreement, decided_on=form.cleaned_data["decided_on"])
        if reasons:
            form.add_error(None, reasons)
            raise InvalidForm("decision_form", form)
        response = confirmation(
            request,
            title=_("Record the decision"),
            question=_("Record the decision and start the signing?"),
            confirm_label=_("Record and start the signing"),
            cancel_url=agreement_url(agreement.pk, "decision-heading"),
            consequences=[
                _("The text is locked and every party's signatory is asked to sign."),
                _("You will not sign for the public body: someone else does (four eyes)."),
                *(
                    [_("The de minimis aid is entered in the organisation's ledger.")]
                    if de_minimis.regulation_of(agreement.state_aid_route) is not None
                    else []
                ),
            ],
            danger=False,
        )
        if response is not None:
            return response
        try:
            services.agreement_decide(
                agreement=agreement,
                actor=user,
                decided_on=form.cleaned_data["decided_on"],
                reference=form.cleaned_data["reference"],
            )
        except ValidationError as error:
            _refused_on_form(agreement, AgreementStatus.DECISION, "decision_form", form, error)
        return _(
            "The decision has been recorded and the agreement has been sent for signing. Each "
            "party's signatory has been told and signs with e-legitimation or a code from their "
            "authenticator app."
        )

    return _act(request, pk, act)


@require_POST
def become_signatory(request: HttpRequest, pk: int, party_pk: int) -> HttpResponse:
    """An organisation's representative says they sign for it. A public body's signatory is
    chosen by its officer among the people who may sign (`signatory_set`)."""

    def act(agreement: Agreement, user: Any) -> str:
        party = agreement.parties.filter(pk=party_pk).first()
        if party is None:
            raise ValidationError(_("Unknown party."))
        if party.public_body_id:
            permissions.ensure(permissions.can_set_signatory(user, party), user, agreement)
            raise ValidationError(
                _("Choose the signatory for %(party)s in the list of who may sign for it.")
                % {"party": party}
            )
        services.party_set_signatory(party=party, actor=user, signatory=user)
        return _("You sign for %(party)s. You are told when the agreement is ready to sign.") % {
            "party": party
        }

    return _act(request, pk, act, anchor="parties-heading")


@require_POST
def signatory_set(request: HttpRequest, pk: int, party_pk: int) -> HttpResponse:
    """The public body's officer chooses who signs for it."""

    def act(agreement: Agreement, user: Any) -> str:
        party = agreement.parties.filter(pk=party_pk, public_body__isnull=False).first()
        if party is None:
            raise ValidationError(_("Unknown party."))
        people = {
            person.pk: person
            for person in selectors.signatory_candidates(
                agreement=agreement, parties=[party], chosen_by=user
            ).get(party.pk, [])
        }
        form = SignatoryForm(
            request.POST, party=str(party), people=[(k, p.display_name) for k, p in people.items()]
        )
        if not form.is_valid():
            raise form_error(form)
        chosen = people[form.cleaned_data["signatory"]]
        services.party_set_signatory(party=party, actor=user, signatory=chosen)
        return _(
            "%(name)s signs for %(party)s and is told when the agreement is ready to sign."
        ) % {"name": chosen.display_name, "party": party}

    return _act(request, pk, act, anchor="parties-heading")


SIGN_WITH_EID = "agreement_sign"  # the kind of signing portal.eid.signing completes


@require_POST
def sign(request: HttpRequest, pk: int, party_pk: int) -> HttpResponse:
    """Signing for a party: with a code from the app at once, or, when the signer presses
    "Sign with e-legitimation", after a fresh authentication at their identity provider
    (`portal.eid.signing`; the same checks run when it comes back, in `sign_with_eid`)."""
    form = SignForm(request.POST)
    form.is_valid()  # every field optional here: the service refuses what is missing
    seen_version = form.cleaned_data.get("seen_version")
    if request.POST.get("with") == "eid":

        def start(agreement: Agreement, user: Any) -> HttpResponse:
            party = agreement.parties.filter(pk=party_pk, signatory=user).first()
            if party is None:
                raise PermissionDenied
            # what can be checked before leaving for the identity provider is checked now
            check_seen(seen=seen_version, current=services.signing_version(agreement))
            return eid_signing.begin(
                request,
                kind=SIGN_WITH_EID,
                values={"agreement": pk, "party": party_pk, "seen_version": seen_version},
                back=agreement_url(pk, "parties-heading"),
            )

        return _act(request, pk, start, anchor="parties-heading")
    return _sign(request, pk, party_pk, seen_version=seen_version, code=form.cleaned_data["code"])


def sign_with_eid(request: HttpRequest, values: dict[str, Any], proof: Any) -> HttpResponse:
    """The identity provider's answer to "Sign with e-legitimation" (`portal.eid.signing`)."""
    return _sign(
        request,
        int(values["agreement"]),
        int(values["party"]),
        seen_version=values.get("seen_version"),
        proof=proof,
    )


def _sign(
    request: HttpRequest,
    pk: int,
    party_pk: int,
    *,
    seen_version: str | None,
    code: str = "",
    proof: Any = None,
) -> HttpResponse:
    def act(agreement: Agreement, user: Any) -> str:
        party = agreement.parties.filter(pk=party_pk).first()
        if party is None:
            raise PermissionDenied
        try:
            result = services.agreement_sign(
                agreement=agreement,
                actor=user,
                party=party,
                code=code,
                proof=proof,
                seen_version=seen_version,
            )
        except PermissionDenied as refused:
            if not refused.args:
                raise
            raise ValidationError(str(refused.args[0])) from refused
        if hasattr(result, "pdf"):
            return _(
                "Every party has signed: version %(number)s is in force. The signed PDF is "
                "being made and appears under Signed versions."
            ) % {"number": result.number}
        return _(
            "You have signed for %(party)s. The agreement comes into force when every party "
            "has signed; you are told then."
        ) % {"party": party}

    return _act(request, pk, act, anchor="parties-heading")


@require_POST
def restart_signing(request: HttpRequest, pk: int) -> HttpResponse:
    """The case officer restarts a failed signing round, or stops the signing to change the
    text; every party is told."""

    def act(agreement: Agreement, user: Any) -> str | HttpResponse:
        form = SigningRoundForm(request.POST)
        if not form.is_valid():
            raise InvalidForm("signing_round_form", form)
        withdraw = form.cleaned_data["action"] == "withdraw"
        permissions.ensure(permissions.can_handle(user, agreement), user, agreement)
        if not form.cleaned_data["reason"].strip():
            raise ValidationError(
                _("Give the reason for stopping the signing.")
                if withdraw
                else _("Give the reason for restarting the signing.")
            )
        response = confirmation(
            request,
            title=_("Stop the signing") if withdraw else _("Restart the signing"),
            question=_("Stop the signing to change the text?")
            if withdraw
            else _("Restart the signing?"),
            confirm_label=_("Stop the signing") if withdraw else _("Restart the signing"),
            cancel_url=agreement_url(agreement.pk, "parties-heading"),
            consequences=[
                _("Every signature given in this round is cleared; they stay in the history."),
                _("Every party is told, with your reason."),
                _("The agreement goes back to co-creation, and is decided and signed again.")
                if withdraw
                else _("Every party signs the same text again."),
            ],
        )
        if response is not None:
            return response
        if withdraw:
            services.agreement_signing_withdraw(
                agreement=agreement, actor=user, reason=form.cleaned_data["reason"]
            )
            return _(
                "The signing has stopped and the signatures are cleared; the text can be changed. "
                "Every party has been told."
            )
        services.agreement_signing_restart(
            agreement=agreement, actor=user, reason=form.cleaned_data["reason"]
        )
        return _(
            "The signing has restarted and the signatures are cleared. Every party has been told "
            "to sign again."
        )

    return _act(request, pk, act, anchor="parties-heading")


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


# A draft PDF is kept this long in the shared cache, under the hash of everything it prints:
# opening it again (or a party opening what another just opened) does not render it again. A
# long agreement takes a worker seconds to render. Not `text_fingerprint`: that leaves out the
# signatures and names the draft shows.
DRAFT_PDF_SECONDS = 60 * 30


@require_safe
def draft_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get_for_user(user=request.user, pk=pk)
    snapshot = services.agreement_snapshot(agreement)
    key = (
        "agreements:draft-pdf:"
        + hashlib.sha256(json.dumps(snapshot, sort_keys=True, default=str).encode()).hexdigest()
    )
    pdf = cache.get(key)
    if pdf is None:
        pdf = render_agreement_pdf(snapshot, draft=True)
        cache.set(key, pdf, DRAFT_PDF_SECONDS)
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
