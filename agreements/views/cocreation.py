"""The co-creation forms of the agreement page: comments, contributions, the status panel's
steps, the screening, parties, and declaring a conflict of interest (jäv). The page itself and
the section editor are in `document`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from agreements import permissions, selectors, services
from agreements.forms import ContributionForm, PartyForm, ScreeningForm
from agreements.models import SECTIONS, Agreement, AgreementStatus
from agreements.views._shared import _act, _bodies, agreement_url
from agreements.views.document import comment_form, comment_form_name
from organisations.models import Organisation
from organisations.views import declare_conflict
from portal import transitions
from portal.confirm import confirmation
from portal.http import InvalidForm, form_error_messages
from portal.models import PublicBody


@require_POST
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    section = request.POST.get("section", "")

    def act(agreement: Agreement, user: Any) -> str:
        if section not in dict(SECTIONS):
            raise ValidationError(_("Unknown section."))
        permissions.ensure(permissions.can_contribute(user, agreement), user, agreement)
        title = services.section_title(section)
        form = comment_form(section, title, request.POST)
        if not form.is_valid():
            # the page again, this section's comment box open with its error beside the field
            raise InvalidForm(comment_form_name(section), form)
        services.section_comment_add(
            agreement=agreement,
            actor=user,
            section=form.cleaned_data["section"],
            text=form.cleaned_data["text"],
        )
        return _("Your comment on “%(section)s” has been added.") % {"section": title}

    return _act(request, pk, act, anchor=f"section-{section}" if section in dict(SECTIONS) else "")


@require_POST
def contribution_add(request: HttpRequest, pk: int) -> HttpResponse:
    def act(agreement: Agreement, user: Any) -> str:
        parties = {p.pk: p for p in agreement.parties.all()}
        form = ContributionForm(request.POST, parties=[(k, str(p)) for k, p in parties.items()])
        if not form.is_valid():
            form_error_messages(request, form)
            return ""
        data = form.cleaned_data
        services.contribution_add(
            agreement=agreement,
            actor=user,
            party=parties[data["party"]],
            year=data["year"],
            kind=data["kind"],
            description=data["description"],
            value=data["value"],
        )
        return _("The contribution has been added to the table of contributions.")

    return _act(request, pk, act, anchor="contributions-heading")


# What the person is told after each step of the status panel: what happened, what comes next.
MOVED = {
    AgreementStatus.SCREENING: gettext_lazy(
        "The screening has started. Go through the IOP criteria below and record the outcome."
    ),
    AgreementStatus.LEGAL_REVIEW: gettext_lazy(
        "The agreement has been sent to legal review; its text is locked meanwhile. The review "
        "records why this is not a purchase under LOU and the state-aid route; then the "
        "agreement goes to the committee's decision."
    ),
    AgreementStatus.AMENDMENT: gettext_lazy(
        "An amendment has started: the parties can change the text. The signed version applies "
        "until every party has signed the amendment."
    ),
    AgreementStatus.SIGNING: gettext_lazy(
        "The amendment has been sent for signing. Each party's signatory has been told and "
        "signs with a code from their authenticator app."
    ),
}

# The steps that ask first: what the person is about to do and what follows.
CONFIRM = {
    AgreementStatus.LEGAL_REVIEW: (
        gettext_lazy("Send the agreement to legal review?"),
        gettext_lazy("Send to legal review"),
        [
            gettext_lazy("The text and the contributions are locked while it is reviewed."),
            gettext_lazy(
                "After the legal review the committee decides on the agreement; then the "
                "parties sign it."
            ),
        ],
    ),
    AgreementStatus.SIGNING: (
        gettext_lazy("Send the amendment for signing?"),
        gettext_lazy("Send for signing"),
        [
            gettext_lazy("The text is locked and every party's signatory is asked to sign."),
            gettext_lazy("The signed version applies until every party has signed."),
            gettext_lazy(
                "To change the text after this, the signing is stopped and the signatures "
                "made so far no longer count."
            ),
        ],
    ),
}


def _gaps(agreement: Agreement) -> list[str]:
    """What is still missing before legal review: said on its confirmation, never blocking."""
    empty = sum(1 for key, _title in SECTIONS if not agreement.sections.get(key, "").strip())
    gaps = []
    if empty:
        gaps.append(
            ngettext(
                "%(empty)d of %(all)d sections is empty.",
                "%(empty)d of %(all)d sections are empty.",
                empty,
            )
            % {"empty": empty, "all": len(SECTIONS)}
        )
    if not selectors.contributions_of(agreement=agreement).exists():
        gaps.append(_("No contributions are given."))
    return gaps


@require_POST
def transition(request: HttpRequest, pk: int) -> HttpResponse:
    """The steps the status panel offers as buttons. A step with its own form (the decision
    with its reference, stopping the signing with its reason) is not taken here."""
    machine = services.AGREEMENT_MACHINE
    buttons = {str(move.target) for move in machine.transitions if move.label}

    def act(agreement: Agreement, user: Any) -> str | HttpResponse:
        to = request.POST.get("to", "")
        move = machine.get(agreement.status, to)
        if to not in buttons or (move is not None and not move.label):
            raise ValidationError(_("Unknown step."))
        if to in CONFIRM and move is not None:
            move.rule.ensure(user, agreement)  # nobody is asked to confirm what they may not do
            transitions.ensure_seen_state(agreement, transitions.posted_state(request.POST))
            question, label, consequences = CONFIRM[AgreementStatus(to)]
            response = confirmation(
                request,
                title=str(label),
                question=str(question),
                confirm_label=str(label),
                cancel_url=agreement_url(agreement.pk),
                consequences=[str(c) for c in consequences],
                warnings=_gaps(agreement) if to == AgreementStatus.LEGAL_REVIEW else [],
                danger=False,
            )
            if response is not None:
                return response
        services.agreement_transition(
            agreement=agreement,
            to=to,
            actor=user,
            seen_state=transitions.posted_state(request.POST),
        )
        return str(MOVED.get(AgreementStatus(to), _("The agreement has moved on.")))

    return _act(request, pk, act)


@require_POST
def screen(request: HttpRequest, pk: int) -> HttpResponse:
    def act(agreement: Agreement, user: Any) -> str | HttpResponse:
        form = ScreeningForm(request.POST)
        if not form.is_valid():
            raise InvalidForm("screening_form", form)
        is_iop = form.cleaned_data["is_iop"] == "yes"
        permissions.ensure(permissions.can_handle(user, agreement), user, agreement)
        if not is_iop and agreement.status == AgreementStatus.SCREENING:
            if not form.cleaned_data["comment"].strip():
                raise ValidationError(_("Tell the association why this is not an IOP."))
            response = confirmation(
                request,
                title=_("Screen out the initiative"),
                question=_("Screen the initiative out as not an IOP?"),
                confirm_label=_("Yes, it is not an IOP"),
                cancel_url=agreement_url(agreement.pk, "screening-heading"),
                consequences=[
                    _("The initiative is closed; no agreement is written from it."),
                    _("The association sees your comment on the agreement page."),
                ],
            )
            if response is not None:
                return response
        services.agreement_screen(
            agreement=agreement,
            actor=user,
            answers=form.answers(),
            is_iop=is_iop,
            comment=form.cleaned_data["comment"],
        )
        if is_iop:
            return _(
                "The initiative is an IOP. The agreement is now in co-creation: both sides write "
                "its text section by section and add their contributions."
            )
        return _(
            "The initiative has been screened out as not an IOP. The association sees your "
            "comment on the agreement page."
        )

    return _act(request, pk, act)


@require_POST
def party_add(request: HttpRequest, pk: int) -> HttpResponse:
    from organisations.validators import normalise_organisation_number

    def act(agreement: Agreement, user: Any) -> str:
        form = PartyForm(request.POST, bodies=_bodies())
        if not form.is_valid():
            raise ValidationError(_("Choose a public body or an organisation."))
        body = (
            PublicBody.objects.filter(pk=form.cleaned_data["public_body"]).first()
            if form.cleaned_data["public_body"]
            else None
        )
        organisation = None
        if form.cleaned_data["organisation_number"]:
            number = normalise_organisation_number(form.cleaned_data["organisation_number"])
            organisation = Organisation.objects.filter(organisation_number=number).first()
            if organisation is None:
                raise ValidationError(_("No organisation with that number is registered."))
        services.party_add(
            agreement=agreement, actor=user, public_body=body, organisation=organisation
        )
        return _("The party has been added.")

    return _act(request, pk, act)


@require_POST
def conflict_declare(request: HttpRequest, pk: int) -> HttpResponse:
    """An officer declares a conflict of interest (jäv) and stays out of the public side; the
    declaration itself is the organisations app's one way (`organisations.views`)."""
    agreement = selectors.agreement_get_for_user(user=request.user, pk=pk)
    back = reverse("agreements:agreement", args=[agreement.pk])
    return declare_conflict(
        request,
        case=agreement,
        organisations=[
            p.organisation
            for p in agreement.parties.select_related("organisation")
            if p.organisation
        ],
        back=back,
        done=back,
        done_message=_(
            "Your conflict of interest has been recorded. You no longer act for the public side "
            "of this agreement."
        ),
    )
