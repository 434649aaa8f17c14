"""The person's e-legitimation page (linked providers, link another, remove one) and the page
that asks an officer to log in with e-legitimation when EID_FOR_OFFICERS says so."""

from __future__ import annotations

from allauth.socialaccount.providers.openid_connect import views as oidc_views
from allauth.socialaccount.providers.saml import views as saml_views
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from lxml import etree

from portal import selectors
from portal.confirm import confirmation
from portal.eid import services, signing
from portal.eid.adapter import session_used_eid
from portal.eid.pages import refused
from portal.http import error_messages
from portal.views import request_user


def _offers(
    request: HttpRequest, process: str, next_url: str, *, besides: set[str] | None = None
) -> list[dict[str, str]]:
    """The providers to log in with or link (for linking: `besides` those already linked)."""
    return [
        {"name": p.name, "url": p.get_login_url(request, process=process, next=next_url)}
        for p in signing.enabled_providers(request)
        if p.sub_id not in (besides or set())
    ]


@require_GET
def account(request: HttpRequest) -> HttpResponse:
    if not settings.EID_ENABLED:
        raise Http404
    user = request_user(request)
    here = reverse("portal:eid_account")
    linked = selectors.linked_eids(user=user)
    return render(
        request,
        "portal/eid/account.html",
        {
            "linked": linked,
            "offers": _offers(request, "connect", here, besides={a["provider_id"] for a in linked}),
            "can_remove": user.has_usable_password(),
        },
    )


@require_GET
def required(request: HttpRequest) -> HttpResponse:
    """An officer whose session did not begin with e-legitimation, under EID_FOR_OFFICERS."""
    if not settings.EID_ENABLED:
        raise Http404
    user = request_user(request)
    destination = request.GET.get("next") or reverse(settings.LOGIN_REDIRECT_URL)
    if session_used_eid(request):
        return HttpResponseRedirect(reverse(settings.LOGIN_REDIRECT_URL))
    linked = selectors.linked_eids(user=user)
    return render(
        request,
        "portal/eid/required.html",
        {
            "linked": linked,
            "offers": _offers(request, "login" if linked else "connect", destination),
        },
    )


@require_POST
def unlink(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove one of the person's linked e-legitimations, after a confirmation."""
    user = request_user(request)
    here = reverse("portal:eid_account")
    linked = {a["id"]: a for a in selectors.linked_eids(user=user)}
    if pk not in linked:
        raise Http404
    response = confirmation(
        request,
        title=_("Remove the e-legitimation"),
        question=_("Remove %(name)s from your account?") % {"name": linked[pk]["provider"]},
        confirm_label=_("Remove"),
        cancel_url=here,
        consequences=[
            _("You can no longer log in or sign with it until you link it again."),
            _("You log in with your email address and password instead."),
        ],
    )
    if response is not None:
        return response
    try:
        services.eid_unlink(request, actor=user, account_pk=pk)
    except ValidationError as error:
        error_messages(request, error)
    return HttpResponseRedirect(here)


# allauth's SAML endpoints that read what a browser posts or sends, wrapped (same addresses,
# matched before allauth's): an answer that is not readable XML, or not base64 at all, gets the
# portal's page and a 400 instead of a crash; the cookie that carries the posted answer over its
# one redirect is not readable by scripts; and the answer is taken in one transaction, so that
# two answers linking e-legitimations to one account at once are checked one after the other
# (`adapter`: one person per account).
UNREADABLE = (etree.LxmlError, ValueError)  # python3-saml's DTDForbidden is a ValueError


def _unreadable(request: HttpRequest) -> HttpResponse:
    return refused(
        request,
        _("The answer from the identity provider could not be read. Nothing was changed."),
        status=400,
    )


@csrf_exempt
@login_not_required
def saml_acs(request: HttpRequest, organization_slug: str) -> HttpResponse:
    response = saml_views.acs(request, organization_slug=organization_slug)
    cookie = response.cookies.get("saml-acs-session")
    if cookie is not None:
        cookie["httponly"] = True
    return response


@login_not_required
def saml_finish_acs(request: HttpRequest, organization_slug: str) -> HttpResponse:
    try:
        with transaction.atomic():
            return saml_views.finish_acs(request, organization_slug=organization_slug)
    except UNREADABLE:
        return _unreadable(request)


@login_not_required
def oidc_callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    with transaction.atomic():
        return oidc_views.callback(request, provider_id=provider_id)


@csrf_exempt
@login_not_required
def saml_sls(request: HttpRequest, organization_slug: str) -> HttpResponse:
    """Single logout is not offered: the portal never asks an identity provider to log anyone
    out, and a logout message it did not ask for (unsigned, from a link) must not end a
    person's session. Logging out of the portal is its own button."""
    raise Http404
