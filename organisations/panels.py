"""What organisations add to the portal's own pages: the person's organisations on their
overview and in the header, the verification queue on the officer's case handling page, the
to-do items on a person's overview, and the menu links."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from organisations import permissions, selectors
from organisations.models import OrganisationMembership, OrganisationStatus
from portal.models import PublicBodyRole
from portal.registry import (
    DASHBOARD,
    HEADER,
    OFFICER,
    OFFICER_HOME,
    PUBLIC,
    SIGNED_IN,
    Context,
    NavItem,
    Panel,
    Todo,
)


def _memberships(request: HttpRequest) -> list[OrganisationMembership]:
    """The person's organisation roles, read once per request (header and overview share it)."""
    cached: list[OrganisationMembership] | None = getattr(request, "_organisation_panel", None)
    if cached is None:
        cached = list(selectors.memberships_for_user(user=request.user))
        request._organisation_panel = cached  # type: ignore[attr-defined]
    return cached


def _header(request: HttpRequest) -> Context:
    return {"roles": [f"{m.get_role_display()}, {m.organisation}" for m in _memberships(request)]}


def _dashboard(request: HttpRequest) -> Context:
    """The association part of the overview: for members of an organisation, and for whoever
    holds no officer role (who may register one); an officer who is no member is not offered it."""
    memberships = _memberships(request)
    return {
        "organisation_memberships": memberships,
        "show": bool(memberships) or not permissions.is_officer(request.user),
    }


def _officer_home(request: HttpRequest) -> Context:
    return {
        "pending_count": selectors.waiting_for_verification_count(user=request.user),
        "documents_count": selectors.documents_waiting_count(user=request.user),
    }


QUEUE_DOCUMENTS = "?status=&documents=waiting"


def member_todos(request: HttpRequest) -> list[Todo]:
    """Annual documents sent back or missing, the documents asked for before verification,
    invitations to join, requests to join to answer."""
    waiting = selectors.waiting_for_member(user=request.user)
    todos = [
        Todo(
            gettext("Answer the invitation to join %(organisation)s")
            % {"organisation": invitation.organisation.name},
            reverse("organisations:invitation_accept", args=[invitation.token]),
            timezone.localdate(invitation.expires_at),
        )
        for invitation in waiting.invitations
    ]
    todos += [
        Todo(
            gettext("%(name)s asks to join %(organisation)s")
            % {"name": join.user.display_name, "organisation": join.organisation.name},
            reverse("organisations:members", args=[join.organisation_id]),
        )
        for join in waiting.join_requests
    ]
    todos += [
        Todo(
            gettext("Send in the annual documents for %(year)s") % {"year": year},
            reverse("organisations:documents", args=[organisation.pk]) + f"?ar={year}",
            asked_on,
            gettext("%(organisation)s – missing: %(documents)s")
            % {"organisation": organisation.name, "documents": ", ".join(missing)},
        )
        for organisation, year, missing, asked_on in waiting.missing
    ]
    todos += [
        Todo(
            gettext("Send in the documents needed to verify %(organisation)s")
            % {"organisation": organisation.name},
            reverse("organisations:documents", args=[organisation.pk]) + f"?ar={year}",
            None,
            gettext("Missing: %(documents)s") % {"documents": ", ".join(missing)},
        )
        for organisation, year, missing in waiting.before_verification
    ]
    todos += [
        Todo(
            gettext("%(document)s %(year)s was sent back: send in a new version")
            % {"document": document.get_kind_display(), "year": document.year},
            reverse("organisations:documents", args=[document.organisation_id])
            + f"?ar={document.year}",
            None,
            document.organisation.name,
        )
        for document in waiting.returned
    ]
    return todos


def officer_todos(request: HttpRequest) -> list[Todo]:
    """For an officer: organisations to verify and annual documents to review (the same counts
    as the case handling page's card), each linking to the filtered queue."""
    if not permissions.is_officer(request.user):
        return []
    queue = reverse("organisations:officer_queue")
    pending = selectors.waiting_for_verification_count(user=request.user)
    documents = selectors.documents_waiting_count(user=request.user)
    todos = []
    if pending:
        todos.append(
            Todo(
                ngettext(
                    "%(count)s organisation to verify", "%(count)s organisations to verify", pending
                )
                % {"count": pending},
                f"{queue}?status={OrganisationStatus.PENDING}",
                order=50,
            )
        )
    if documents:
        todos.append(
            Todo(
                ngettext(
                    "%(count)s annual document to review",
                    "%(count)s annual documents to review",
                    documents,
                )
                % {"count": documents},
                queue + QUEUE_DOCUMENTS,
                order=50,
            )
        )
    return todos


TODOS = [("organisations", member_todos), ("organisations_officer", officer_todos)]


PANELS = [
    Panel("organisations_header", HEADER, _header),
    Panel("organisations", DASHBOARD, _dashboard, "organisations/panels/dashboard.html", 10),
    Panel(
        "organisations_queue",
        OFFICER_HOME,
        _officer_home,
        "organisations/panels/officer_home.html",
        50,
    ),
]
NAV = [
    NavItem("organisations:directory", _("Directory"), PUBLIC, 40),
    NavItem("organisations:mine", _("My organisations"), SIGNED_IN, 30),
    NavItem(
        "organisations:officer_queue",
        _("Organisations"),
        OFFICER,
        60,
        (PublicBodyRole.CASE_OFFICER,),
    ),
]
