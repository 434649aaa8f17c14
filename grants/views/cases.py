"""The case officer's handling of an application: the inbox, the application's page, assigning,
asking for completion, review and scores, and declaring a conflict of interest (jäv)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from grants import permissions, selectors, services
from grants.forms import (
    AssessmentForm,
    AssignForm,
    CompletionRequestForm,
    DecisionForm,
    InboxFilterForm,
    PaymentForm,
    ProposalForm,
    RecoveryForm,
)
from grants.models import Application, ApplicationStatus
from grants.views._shared import (
    _application_context,
    _for_the_form,
    _officer_action,
    _refused,
)
from organisations import views as organisation_views
from organisations.selectors import organisation_payable
from portal import transitions
from portal.confirm import confirmation
from portal.http import add_service_errors, error_messages, request_user
from portal.models import User
from portal.pagination import paginate, query_without_page


@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    # a registration number as typed in the search opens its case: the officer looks one up to
    # work on it, not to see a list of one row (the other filters do not narrow an exact number)
    case = selectors.case_by_registry_number(user=request.user, q=request.GET.get("q", ""))
    if case is not None:
        return redirect("grants:officer_application", case)
    # a whole organisation number opens the organisation: who it is, and its cases (its page
    # lists them in the officer's committees)
    organisation = selectors.organisation_by_number(user=request.user, q=request.GET.get("q", ""))
    if organisation is not None:
        return redirect(
            reverse("organisations:officer_detail", args=[organisation]) + "#ansokningar"
        )
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
            "page": paginate(request, applications, rows=selectors.case_rows(user=request.user)),
            "query": query_without_page(request),
            "segregated": selectors.officer_has_exclusions(user=request.user),
            # a registration number that opened nothing: the empty list says so
            "number_searched": selectors.registry_number_typed(filters.get("q") or ""),
            "organisation_number_searched": selectors.organisation_number_typed(
                filters.get("q") or ""
            ),
        },
    )


@require_safe
def officer_application(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_officer(user=request.user, pk=pk)
    return _officer_page(request, application)


def _officer_page(
    request: HttpRequest, application: Application, *, http_status: int = 200, **overrides: Any
) -> HttpResponse:
    """The officer's page of an application; a form in `overrides` replaces the empty one: a
    form sent back with errors keeps what was typed (`http_status` 400 then)."""
    user = request_user(request)
    handle = permissions.can_handle(user, application)
    status = application.status
    scoring = handle and status in {ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW}
    # the scores are given while the case is assessed and shown once a decision is proposed; a
    # withdrawn case, or one waiting for completion, does not read them
    assessment = (
        selectors.assessment_of(application=application)
        if scoring or status == ApplicationStatus.PROPOSED or application.decided_at
        else None
    )
    submissions = selectors.submissions_of(application=application)
    changed = selectors.submission_changes(application=application, submissions=submissions)
    can_decide = permissions.can_decide(user, application)
    context = _application_context(
        application,
        can_handle=handle,
        can_decide=can_decide,
        # only a decision maker is told that another decision maker must decide
        four_eyes_block=status == ApplicationStatus.PROPOSED
        and application.proposed_by_id == user.pk
        and permissions.is_decision_maker(user, application),
        # four eyes on money: whoever decided does not register the payments
        own_decision=handle and not permissions.can_pay(user, application),
        payable=organisation_payable(application.organisation),
        assessment=assessment,
        assessment_form=AssessmentForm(assessment=assessment)
        if scoring and assessment is not None
        else None,
        submissions=submissions,
        changed=changed,
        history=selectors.history_of(application=application),
        can_declare_conflict=permissions.can_declare_conflict(user, application),
        assign_form=AssignForm(
            choices=selectors.colleague_choices(application=application),
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
        # the de minimis check of the amount applied for (in review) or proposed
        aid_panel=selectors.aid_panel(
            application=application, amount=selectors.aid_panel_amount(application)
        ),
    )
    if handle and status == ApplicationStatus.IN_REVIEW and assessment is not None:
        version = services.proposal_version(
            application,
            submission_number=submissions[-1].number if submissions else None,
            scores=[
                (row.criterion.pk, row.score) for row in assessment.scored if row.score is not None
            ],
        )
        context["proposal_form"] = ProposalForm(
            initial={"seen_version": version},
            de_minimis=bool(application.call.programme.aid_regulation),
        )
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
    return render(request, "grants/officer_application.html", context, status=http_status)


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


def _officer_form(
    request: HttpRequest,
    pk: int,
    *,
    name: str,
    form_for: Callable[[Application], Any],
    act: Callable[[Application, User, Any], str],
    confirm: Callable[[Application, User, Any], dict[str, Any]] | None = None,
) -> HttpResponse:
    """A form of the officer's page, posted: done, back to the page with the action's message;
    refused by the form or the service, the page again with the form as it was typed and its
    errors (status 400), in the page's error summary. A refusal that is no error of the form (a
    stale page, a case that moved on, a person who may not) goes back to the page as a
    message. With `confirm` (what cannot be undone), a form that passes its checks is first
    shown on the confirmation page (`portal.confirm`; `confirm` gives its title, question,
    label and consequences, and may refuse as the service would)."""
    application = selectors.application_get_for_officer(user=request.user, pk=pk)
    form = form_for(application)
    user = request_user(request)
    if form.is_valid():
        try:
            if confirm is not None:
                response = confirmation(
                    request,
                    cancel_url=reverse("grants:officer_application", args=[pk]),
                    **confirm(application, user, form),
                )
                if response is not None:
                    return response
            message = act(application, user, form)
        except PermissionDenied as error:
            _refused(request, error)
            return redirect("grants:officer_application", pk=pk)
        except ValidationError as error:
            if not _for_the_form(form, error):
                error_messages(request, error)
                return redirect("grants:officer_application", pk=pk)
            add_service_errors(form, error)
        else:
            messages.success(request, message)
            return redirect("grants:officer_application", pk=pk)
    return _officer_page(request, application, http_status=400, **{name: form})


@require_POST
def request_completion(request: HttpRequest, pk: int) -> HttpResponse:
    def act(application: Application, user: User, form: CompletionRequestForm) -> str:
        services.application_request_completion(
            application=application,
            actor=user,
            message=form.cleaned_data["message"],
            due=form.cleaned_data["due"],
            seen_state=transitions.posted_state(request.POST),
        )
        return _("The association has been asked to complete the application.")

    return _officer_form(
        request,
        pk,
        name="completion_form",
        form_for=lambda application: CompletionRequestForm(request.POST),
        act=act,
    )


@require_POST
def start_review(request: HttpRequest, pk: int) -> HttpResponse:
    def act(application: Application, user: User) -> str:
        services.application_start_review(
            application=application, actor=user, seen_state=transitions.posted_state(request.POST)
        )
        return _("The application is in review.")

    return _officer_action(request, pk, act)


@require_POST
def assess(request: HttpRequest, pk: int) -> HttpResponse:
    """The case officer saves the assessment: every criterion's score and comment at once."""

    def act(application: Application, user: User, form: AssessmentForm) -> str:
        assessment = services.assessment_save(
            application=application, actor=user, scores=form.scores()
        )
        if assessment.missing:
            return _("The assessment has been saved. Not scored yet: %(criteria)s.") % {
                "criteria": ", ".join(criterion.name for criterion in assessment.missing)
            }
        return _("The assessment has been saved.")

    return _officer_form(
        request,
        pk,
        name="assessment_form",
        form_for=lambda application: AssessmentForm(
            request.POST, assessment=selectors.assessment_of(application=application)
        ),
        act=act,
    )
