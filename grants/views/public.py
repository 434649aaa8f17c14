"""Public pages: the open calls, a call, and the granted grants as open data (360Giving)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import require_safe

from grants import open_data_store, selectors
from grants.eligibility import eligibility_problems
from grants.forms import StartForm
from portal.http import StoredFileResponse
from portal.pagination import paginate, query_without_page
from portal.public_cache import deferred, public_page


@login_not_required
@require_safe
@public_page
def calls(request: HttpRequest) -> HttpResponse:
    # read only when the list is drawn, not when it is kept (portal.public_cache)
    context = deferred(
        lambda: {
            "page": paginate(request, selectors.open_calls(), rows=selectors.call_rows),
        },
        "page",
    )
    return render(request, "grants/calls.html", {**context, "query": query_without_page(request)})


@login_not_required
@require_safe
@public_page
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = selectors.call_get_public(pk=pk)
    start_form = None
    eligibility: list[tuple[str, list[str]]] = []
    # The person's drafts in this call are offered to continue; an organisation with a draft
    # is not offered a second one.
    drafts = selectors.drafts_for_call(user=request.user, call=call) if call.is_open() else []
    with_draft = {draft.organisation_id for draft in drafts}
    if request.user.is_authenticated and call.is_open():
        organisations = list(selectors.organisations_that_may_apply(user=request.user))
        for organisation in organisations:
            eligibility.append(
                (
                    organisation.name,
                    eligibility_problems(
                        organisation=organisation,
                        programme=call.programme,
                        documents_url=reverse("organisations:documents", args=[organisation.pk]),
                    ),
                )
            )
        choices = [
            (o.pk, o.name)
            for o, (_name, problems) in zip(organisations, eligibility, strict=True)
            if not problems and o.pk not in with_draft
        ]
        if choices:
            start_form = StartForm(organisations=choices)
    return render(
        request,
        "grants/call_detail.html",
        {
            "call": call,
            "start_form": start_form,
            "eligibility": eligibility,
            "drafts": drafts,
            "now": timezone.now(),
        },
    )


@login_not_required
@require_safe
@public_page
def open_data(request: HttpRequest) -> HttpResponse:
    # The figures as the last build computed them: no sum over the applications per view.
    return render(request, "grants/open_data.html", {"summary": open_data_store.summary()})


GZIP = re.compile(r"^\s*(?:x-)?gzip\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$", re.IGNORECASE)


def _accepts_gzip(header: str) -> bool:
    """Whether Accept-Encoding takes gzip: named (or x-gzip), and not with q=0."""
    for part in header.split(","):
        match = GZIP.match(part)
        if match:
            try:
                return float(match.group(1) or 1) > 0
            except ValueError:
                return False
    return False


NOT_BUILT = (
    "De öppna uppgifterna om beviljade bidrag tas fram och är inte klara ännu. "
    "Försök igen om några minuter."
)
NO_PACKAGE = (
    "Inga beviljade bidrag är publicerade ännu. Ett 360Giving-paket kräver minst ett bidrag."
)


def _not_built(missing: Callable[[str, int], HttpResponse]) -> HttpResponse:
    response = missing(NOT_BUILT, 503)
    response["Retry-After"] = "300"
    add_never_cache_headers(response)
    return response


def _built_file(
    request: HttpRequest,
    public: str,
    *,
    content_type: str,
    as_attachment: bool,
    missing: Callable[[str, int], HttpResponse],
    again: bool = True,
) -> HttpResponseBase:
    """One open-data file as the last build wrote it: the manifest and the file, no query. With
    its ETag and Last-Modified (304 when the client has it), the .gz to a client that accepts
    gzip, and a short public max-age. Before the first build: 503, and never a build here."""
    manifest = open_data_store.current()
    if manifest is None:
        return _not_built(missing)
    record = manifest["files"][public]
    if record is None:
        return missing(NO_PACKAGE, 404)
    gzipped = _accepts_gzip(request.headers.get("Accept-Encoding", ""))
    variant = record["gzip"] if gzipped else record
    etag = quote_etag(variant["etag"])
    last_modified = int(datetime.fromisoformat(record["last_modified"]).timestamp())
    response: HttpResponseBase | None = get_conditional_response(
        request, etag=etag, last_modified=last_modified
    )
    if response is None:
        if request.method == "HEAD":
            response = HttpResponse(content_type=content_type)
            response["Content-Length"] = str(variant["size"])
        else:
            try:
                handle = open_data_store.open_file(variant["name"])
            except FileNotFoundError:
                # Removed by two builds between the manifest and the file: read the manifest
                # again, once (a file missing for good is a 503 until the next build).
                if not again:
                    return _not_built(missing)
                return _built_file(
                    request,
                    public,
                    content_type=content_type,
                    as_attachment=as_attachment,
                    missing=missing,
                    again=False,
                )
            response = StoredFileResponse(
                handle, content_type=content_type, as_attachment=as_attachment, filename=public
            )
            if not response.has_header("Content-Length"):  # streamed from a bucket
                response["Content-Length"] = str(variant["size"])
        response["Content-Disposition"] = (
            f'{"attachment" if as_attachment else "inline"}; filename="{public}"'
        )
        if gzipped:
            response["Content-Encoding"] = "gzip"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, public=True, max_age=settings.OPEN_DATA_MAX_AGE)
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


def _json_message(message: str, status: int) -> HttpResponse:
    return JsonResponse(
        {"detail": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _text_message(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@login_not_required
@require_safe
def open_data_json(request: HttpRequest) -> HttpResponseBase:
    return _built_file(
        request,
        open_data_store.JSON,
        content_type="application/json; charset=utf-8",
        as_attachment=False,
        missing=_json_message,
    )


@login_not_required
@require_safe
def open_data_csv(request: HttpRequest) -> HttpResponseBase:
    return _built_file(
        request,
        open_data_store.CSV,
        content_type="text/csv; charset=utf-8",
        as_attachment=True,
        missing=_text_message,
    )
