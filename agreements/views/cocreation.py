"""The agreement page and its co-creation forms: sections, comments, contributions, the status
panel's steps, the screening, parties, and declaring a conflict of interest (jäv)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from agreements import permissions, selectors, services
from agreements.forms import (
    CommentForm,
    ContributionForm,
    DecisionForm,
    EndForm,
    FollowUpPlanForm,
    FollowUpRecordForm,
    LegalReviewForm,
    PartyForm,
    ScreeningForm,
    SectionForm,
    SigningRoundForm,
)
from agreements.models import SECTIONS, Agreement, AgreementStatus
from agreements.views._shared import _act, _bodies
from organisations.forms import ConflictForm
from organisations.models import Organisation
from organisations.views import declare_conflict
from portal import transitions
from portal.http import form_error_messages, request_user
from portal.models import PublicBody


@require_safe
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    agreement = selectors.agreement_get_for_user(user=user, pk=pk)
    officer = permissions.can_handle(user, agreement)
    decider = permissions.can_decide(user, agreement)
    editable = permissions.can_edit(user, agreement)
    active = agreement.status in Agreement.LIVE_STATUSES
    comments = list(selectors.comments_of(agreement=agreement))
    sections = [
        (
            key,
            title,
            agreement.sections.get(key, ""),
            [c for c in comments if c.section == key],
            SectionForm(
                initial={"section": key, "text": agreement.sections.get(key, "")}, prefix=key
            ),
        )
        for key, title in SECTIONS
    ]
    parties = list(agreement.parties.all())
    contributions = list(selectors.contributions_of(agreement=agreement))
    total = sum((c.value for c in contributions), start=0)
    organisation_part = sum((c.value for c in contributions if c.party.organisation_id), start=0)
    number = services.next_version_number(agreement)
    signed = set(services.live_signatures(agreement, number).values_list("party_id", flat=True))
    signing = agreement.status == AgreementStatus.SIGNING
    return render(
        request,
        "agreements/agreement.html",
        {
            "agreement": agreement,
            "officer": officer,
            "transitions": transitions.available_transitions(
                services.AGREEMENT_MACHINE, agreement, user, buttons=True
            ),
            "editable": editable,
            "sections": sections,
            "parties": [
                (p, p.pk in signed, p.signatory_id == user.pk and permissions.can_sign_for(user, p))
                for p in parties
            ],
            "can_become_signatory": [
                p for p in parties if p.signatory_id is None and permissions.can_sign_for(user, p)
            ],
            "excluded": permissions.is_excluded(user, agreement)
            and bool(permissions.body_ids(user) & permissions.public_body_ids_of(agreement)),
            "conflict_form": ConflictForm()
            if permissions.may_declare_conflict(user, agreement)
            else None,
            "party_form": PartyForm(bodies=_bodies())
            if officer and agreement.status in permissions.EDITABLE
            else None,
            "contributions": contributions,
            "total": total,
            "organisation_share": round(organisation_part * 100 / total) if total else 0,
            "contribution_form": ContributionForm(parties=[(p.pk, str(p)) for p in parties])
            if editable
            else None,
            "screening_form": ScreeningForm()
            if officer and agreement.status == AgreementStatus.SCREENING
            else None,
            "legal_form": LegalReviewForm()
            if officer and agreement.status == AgreementStatus.LEGAL_REVIEW
            else None,
            "decision_form": DecisionForm()
            if decider and agreement.status == AgreementStatus.DECISION
            else None,
            "versions": list(agreement.versions.all()),
            "follow_ups": list(agreement.follow_ups.select_related("recorded_by", "reviewed_by")),
            "follow_up_form": FollowUpPlanForm() if officer and active else None,
            "record_form": FollowUpRecordForm(),
            "can_record": active and permissions.can_contribute(user, agreement),
            "end_form": EndForm() if officer and active else None,
            "history": selectors.history_of(agreement=agreement)[:50],
            "signing": services.signing_panel(agreement=agreement) if signing else None,
            "signing_round_form": SigningRoundForm() if signing and officer else None,
            "can_replace_signatory": [
                p
                for p in parties
                if signing
                and p.signatory_id not in (None, user.pk)
                and permissions.can_sign_for(user, p)
            ],
        },
    )


@require_POST
def section_save(request: HttpRequest, pk: int) -> HttpResponse:
    def act(agreement: Agreement, user: Any) -> str:
        section = request.POST.get("section", "")
        form = SectionForm(request.POST, prefix=section)
        if not form.is_valid():
            raise ValidationError(_("The text could not be saved."))
        services.agreement_section_save(
            agreement=agreement,
            actor=user,
            section=form.cleaned_data["section"],
            text=form.cleaned_data["text"],
        )
        return _("The section has been saved.")

    return _act(request, pk, act)


@require_POST
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    def act(agreement: Agreement, user: Any) -> str:
        form = CommentForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Write a comment."))
        services.section_comment_add(
            agreement=agreement,
            actor=user,
            section=form.cleaned_data["section"],
            text=form.cleaned_data["text"],
        )
        return _("The comment has been added.")

    return _act(request, pk, act)


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
        return _("The contribution has been added.")

    return _act(request, pk, act)


@require_POST
def transition(request: HttpRequest, pk: int) -> HttpResponse:
    """The steps the status panel offers as buttons. A step with its own form (the decision
    with its reference, stopping the signing with its reason) is not taken here."""
    machine = services.AGREEMENT_MACHINE
    buttons = {str(move.target) for move in machine.transitions if move.label}

    def act(agreement: Agreement, user: Any) -> str:
        to = request.POST.get("to", "")
        move = machine.get(agreement.status, to)
        if to not in buttons or (move is not None and not move.label):
            raise ValidationError(_("Unknown step."))
        services.agreement_transition(
            agreement=agreement,
            to=to,
            actor=user,
            seen_state=transitions.posted_state(request.POST),
        )
        return _("The agreement has moved on.")

    return _act(request, pk, act)


@require_POST
def screen(request: HttpRequest, pk: int) -> HttpResponse:
    def act(agreement: Agreement, user: Any) -> str:
        form = ScreeningForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Answer every criterion and choose the outcome."))
        services.agreement_screen(
            agreement=agreement,
            actor=user,
            answers=form.answers(),
            is_iop=form.cleaned_data["is_iop"] == "yes",
            comment=form.cleaned_data["comment"],
        )
        return _("The screening has been recorded.")

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
