"""The public register, the user's own agreements, and filing an initiative."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from agreements import permissions, selectors, services
from agreements.forms import InitiativeForm
from agreements.models import AgreementStatus
from organisations import selectors as organisation_selectors
from organisations.models import Organisation, OrganisationStatus
from portal.http import request_user
from portal.models import PublicBody
from portal.pagination import paginate, query_without_page
from portal.public_cache import deferred, public_page


@login_not_required
@require_safe
@public_page
def register(request: HttpRequest) -> HttpResponse:
    def build() -> dict[str, Any]:
        page = paginate(request, selectors.public_register())
        return {"page": page, "rows": selectors.register_rows(list(page))}

    # read only when the list is drawn, not when it is kept (portal.public_cache)
    context = deferred(build, "page", "rows")
    return render(
        request, "agreements/register.html", {**context, "query": query_without_page(request)}
    )


@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    page = paginate(request, selectors.agreements_for_user(user=user))
    return render(
        request,
        "agreements/mine.html",
        {
            "page": page,
            "query": query_without_page(request),
            "may_initiate": bool(permissions.organisation_roles(user)),
            "officer": bool(permissions.body_ids(user)),
        },
    )


@require_safe
def officer_list(request: HttpRequest) -> HttpResponse:
    """The case officer's IOP list: the agreements of their public bodies, by status."""
    user = request_user(request)
    if not permissions.body_ids(user):
        raise PermissionDenied
    agreements = selectors.agreements_for_officer(user=user)
    counts = selectors.status_counts(agreements=agreements)
    status = request.GET.get("status", "")
    if status in AgreementStatus.values:
        agreements = agreements.filter(status=status)
    else:
        status = ""
    # The counts per status already tell the number of rows: the list is not counted again.
    page = paginate(
        request, agreements, count=counts.get(status, 0) if status else sum(counts.values())
    )
    total = sum(counts.values())
    if not status and page.paginator.count is not None:
        total = page.paginator.count  # the rows corrected a kept count: one number on the page
    return render(
        request,
        "agreements/officer_list.html",
        {
            "page": page,
            "query": query_without_page(request),
            "status": status,
            "total": total,
            "statuses": [
                (value, label, counts[value])
                for value, label in AgreementStatus.choices
                if counts.get(value)
            ],
        },
    )


@require_http_methods(["GET", "POST"])
def initiative(request: HttpRequest) -> HttpResponse:
    """An association files an initiative; a case officer may file one on an association's behalf."""
    from organisations.validators import normalise_organisation_number

    user = request_user(request)
    writable = list(
        organisation_selectors.organisations_for(user=user, roles=permissions.WRITERS).order_by(
            "name"
        )
    )
    # Only a verified organisation files an initiative: the municipality knows who it is.
    organisations = {o.pk: o for o in writable if o.status == OrganisationStatus.VERIFIED}
    unverified = [o for o in writable if o.status != OrganisationStatus.VERIFIED]
    officer_bodies = permissions.body_ids(user)
    officer = bool(officer_bodies)
    active_bodies = PublicBody.objects.filter(is_active=True).order_by("name")
    if officer and not organisations:  # on an association's behalf: to one's own bodies
        active_bodies = active_bodies.filter(pk__in=officer_bodies)
    bodies = [(b.pk, str(b)) for b in active_bodies]
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
            elif organisation is not None and organisation.status != OrganisationStatus.VERIFIED:
                form.add_error(
                    "on_behalf_of",
                    _(
                        "%(name)s is not verified yet. An initiative is filed for a verified "
                        "organisation."
                    )
                    % {"name": organisation.name},
                )
                organisation = None
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
                    request,
                    _(
                        "The initiative has been sent to %(body)s with registration number "
                        "%(number)s. A case officer screens it against the IOP criteria; you see "
                        "the outcome on this page."
                    )
                    % {"body": agreement.public_body, "number": agreement.registry_number},
                )
                return redirect("agreements:agreement", pk=agreement.pk)
    return render(
        request,
        "agreements/initiative.html",
        {
            "form": form,
            "has_organisation": bool(organisations) or officer,
            "unverified": unverified,
        },
    )
