"""Public pages: the open calls, a call, and the granted grants as open data (360Giving)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from grants import open_data as open_data_files
from grants import selectors
from grants.eligibility import eligibility_problems
from grants.forms import StartForm
from portal.pagination import paginate, query_without_page


@login_not_required
@require_safe
def calls(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "grants/calls.html",
        {
            "page": paginate(request, selectors.open_calls()),
            "query": query_without_page(request),
            "now": timezone.now(),
        },
    )


@login_not_required
@require_safe
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
def open_data(request: HttpRequest) -> HttpResponse:
    return render(
        request, "grants/open_data.html", {"rows": selectors.granted_by_programme_and_year()}
    )


@login_not_required
@require_safe
def open_data_json(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    grants = selectors.granted()
    if not grants.exists():
        return JsonResponse(
            {
                "detail": "Inga beviljade bidrag är publicerade ännu. Ett 360Giving-paket kräver minst ett bidrag."
            },
            status=404,
            json_dumps_params={"ensure_ascii": False},
        )
    response = StreamingHttpResponse(
        open_data_files.package_stream(grants, download_url=request.build_absolute_uri()),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="grants.json"'
    return response


@login_not_required
@require_safe
def open_data_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    response = StreamingHttpResponse(
        open_data_files.csv_stream(selectors.granted()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="grants.csv"'
    return response
