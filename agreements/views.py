"""Pages of the IOP agreements: the public register, the parties' agreement page (initiative,
screening, co-creation, legal review, decision, signing, versions) and the PDFs."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from agreements import permissions, selectors, services
from agreements.forms import (
    CommentForm,
    ContributionForm,
    DecisionForm,
    EndForm,
    FollowUpPlanForm,
    FollowUpRecordForm,
    InitiativeForm,
    LegalReviewForm,
    PartyForm,
    ScreeningForm,
    SectionForm,
    SignForm,
    SigningRoundForm,
)
from agreements.models import SECTIONS, Agreement, AgreementStatus
from agreements.pdf import render_agreement_pdf
from organisations import selectors as organisation_selectors
from organisations.forms import ConflictForm
from organisations.models import Organisation
from organisations.views import declare_conflict
from portal import transitions
from portal.http import (
    error_messages,
    form_error,
    form_error_messages,
    private_file_response,
    request_user,
)
from portal.models import PublicBody
from portal.pagination import paginate, query_without_page
from portal.selectors import user_memberships


@login_not_required
@require_safe
def register(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.public_register())
    contributions = selectors.public_contributions(agreements=list(page.object_list))
    rows = [(agreement, contributions.get(agreement.pk, [])) for agreement in page.object_list]
    return render(
        request,
        "agreements/register.html",
        {"page": page, "rows": rows, "query": query_without_page(request)},
    )


@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.agreements_for_user(user=request.user))
    return render(
        request, "agreements/mine.html", {"page": page, "query": query_without_page(request)}
    )


@require_http_methods(["GET", "POST"])
def initiative(request: HttpRequest) -> HttpResponse:
    """An association files an initiative; a case officer may file one on an association's behalf."""
    from organisations.validators import normalise_organisation_number

    user = request_user(request)
    organisations = {
        o.pk: o
        for o in organisation_selectors.organisations_for(user=user, roles=permissions.WRITERS)
    }
    officer = bool(user_memberships(user=user))
    bodies = [(b.pk, str(b)) for b in PublicBody.objects.filter(is_active=True).order_by("name")]
    form = InitiativeForm(
        request.POST or None,
        organisations=[(pk, o.name) for pk, o in organisations.items()],
        bodies=bodies,
        officer=officer,
        initial={"organisation": next(iter(organisations))} if len(organisations) == 1 else None,
    )
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in InitiativeForm.Meta.fields}
        organisation = (
            organisations.get(int(form.cleaned_data["organisation"]))
            if form.cleaned_data.get("organisation")
            else None
        )
        if organisation is None and form.cleaned_data.get("on_behalf_of"):
            try:
                number = normalise_organisation_number(form.cleaned_data["on_behalf_of"])
            except ValidationError as error:
                form.add_error("on_behalf_of", error)
                number = ""
            organisation = (
                Organisation.objects.filter(organisation_number=number).first() if number else None
            )
            if number and organisation is None:
                form.add_error("on_behalf_of", _("No organisation with that number is registered."))
        if organisation is not None:
            try:
                agreement = services.agreement_initiate(
                    actor=user,
                    organisation=organisation,
                    public_body=PublicBody.objects.get(pk=form.cleaned_data["public_body"]),
                    data=data,
                )
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, str(error) if isinstance(error, PermissionDenied) else error)
            else:
                messages.success(
                    request, _("The initiative has been sent. A case officer will screen it.")
                )
                return redirect("agreements:agreement", pk=agreement.pk)
    return render(
        request,
        "agreements/initiative.html",
        {"form": form, "has_organisation": bool(organisations) or officer},
    )


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


def _bodies() -> list[tuple[int, str]]:
    return [(b.pk, str(b)) for b in PublicBody.objects.filter(is_active=True).order_by("name")]


def _act(request: HttpRequest, pk: int, action: Any) -> HttpResponse:
    agreement = selectors.agreement_get_for_user(user=request.user, pk=pk)
    try:
        message = action(agreement, request_user(request))
    except ValidationError as error:
        error_messages(request, error)
    else:
        if message:
            messages.success(request, message)
    return redirect("agreements:agreement", pk=pk)


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
def end(request: HttpRequest, pk: int) -> HttpResponse:
    def act(agreement: Agreement, user: Any) -> str:
        form = EndForm(request.POST)
        if not form.is_valid():
            raise form_error(form)
        services.agreement_end(
            agreement=agreement,
            actor=user,
            on=form.cleaned_data["on"],
            reason=form.cleaned_data["reason"],
            terminate=form.cleaned_data["terminate"],
        )
        return _("The agreement has ended.")

    return _act(request, pk, act)


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


@require_POST
def follow_up_plan(request: HttpRequest, pk: int) -> HttpResponse:
    def act(agreement: Agreement, user: Any) -> str:
        form = FollowUpPlanForm(request.POST)
        if not form.is_valid():
            raise form_error(form)
        services.follow_up_plan(
            agreement=agreement,
            actor=user,
            due=form.cleaned_data["due"],
            text=form.cleaned_data["text"],
        )
        return _("The follow-up point has been added.")

    return _act(request, pk, act)


@require_POST
def follow_up_record(request: HttpRequest, pk: int, point_pk: int) -> HttpResponse:
    def act(agreement: Agreement, user: Any) -> str:
        point = agreement.follow_ups.filter(pk=point_pk).first()
        form = FollowUpRecordForm(request.POST)
        if point is None or not form.is_valid():
            raise ValidationError(_("Describe what happened, measured against the goals."))
        services.follow_up_record(point=point, actor=user, text=form.cleaned_data["text"])
        return _("The follow-up has been recorded.")

    return _act(request, pk, act)


@require_POST
def follow_up_review(request: HttpRequest, pk: int, point_pk: int) -> HttpResponse:
    def act(agreement: Agreement, user: Any) -> str:
        point = agreement.follow_ups.filter(pk=point_pk).first()
        if point is None:
            raise ValidationError(_("Unknown follow-up."))
        services.follow_up_review(point=point, actor=user)
        return _("The follow-up is marked as reviewed.")

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
