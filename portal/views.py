"""The platform's own pages: home, accessibility statement, dashboards, profile, /healthz and
/readyz."""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import urlencode

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from portal import health, permissions, registry, selectors, services
from portal.adapters import take_mfa_destination
from portal.forms import NotificationSettingsForm, ProfileForm
from portal.http import error_messages, logo_response, request_user
from portal.panels import render_panels
from portal.todos import todos_for


@login_not_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


@login_not_required
@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/accessibility.html")


@login_not_required
@require_safe
def personal_data(request: HttpRequest) -> HttpResponse:
    """How the portal processes personal data: the text the administrator keeps in the admin."""
    return render(request, "portal/personal_data.html")


@login_not_required
@require_safe
def logo(request: HttpRequest) -> FileResponse:
    """The municipality's logo from the admin, for every page's header (404 without one)."""
    return logo_response(selectors.site_settings(request))


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": health.check_database(), "broker": health.check_broker()}
    healthy = all(value != "error" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


@login_not_required
@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """May this node take traffic: database, shared cache, broker and object storage (each
    check bounded in time, portal.health). 503 while the database or the cache fails; "degraded"
    (still 200) while only the broker or the storage does (health.REQUIRED says why)."""
    checks = health.readiness()
    ready = all(checks[name] != "error" for name in health.REQUIRED)
    status = "error" if not ready else "degraded" if "error" in checks.values() else "ok"
    # never_cache: "no-cache, no-store, must-revalidate, private", so no proxy answers for us
    return JsonResponse({"status": status, **checks}, status=200 if ready else 503)


@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    memberships = selectors.user_memberships(user=request.user)
    return render(
        request,
        "portal/dashboard.html",
        {
            "memberships": memberships,
            "todos": todos_for(request),
            "panels": render_panels(request, registry.DASHBOARD),
            "eid_enabled": settings.EID_ENABLED,
        },
    )


@require_safe
def officer_home(request: HttpRequest) -> HttpResponse:
    if not permissions.can_view_officer_area(request.user):
        raise PermissionDenied
    memberships = selectors.user_memberships(user=request.user)
    return render(
        request,
        "portal/officer_home.html",
        {"memberships": memberships, "panels": render_panels(request, registry.OFFICER_HOME)},
    )


@require_safe
def mfa_continue(request: HttpRequest) -> HttpResponse:
    """After the recovery codes are saved: on to the page the person was going to when the
    portal asked them to set up two-factor authentication, or My overview."""
    return redirect(take_mfa_destination(request))


@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = ProfileForm(request.POST or None, initial={"name": user.name})
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(actor=user, user=user, name=form.cleaned_data["name"])
        messages.success(request, _("Your name has been saved."))
        return redirect("portal:profile")
    return render(
        request, "portal/profile.html", {"form": form, "eid_enabled": settings.EID_ENABLED}
    )


@require_http_methods(["GET", "POST"])
def notifications_page(request: HttpRequest) -> HttpResponse:
    """What the portal has sent the person, and how they want non-urgent messages."""
    from portal.notifications import links_for, notifications_for
    from portal.pagination import paginate

    user = request_user(request)
    current = "digest" if user.notification_digest else "immediate"
    form = NotificationSettingsForm(
        request.POST or None,
        initial={"delivery": current},
        digest_hour=selectors.reminder_settings().digest_hour,
    )
    if request.method == "POST" and form.is_valid():
        digest = form.cleaned_data["delivery"] == "digest"
        services.notification_settings_save(actor=user, digest=digest)
        messages.success(
            request,
            _("Non-urgent messages now come in one email a day.")
            if digest
            else _("Messages now come by email at once."),
        )
        return redirect("portal:notifications")
    page = paginate(request, notifications_for(user=user))
    rows = list(zip(page, links_for(reader=user, rows=list(page)), strict=True))
    return render(
        request,
        "portal/notifications.html",
        {"page": page, "rows": rows, "query": "", "form": form},
    )


# --- the person's own data (GDPR) -----------------------------------------------------------


@require_safe
def my_data(request: HttpRequest) -> HttpResponse:
    """What the portal holds about the person, the copy to download, and how to erase the
    account."""
    from portal import personal_data

    user = request_user(request)
    return render(
        request,
        "portal/my_data.html",
        {
            "counts": personal_data.counts(user),
            "may_erase": personal_data.may_erase_themselves(user),
        },
    )


@never_cache
@require_safe
@reauthentication_required
def my_data_download(request: HttpRequest) -> FileResponse:
    """The person's copy as a ZIP (after their password again, unless just typed)."""
    from portal import personal_data

    user = request_user(request)
    return FileResponse(
        personal_data.export_zip(user, actor=user),
        as_attachment=True,
        filename=personal_data.export_filename(user),
        content_type="application/zip",
    )


@require_http_methods(["GET", "POST"])
def account_erase(request: HttpRequest) -> HttpResponse:
    """Erase the account: what goes and what is kept as public records is explained first;
    the person confirms with their password, typed on the page, and a ticked box."""
    from allauth.core import ratelimit

    from portal import personal_data
    from portal.forms import EraseAccountForm

    user = request_user(request)
    if not personal_data.may_erase_themselves(user):
        # an officer's account belongs to their work: the page says whom to ask
        return render(request, "portal/account_erase.html", {"not_yours": True}, status=403)
    standing = personal_data.blockers(user)
    form = EraseAccountForm(
        request.POST if request.method == "POST" and not standing else None, user=user
    )
    # the password typed here is guessed no faster than at the login
    if form.is_bound and not ratelimit.consume(request, action="reauthenticate", user=user):
        form.is_valid()
        form.add_error(None, _("Too many attempts. Wait a minute and try again."))
    elif form.is_bound and form.is_valid():
        try:
            personal_data.user_erase(user=user, actor=user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            logout(request)
            return redirect("portal:account_erased")
    return render(
        request,
        "portal/account_erase.html",
        {"form": form, "blockers": standing, "kept": personal_data.kept()},
    )


@login_not_required
@require_safe
def account_erased(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/account_erased.html")


# --- the registrar's diarium ---------------------------------------------------------------


def _chosen(value: str | None, allowed: Collection[int]) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if number in allowed else None


@require_safe
def diarium(request: HttpRequest, fmt: str | None = None) -> HttpResponse | StreamingHttpResponse:
    """The documents a public body registered in a year, newest first, with their
    diarienummer; for the body's registrars and officers, exportable as CSV or XLSX."""
    from portal import records
    from portal.exports import export_response
    from portal.formats import short_date
    from portal.pagination import paginate

    user = request_user(request)
    bodies = {body.pk: body for body in records.bodies_for(user)}
    if not bodies:
        raise PermissionDenied
    body = bodies[_chosen(request.GET.get("organ"), bodies) or next(iter(bodies))]
    years = records.years_of(body)
    year = _chosen(request.GET.get("ar"), years) or years[0]
    documents = records.documents(body, year)
    if fmt is not None:
        rows = (
            (e.number, short_date(e.registered), e.kind, e.title, e.party)
            for e in records.entries(list(documents), links=False)
        )
        return export_response(
            rows=rows,
            header=[_("Registration number"), _("Registered"), _("Type"), _("Title"), _("Party")],
            filename=f"diarium-{body.registry_prefix or body.pk}-{year}".lower(),
            fmt=fmt,
        )
    page = paginate(request, documents)
    from portal.forms import DiariumForm

    form = DiariumForm(
        initial={"organ": body.pk, "ar": year}, bodies=list(bodies.values()), years=years
    )
    return render(
        request,
        "portal/diarium.html",
        {
            "form": form,
            "body": body,
            "year": year,
            # the pages of the list keep the body and year chosen
            "query": urlencode({"organ": body.pk, "ar": year}),
            "page": page,
            "entries": records.entries(list(page.object_list), links=records.links_for(user, body)),
        },
    )


# --- legal holds (gallringsstopp) -----------------------------------------------------------


@require_http_methods(["GET", "POST"])
def legal_holds(request: HttpRequest) -> HttpResponse:
    """The holds in force at the officer's public bodies, and a form to set one on a
    registered document by its diarienummer."""
    from portal import retention
    from portal.forms import LegalHoldForm
    from portal.pagination import paginate

    user = request_user(request)
    if not retention.may_hold(user):
        raise PermissionDenied
    form = LegalHoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            hold = retention.legal_hold_set(
                actor=user, number=form.cleaned_data["number"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(number)s is kept until the hold is lifted.") % {"number": hold.number},
            )
            return redirect("portal:legal_holds")
    return render(
        request,
        "portal/legal_holds.html",
        {"form": form, "page": paginate(request, retention.holds_for(user))},
    )


@require_http_methods(["GET", "POST"])
def legal_hold_lift(request: HttpRequest, pk: int) -> HttpResponse:
    """Lift a hold, with a reason, after a confirmation. The address opened (not posted) leads
    to the list; a hold lifted meanwhile, in another tab, says so."""
    from portal import retention
    from portal.confirm import confirmation
    from portal.forms import LiftHoldForm

    user = request_user(request)
    hold = retention.hold_get_for_user(user=user, pk=pk)
    if request.method == "GET":
        return redirect("portal:legal_holds")
    if hold.lifted_at is not None:
        messages.info(
            request, _("The hold on %(number)s is already lifted.") % {"number": hold.number}
        )
        return redirect("portal:legal_holds")
    form = LiftHoldForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Write why the hold on %(number)s is lifted.") % {"number": hold.number}
        )
        return redirect("portal:legal_holds")
    response = confirmation(
        request,
        title=_("Lift the legal hold"),
        question=_("Lift the hold on %(number)s?") % {"number": hold.number},
        confirm_label=_("Lift the hold"),
        cancel_url=reverse("portal:legal_holds"),
        consequences=[
            _(
                "The retention schedule applies to the document again: the nightly disposal "
                "removes it when its period has passed."
            )
        ],
    )
    if response is not None:
        return response
    try:
        retention.legal_hold_lift(actor=user, hold=hold, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(request, _("The hold on %(number)s is lifted.") % {"number": hold.number})
    return redirect("portal:legal_holds")
