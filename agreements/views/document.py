"""The agreement as a document: the page itself (its text, parties, contributions, comments and
the case's steps), one section in the full-width editor, what changed in a section, and the
difference between two states of the whole agreement."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from agreements import de_minimis, permissions, selectors, services
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
    SignatoryForm,
    SigningRoundForm,
)
from agreements.models import SECTIONS, Agreement, AgreementStatus
from agreements.views._shared import _bodies
from organisations.forms import ConflictForm
from portal import transitions
from portal.diff import sections_diff, text_diff
from portal.eid import signing as eid_signing
from portal.http import request_user
from portal.models import User


def _section_url(agreement: Agreement, key: str) -> str:
    return reverse("agreements:agreement", args=[agreement.pk]) + f"#section-{key}"


def comment_form_name(section: str) -> str:
    """The name a section's comment form is sent back under (`bound`) when it has errors."""
    return f"comment_form_{section}"


def comment_form(section: str, title: str, data: Any = None) -> CommentForm:
    return CommentForm(
        data,
        initial={"section": section},
        auto_id=f"id_comment_{section}_%s",
        section_title=title,
    )


def _sections(
    agreement: Agreement,
    user: User,
    *,
    can_comment: bool,
    bound: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    bound = bound or {}
    comments = list(selectors.comments_of(agreement=agreement))
    revisions = list(selectors.revisions_of(agreement=agreement).values_list("section", flat=True))
    return [
        {
            "key": key,
            "title": str(title),
            "text": agreement.sections.get(key, ""),
            "comments": [c for c in comments if c.section == key],
            "revisions": revisions.count(key),
            "comment_form": (bound.get(comment_form_name(key)) or comment_form(key, str(title)))
            if can_comment
            else None,
        }
        for key, title in SECTIONS
    ]


SIGNATORY_STATUSES = {
    *permissions.EDITABLE,
    AgreementStatus.LEGAL_REVIEW,
    AgreementStatus.DECISION,
    AgreementStatus.SIGNING,
}


def _signatory_forms(
    agreement: Agreement, user: User, parties: list[Any]
) -> list[tuple[Any, SignatoryForm]]:
    """A form per public body party whose signatory the person may choose: among the people
    who may sign for it, never as a declaration of one's own."""
    if agreement.status not in SIGNATORY_STATUSES:
        return []
    mine = [
        p
        for p in parties
        if p.public_body_id is not None and permissions.can_set_signatory(user, p)
    ]
    people = selectors.signatory_candidates(agreement=agreement, parties=mine, chosen_by=user)
    return [
        (
            party,
            SignatoryForm(
                party=str(party),
                people=[(p.pk, p.display_name) for p in people.get(party.pk, [])],
                initial={"signatory": party.signatory_id},
                auto_id=f"id_signatory_{party.pk}_%s",
            ),
        )
        for party in mine
    ]


@require_safe
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    return agreement_page(request, selectors.agreement_get_for_user(user=user, pk=pk))


def agreement_page(
    request: HttpRequest,
    agreement: Agreement,
    *,
    bound: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The agreement as a document with the forms the person may use. `bound` holds a form sent
    with errors, by its name here, shown instead of an empty one so nothing typed is lost."""
    user = request_user(request)
    bound = bound or {}
    officer = permissions.can_handle(user, agreement)
    decider = permissions.can_decide(user, agreement)
    editable = permissions.can_edit(user, agreement)
    active = agreement.status in Agreement.LIVE_STATUSES
    parties = list(agreement.parties.all())
    contributions = list(selectors.contributions_of(agreement=agreement))
    total = sum((c.value for c in contributions), start=0)
    organisation_part = sum((c.value for c in contributions if c.party.organisation_id), start=0)
    number = services.next_version_number(agreement)
    # each signed party: how its signature was confirmed ("totp", "eid") and the name the
    # identity provider asserted (the person who signed, whatever the account is called)
    signed = {
        party: (method, name)
        for party, method, name in services.live_signatures(agreement, number).values_list(
            "party_id", "confirmed_with", "eid_name"
        )
    }
    signing = agreement.status == AgreementStatus.SIGNING
    versions = list(agreement.versions.all())
    de_minimis_aid = de_minimis.regulation_of(agreement.state_aid_route) is not None
    # the undertaking's de minimis aid beside the legal review and the decision
    panel = (
        selectors.de_minimis_panel(agreement=agreement)
        if (officer and agreement.status == AgreementStatus.LEGAL_REVIEW)
        or (decider and agreement.status == AgreementStatus.DECISION and de_minimis_aid)
        else None
    )
    entry = selectors.de_minimis_entry(agreement=agreement) if de_minimis_aid else None
    sections = _sections(agreement, user, can_comment=editable, bound=bound)
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
            # a section's comment form sent back sits in `sections`: the title says "Fel: "
            "page_errors": any(name.startswith("comment_form_") for name in bound),
            "sections_saved": any(s["revisions"] for s in sections),
            "parties": [
                (
                    p,
                    signed.get(p.pk),
                    p.signatory_id == user.pk and permissions.can_sign_for(user, p),
                )
                for p in parties
            ],
            # An organisation's representative is its signatory by their role: they say so
            # themselves. A public body's signatory is chosen by its officer (below).
            "can_become_signatory": [
                p
                for p in parties
                if p.organisation_id
                and p.signatory_id is None
                and permissions.may_become_signatory(user, p, chosen_by=user)
            ],
            "signatory_forms": _signatory_forms(agreement, user, parties),
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
            "contribution_form": ContributionForm(
                parties=[(p.pk, str(p)) for p in permissions.contribution_parties(user, agreement)]
            )
            if editable and permissions.contribution_parties(user, agreement)
            else None,
            "screening_form": bound.get("screening_form") or ScreeningForm()
            if officer and agreement.status == AgreementStatus.SCREENING
            else None,
            "legal_form": bound.get("legal_form") or LegalReviewForm()
            if officer and agreement.status == AgreementStatus.LEGAL_REVIEW
            else None,
            "decision_form": bound.get("decision_form") or DecisionForm()
            if decider and agreement.status == AgreementStatus.DECISION
            else None,
            "de_minimis": panel,
            "aid_statement": de_minimis.statement(entry) if entry else "",
            "versions": versions,
            "follow_ups": list(agreement.follow_ups.select_related("recorded_by", "reviewed_by")),
            "follow_up_form": bound.get("follow_up_form") or FollowUpPlanForm()
            if officer and active
            else None,
            "record_form": FollowUpRecordForm(),
            "can_record": active and permissions.can_contribute(user, agreement),
            "end_form": bound.get("end_form") or EndForm() if officer and active else None,
            "history": selectors.history_of(agreement=agreement),
            "signing": services.signing_panel(agreement=agreement) if signing else None,
            "sign_with_eid": signing
            and any(p.signatory_id == user.pk for p in parties)
            and bool(eid_signing.linked_providers(user)),
            "signing_round_form": bound.get("signing_round_form") or SigningRoundForm()
            if signing and officer
            else None,
            "can_replace_signatory": [
                p
                for p in parties
                if signing
                and p.organisation_id
                and p.signatory_id not in (None, user.pk)
                and permissions.may_become_signatory(user, p, chosen_by=user)
            ],
        },
        status=status,
    )


def _section_or_404(section: str) -> str:
    try:
        return services.section_title(section)
    except ValidationError:
        raise Http404 from None


@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    """One section in the full-width editor; saving returns to the section in the document."""
    user = request_user(request)
    agreement = selectors.agreement_get_for_user(user=user, pk=pk)
    title = _section_or_404(section)
    back = _section_url(agreement, section)
    if not permissions.can_edit(user, agreement):
        messages.error(
            request,
            _("The agreement text can only be changed during co-creation or an amendment."),
        )
        return redirect(back)
    form = SectionForm(
        request.POST or None,
        title=title,
        initial={
            "text": agreement.sections.get(section, ""),
            "seen_revision": selectors.latest_revision_id(agreement=agreement, section=section),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_section_save(
                agreement=agreement,
                actor=user,
                section=section,
                text=form.cleaned_data["text"],
                seen_revision=form.cleaned_data["seen_revision"],
            )
        except ValidationError as error:
            stale = any(e.code == "stale" for e in getattr(error, "error_dict", {}).get("text", []))
            form.add_error(None, error)
            if stale:
                # show the colleague's text next to the typed one, and take their save as seen
                data = request.POST.copy()
                data["seen_revision"] = str(
                    selectors.latest_revision_id(agreement=agreement, section=section)
                )
                form.data = data
        else:
            messages.success(
                request,
                _("The section “%(section)s” has been saved. The other parties see it now.")
                % {"section": title},
            )
            return redirect(back)
    return render(
        request,
        "agreements/section_edit.html",
        {
            "agreement": agreement,
            "form": form,
            "section": section,
            "title": title,
            "editor_title": title,
            "document_title": agreement.title,
            "saved_text": agreement.sections.get(section, ""),
            "comments": list(selectors.comments_of(agreement=agreement).filter(section=section)),
            "stale": request.method == "POST" and bool(form.errors),
            "back": back,
        },
    )


@require_safe
def section_changes(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    """The saved texts of one section, with who and when, and what changed between two of them
    (by default the last save against the one before)."""
    user = request_user(request)
    agreement = selectors.agreement_get_for_user(user=user, pk=pk)
    title = _section_or_404(section)
    revisions = list(selectors.revisions_of(agreement=agreement, section=section))
    by_id = {str(r.pk): r for r in revisions}
    new = by_id.get(request.GET.get("till", "")) or (revisions[-1] if revisions else None)
    chosen = request.GET.get("fran", "")
    old = by_id.get(chosen)
    if chosen not in by_id and chosen != "0" and new is not None:  # the save before `new`
        earlier = [r for r in revisions if r.pk < new.pk]
        old = earlier[-1] if earlier else None
    pieces = text_diff(old.text if old else "", new.text if new else "")
    return render(
        request,
        "agreements/section_changes.html",
        {
            "agreement": agreement,
            "section": section,
            "title": title,
            "revisions": list(reversed(revisions)),
            "old": old,
            "new": new,
            # only the first save is "the first text": from the empty section to a later save
            # is that save's text, written by more people than its author
            "first": revisions[0] if revisions else None,
            "pieces": pieces,
            "chosen": bool(chosen),
            "back": _section_url(agreement, section),
        },
    )


@require_safe
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole agreement between two states (signed versions, saves, the text now): each
    section's words added and removed."""
    user = request_user(request)
    agreement = selectors.agreement_get_for_user(user=user, pk=pk)
    states = selectors.text_states(agreement=agreement)
    by_key = {state.key: state for state in states}
    new = by_key.get(request.GET.get("till", ""), states[-1])
    signed = [state for state in states if state.key.startswith("v")]
    default_old = signed[-1] if signed and signed[-1] is not new else states[0]
    old = by_key.get(request.GET.get("fran", ""), default_old)
    diffs = sections_diff(
        sections=[(key, str(title)) for key, title in SECTIONS],
        old=old.sections,
        new=new.sections,
    )
    return render(
        request,
        "agreements/compare.html",
        {
            "agreement": agreement,
            "states": states,
            "old": old,
            "new": new,
            "diffs": diffs,
            "changed": [d for d in diffs if d.changed],
            "unchanged": [d for d in diffs if not d.changed],
        },
    )
