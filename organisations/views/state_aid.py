"""The de minimis ledger's pages (`organisations.state_aid` holds the rules):

- the association's page "De minimis aid": its declaration of aid from others, the aid decided
  in the portal, and for a representative the form to sign a new declaration;
- the case officer's page of an organisation's aid: where it stands against the ceilings, its
  single undertaking (link, unlink), the ledger and the declarations;
- the register of the aid the officer's public bodies decided, as a page and as CSV/XLSX."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from organisations import permissions, segregation, selectors, services, state_aid
from organisations.forms import (
    AidDeclarationForm,
    AidRegisterFilterForm,
    DeclaredAidForm,
    DeclaredAidFormSet,
    UndertakingLinkForm,
    UndertakingUnlinkForm,
)
from organisations.models import AidRegulation, Organisation
from organisations.views.officer import _refused
from portal.confirm import confirmation
from portal.exports import export_response
from portal.forms import PortalForm
from portal.http import request_user
from portal.money import format_sek
from portal.pagination import paginate, query_without_page

ROWS_PREFIX = "aid"

# --- the association's page -----------------------------------------------------------------


def _declared(row: DeclaredAidForm) -> services.DeclaredAid:
    data = row.cleaned_data
    return services.DeclaredAid(
        granting_body=data["granting_body"],
        decided_on=data["decided_on"],
        regulation=data["regulation"],
        instrument=data["instrument"],
        amount_sek=data["amount_sek"],
        gross_grant_equivalent_sek=data.get("gross_grant_equivalent_sek"),
        amount_eur=data.get("amount_eur"),
        reference=data.get("reference") or "",
    )


def _declaration_errors(
    errors: dict[str, list[str]], rows: list[DeclaredAidForm], form: AidDeclarationForm
) -> None:
    """The service's reasons beside what they are about: "item-<n>-<field>" on that field of
    the n:th row filled in, "none_received" and "certified" on their boxes, anything else above
    the form."""
    for key, reasons in errors.items():
        index, _dash, name = key.removeprefix("item-").partition("-")
        if key.startswith("item-") and index.isdigit() and int(index) < len(rows):
            row = rows[int(index)]
            row.add_error(name if name in row.fields else None, reasons)
        elif key in form.fields:
            form.add_error(key, reasons)
        else:
            form.add_error(None, reasons)


def _rows_of(entries: list[Any], *, since: Any) -> list[dict[str, Any]]:
    """The declared aids that still count, as rows of the form, the euro amount where the other
    body's decision stated it."""
    return [
        {
            "granting_body": entry.granting_body,
            "decided_on": entry.decided_on,
            "regulation": entry.regulation,
            "instrument": entry.instrument,
            # as the person writes them ("120 000 kr"), which the fields read back
            "amount_sek": format_sek(entry.amount_sek),
            "gross_grant_equivalent_sek": (
                None
                if entry.gross_grant_equivalent_sek == entry.amount_sek
                else format_sek(entry.gross_grant_equivalent_sek)
            ),
            "amount_eur": state_aid.format_eur(entry.amount_eur) if entry.eur_stated else None,
            "reference": entry.source_reference,
        }
        for entry in entries
        if entry.decided_on >= since
    ]


@require_http_methods(["GET", "POST"])
def aid_declaration(request: HttpRequest, pk: int) -> HttpResponse:
    """The organisation's de minimis aid, for any member; a representative signs a new
    declaration here. "Add another row" draws the form again with one more empty row and
    everything typed kept (no script needed); "Sign" hands the rows to the service."""
    organisation, membership = selectors.organisation_get_for_member(user=request.user, pk=pk)
    may_sign = permissions.can_sign_aid_declaration(membership)
    today = timezone.localdate()
    declarations = selectors.aid_declarations_of(organisation=organisation)
    current = declarations[0] if declarations else None
    current_items = selectors.aid_declared_in(declaration=current) if current else []
    # a new declaration replaces the one before: it starts from what that one listed, as far
    # as it still counts, so nothing has to be typed again
    rows: Any = (
        DeclaredAidFormSet(
            prefix=ROWS_PREFIX,
            initial=_rows_of(current_items, since=state_aid.window_start(today)),
        )
        if may_sign
        else None
    )
    form: AidDeclarationForm | None = AidDeclarationForm() if may_sign else None
    if request.method == "POST":
        if not may_sign:
            raise PermissionDenied
        rows = DeclaredAidFormSet(request.POST, prefix=ROWS_PREFIX)
        form = AidDeclarationForm(request.POST)
        if "add_row" in request.POST:
            # what was typed, drawn again unchecked, and one more empty row
            rows = DeclaredAidFormSet(prefix=ROWS_PREFIX, initial=rows.typed())
            form = AidDeclarationForm(initial={name: form[name].value() for name in form.fields})
        elif not (rows.is_valid() & form.is_valid()):  # both, so that every error is shown
            # what the service would say of the rows that could be read, in the same round
            begun = rows.begun()
            _declaration_errors(
                services.aid_declaration_problems(
                    items={i: _declared(row) for i, row in enumerate(begun) if row.is_valid()},
                    none_received=bool(form["none_received"].data),
                    certified=bool(form["certified"].data),
                    listed=bool(begun),
                ),
                begun,
                form,
            )
        else:
            begun = rows.begun()
            try:
                declaration = services.aid_declaration_sign(
                    organisation=organisation,
                    actor=request_user(request),
                    items=[_declared(row) for row in begun],
                    none_received=form.cleaned_data["none_received"],
                    certified=form.cleaned_data["certified"],
                )
            except ValidationError as error:
                if not hasattr(error, "error_dict"):
                    raise
                _declaration_errors(error.message_dict, begun, form)
            else:
                messages.success(
                    request,
                    _("The declaration of de minimis aid has been signed (version %(number)s).")
                    % {"number": declaration.number},
                )
                return redirect("organisations:aid_declaration", pk=pk)
    _rate, ceilings = state_aid.current_settings()
    return render(
        request,
        "organisations/aid_declaration.html",
        {
            "organisation": organisation,
            "membership": membership,
            "period_start": state_aid.window_start(today),
            "ceiling_eur": ceilings.general_eur,
            "sgei_ceiling_eur": ceilings.sgei_eur,
            "today": today,
            "current": current,
            "current_items": current_items,
            "earlier": declarations[1:],
            "decided": selectors.aid_decided_since(
                organisation=organisation, since=state_aid.window_start(today)
            ),
            "may_sign": may_sign,
            "rows": rows,
            "form": form,
        },
    )


# --- the case officer's page of an organisation's aid ---------------------------------------


def _officer_aid_page(
    request: HttpRequest,
    organisation: Organisation,
    *,
    link_form: UndertakingLinkForm | None = None,
    unlink_form: tuple[int, UndertakingUnlinkForm] | None = None,
) -> HttpResponse:
    user = request_user(request)
    today = timezone.localdate()
    current = state_aid.standing(organisation_id=organisation.pk, at=today)
    may_link = permissions.can_link_undertaking(user, organisation)
    members = selectors.undertaking_members_of(organisation=organisation)
    unlink_forms = [
        (
            member,
            unlink_form[1]
            if unlink_form is not None and unlink_form[0] == member.organisation_id
            else UndertakingUnlinkForm(prefix=f"unlink-{member.organisation_id}"),
        )
        for member in members
    ]
    if link_form is None and may_link:
        link_form = UndertakingLinkForm(find=_find_by_number)
    sgei = AidRegulation.SGEI
    return render(
        request,
        "organisations/officer_aid.html",
        {
            "organisation": organisation,
            "standing": current,
            "general_headroom_eur": current.headroom_eur(),
            "general_headroom_sek": current.headroom_sek(),
            "sgei_headroom_eur": current.headroom_eur(sgei),
            "sgei_headroom_sek": current.headroom_sek(sgei),
            "rate": current.rate.describe(),
            "excluded": not may_link,
            "may_link": may_link,
            "members": unlink_forms,
            "link_form": link_form,
            "unlink_errors": unlink_form[1] if unlink_form is not None else None,
            "page": paginate(
                request, selectors.aid_ledger(organisation_ids=current.organisation_ids)
            ),
            "declarations": selectors.aid_declarations_of(organisation=organisation),
        },
    )


def _find_by_number(number: str) -> Organisation | None:
    return selectors.organisation_find_by_number(number=number)


@require_safe
def officer_aid(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_officer(user=request.user, pk=pk)
    return _officer_aid_page(request, organisation)


def _form_errors(form: PortalForm, error: ValidationError, fields: dict[str, str]) -> None:
    """A service's reasons on the form's fields (`fields`: the service's key -> the field)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, reasons in error.message_dict.items():
        name = fields.get(key, key)
        form.add_error(name if name in form.fields else None, reasons)


@require_POST
def officer_aid_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link the organisation to another, found by its organisation number, as one undertaking."""
    organisation = selectors.organisation_get_for_officer(user=request.user, pk=pk)
    form = UndertakingLinkForm(request.POST, find=_find_by_number)
    if form.is_valid() and form.other is not None:
        try:
            services.undertaking_link(
                actor=request_user(request),
                organisation=organisation,
                other=form.other,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _form_errors(form, error, {"other": "organisation_number"})
        except PermissionDenied as error:
            _refused(request, error)
            return redirect("organisations:officer_aid", pk=pk)
        else:
            messages.success(
                request,
                _("%(name)s and %(other)s now count as one undertaking.")
                % {"name": organisation.name, "other": form.other.name},
            )
            return redirect("organisations:officer_aid", pk=pk)
    return _officer_aid_page(request, organisation, link_form=form)


@require_POST
def officer_aid_unlink(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """Take an organisation of the undertaking out of it, after a confirmation."""
    organisation = selectors.organisation_get_for_officer(user=request.user, pk=pk)
    member = selectors.undertaking_member_get(
        organisation=organisation, member_organisation_id=member_pk
    )
    user = request_user(request)
    if not permissions.can_link_undertaking(user, organisation):
        messages.error(request, str(segregation.EXCLUDED_MESSAGE))
        return redirect("organisations:officer_aid", pk=pk)
    form = UndertakingUnlinkForm(request.POST, prefix=f"unlink-{member.pk}")
    if not form.is_valid():
        return _officer_aid_page(request, organisation, unlink_form=(member.pk, form))
    if (
        permissions.can_link_undertaking(user, member)
        and (
            response := confirmation(
                request,
                title=_("End the link"),
                question=_("Take %(name)s out of the single undertaking?") % {"name": member.name},
                consequences=[
                    _(
                        "From now on the de minimis aid of %(name)s no longer counts together "
                        "with that of the other organisations, nor theirs with its."
                    )
                    % {"name": member.name},
                    _("Aid already decided stays in the ledger."),
                    _("The change is recorded in the history with your name and the reason."),
                ],
                confirm_label=_("Yes, end the link"),
                cancel_url=reverse("organisations:officer_aid", args=[pk]),
            )
        )
        is not None
    ):
        return response
    try:
        services.undertaking_unlink(
            actor=user, organisation=member, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        _form_errors(form, error, {})
        return _officer_aid_page(request, organisation, unlink_form=(member.pk, form))
    except PermissionDenied as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("%(name)s is no longer part of the single undertaking.") % {"name": member.name},
        )
    return redirect("organisations:officer_aid", pk=pk)


# --- the register of de minimis aid ------------------------------------------------------------


def register_header() -> list[str]:
    """The columns of the register's export (Art. 6 of 2023/2831: the beneficiary, the amount,
    the date of granting, the granting authority, the aid instrument and the sector; with the
    regulation and the rate)."""
    return [
        _("Organisation number"),
        _("Beneficiary"),
        _("Other organisation numbers of the single undertaking"),
        _("Granting body"),
        _("Decision date"),
        _("Regulation"),
        _("Aid instrument"),
        _("Amount (SEK)"),
        _("Gross grant equivalent (SEK)"),
        _("Amount (euro)"),
        _("Exchange rate (SEK per euro)"),
        _("Rate date"),
        _("Rate source"),
        _("Sector (NACE)"),
        _("Case reference"),
    ]


EXPORT_FORMATS = ("csv", "xlsx")


@require_safe
def aid_register(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The de minimis aid decided in the portal by the officer's public bodies in a period
    (the current year unless another is chosen), as a page and as CSV or XLSX."""
    user = request_user(request)
    if not permissions.is_officer(user):
        raise Http404
    today = timezone.localdate()
    params = request.GET.copy()
    params.setdefault("start", f"{today.year}-01-01")
    params.setdefault("end", f"{today.year}-12-31")
    form = AidRegisterFilterForm(params)
    entries = None
    start = end = None
    if form.is_valid():
        start, end = form.period(today)
        entries = selectors.aid_register(user=user, start=start, end=end)
        fmt = request.GET.get("export", "")
        if fmt in EXPORT_FORMATS:
            return export_response(
                rows=selectors.register_cells(entries.iterator(chunk_size=2000)),
                header=register_header(),
                filename=f"stod-av-mindre-betydelse-{start.isoformat()}-{end.isoformat()}",
                fmt=fmt,
            )
    return render(
        request,
        "organisations/aid_register.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "page": paginate(request, entries, rows=selectors.register_rows)
            if entries is not None
            else None,
            "query": query_without_page(request),
            # the downloads hold the period shown
            "export_query": urlencode({"start": start, "end": end}) if start and end else "",
        },
    )
