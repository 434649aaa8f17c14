"""The case officer's handling of an application: the inbox, the application's page, assigning,
asking for completion, review and scores, and declaring a conflict of interest (jäv)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from grants import permissions, selectors, services
from grants.forms import (
    AssignForm,
    CompletionRequestForm,
    DecisionForm,
    InboxFilterForm,
    PaymentForm,
    ProposalForm,
    RecoveryForm,
    ReviewForm,
)
from grants.models import Application, ApplicationStatus
from grants.views._shared import _application_context, _officer_action
from organisations import views as organisation_views
from organisations.selectors import organisation_payable
from portal import transitions
from portal.http import form_error, request_user
from portal.models import User
from portal.pagination import paginate, query_without_page


@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    calls = selectors.inbox_calls(user=request.user)
    form = InboxFilterForm(
        request.GET, calls=calls, officers=selectors.inbox_officers(user=request.user)
    )
    filters = form.cleaned_data if form.is_valid() else {}
    applications = selectors.inbox(
        user=request.user,
        call=filters.get("call"),
        status=filters.get("status") or "",
        assigned=filters.get("assigned") or "",
        q=filters.get("q") or "",
        sort=filters.get("sort") or "submitted",
    )
    return render(
        request,
        "grants/inbox.html",
        {
            "form": form,
            "page": paginate(request, applications),
            "query": query_without_page(request),
            "segregated": selectors.officer_has_exclusions(user=request.user),
        },
    )


def _review_initial(criterion: Any) -> dict[str, Any] | None:
    """The saved score of a criterion from `criteria_with_reviews`, as the form's initial data."""
    if criterion.review_score is None:
        return None
    return {"score": criterion.review_score, "comment": criterion.review_comment}


@require_safe
def officer_application(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_officer(user=request.user, pk=pk)
    return _officer_page(request, application)


def _officer_page(request: HttpRequest, application: Application, **overrides: Any) -> HttpResponse:
    """The officer's page of an application; a form in `overrides` replaces the empty one (a
    decision sent back for changes keeps what was typed, with its errors)."""
    user = request_user(request)
    handle = permissions.can_handle(user, application)
    criteria = [
        (
            criterion,
            ReviewForm(
                prefix=f"c{criterion.pk}",
                initial=_review_initial(criterion),
            ),
        )
        for criterion in selectors.criteria_with_reviews(application=application)
    ]
    submissions = selectors.submissions_of(application=application)
    changed = selectors.submission_changes(application=application, submissions=submissions)
    status = application.status
    can_decide = permissions.can_decide(user, application)
    context = _application_context(
        application,
        can_handle=handle,
        can_decide=can_decide,
        four_eyes_block=status == ApplicationStatus.PROPOSED
        and application.proposed_by_id == user.pk,
        # four eyes on money: whoever decided does not register the payments
        own_decision=handle and not permissions.can_pay(user, application),
        payable=organisation_payable(application.organisation),
        criteria=criteria,
        submissions=submissions,
        changed=changed,
        history=selectors.history_of(application=application)[:50],
        can_declare_conflict=permissions.can_declare_conflict(user, application),
        assign_form=AssignForm(
            colleagues=selectors.colleagues(application=application),
            initial={"assignee": application.assigned_to_id},
        )
        if handle
        else None,
        can_start_review=transitions.can(
            services.APPLICATION_MACHINE, application, user, to=ApplicationStatus.IN_REVIEW
        ),
        can_request_completion=transitions.can(
            services.APPLICATION_MACHINE,
            application,
            user,
            to=ApplicationStatus.COMPLETION_REQUESTED,
        ),
        completion_form=CompletionRequestForm(),
        recovery_form=RecoveryForm(),
        budget_left=services.call_budget_left(application.call)
        if status in {ApplicationStatus.IN_REVIEW, ApplicationStatus.PROPOSED}
        else None,
    )
    if handle and status == ApplicationStatus.IN_REVIEW:
        version = services.proposal_version(
            application,
            submission_number=submissions[-1].number if submissions else None,
            scores=[
                (c.pk, score)
                for c, _form in criteria
                if (score := getattr(c, "review_score", None)) is not None
            ],
        )
        context["proposal_form"] = ProposalForm(initial={"seen_version": version})
    if can_decide and status == ApplicationStatus.PROPOSED:
        context["decision_form"] = DecisionForm(
            initial={"seen_version": services.decision_version(application)}
        )
    if handle and status in services.DECIDED:
        context["payment_form"] = PaymentForm(
            initial={
                "paid_on": timezone.localdate(),
                "seen_version": services.payment_version(application, paid=context["paid"]),
            }
        )
    context.update(overrides)
    return render(request, "grants/officer_application.html", context)


@require_POST
def declare_conflict(request: HttpRequest, pk: int) -> HttpResponse:
    """An officer declares a conflict of interest (jäv) on an application and steps out of it:
    from then on the case is gone from their lists and its page is 404 for them."""
    application = selectors.application_get_for_officer(user=request.user, pk=pk)
    return organisation_views.declare_conflict(
        request,
        case=application,
        organisations=[application.organisation],
        back=reverse("grants:officer_application", args=[pk]),
        done=reverse("grants:inbox"),
        done_message=_(
            "You have declared a conflict of interest in %(number)s. Another officer handles the "
            "application; it is no longer shown to you."
        )
        % {"number": application.registry_number},
    )


@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    def act(application: Application, user: User) -> str:
        form = AssignForm(request.POST, colleagues=selectors.colleagues(application=application))
        if not form.is_valid():
            raise ValidationError(_("Choose a case officer."))
        services.application_assign(
            application=application, actor=user, assignee=form.cleaned_data["assignee"]
        )
        return _("The case officer has been changed.")

    return _officer_action(request, pk, act)


@require_POST
def request_completion(request: HttpRequest, pk: int) -> HttpResponse:
    def act(application: Application, user: User) -> str:
        form = CompletionRequestForm(request.POST)
        if not form.is_valid():
            raise form_error(form)
        services.application_request_completion(
            application=application,
            actor=user,
            message=form.cleaned_data["message"],
            due=form.cleaned_data["due"],
            seen_state=transitions.posted_state(request.POST),
        )
        return _("The association has been asked to complete the application.")

    return _officer_action(request, pk, act)


@require_POST
def start_review(request: HttpRequest, pk: int) -> HttpResponse:
    def act(application: Application, user: User) -> str:
        services.application_start_review(
            application=application, actor=user, seen_state=transitions.posted_state(request.POST)
        )
        return _("The application is in review.")

    return _officer_action(request, pk, act)


@require_POST
def score(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    def act(application: Application, user: User) -> str:
        criterion = application.call.programme.criteria.filter(pk=criterion_pk).first()
        if criterion is None:
            raise ValidationError(_("Unknown criterion."))
        form = ReviewForm(request.POST, prefix=f"c{criterion.pk}")
        if not form.is_valid():
            raise ValidationError(_("Give a score from 0 to 5."))
        services.review_save(
            application=application,
            actor=user,
            criterion=criterion,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
        )
        return _("The score has been saved.")

    return _officer_action(request, pk, act)
