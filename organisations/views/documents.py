"""The association's annual documents: the year's page with its upload, and a file's download."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from organisations import permissions, selectors, services
from organisations.forms import (
    DocumentUploadForm,
    year_choices,
)
from portal.http import private_file_response, request_user


def year_asked(request: HttpRequest, years: list[int], *, default: int) -> int:
    """The year of documents a page shows: `?ar=` when it is one of `years`, else `default`."""
    try:
        year = int(request.GET.get("ar", default))
    except ValueError:
        return default
    return year if year in years else default


@require_http_methods(["GET", "POST"])
def documents(request: HttpRequest, pk: int) -> HttpResponse:
    organisation, membership = selectors.organisation_get_for_member(user=request.user, pk=pk)
    can_upload = permissions.can_upload_documents(membership)
    years = [year for year, _label in year_choices()]
    year = year_asked(request, years, default=timezone.localdate().year)
    form = DocumentUploadForm(initial={"year": year})
    if request.method == "POST":
        if not can_upload:
            raise PermissionDenied
        form = DocumentUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                version = services.document_upload(
                    organisation=organisation,
                    actor=request_user(request),
                    year=form.cleaned_data["year"],
                    kind=form.cleaned_data["kind"],
                    upload=form.cleaned_data["file"],
                )
            except ValidationError as error:
                form.add_error("file", error)
            else:
                messages.success(
                    request,
                    _("%(document)s has been uploaded.")
                    % {"document": version.document.get_kind_display()},
                )
                return redirect(f"{request.path}?ar={form.cleaned_data['year']}")
    return render(
        request,
        "organisations/documents.html",
        {
            "organisation": organisation,
            "membership": membership,
            "year": year,
            "years": years,
            "rows": selectors.documents_of_year(organisation=organisation, year=year),
            "form": form if can_upload else None,
        },
    )


@require_safe
def document_download(request: HttpRequest, pk: int, version_pk: int) -> FileResponse:
    version = selectors.document_version_get_for_user(
        user=request.user, organisation_pk=pk, pk=version_pk
    )
    return private_file_response(version)
