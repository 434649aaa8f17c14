"""The public directory of associations."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from organisations import selectors
from organisations.forms import (
    DirectorySearchForm,
)
from portal.pagination import paginate, query_without_page
from portal.public_cache import deferred, public_page

# --- the public directory ------------------------------------------------------------------


@login_not_required
@require_safe
@public_page
def directory(request: HttpRequest) -> HttpResponse:
    def build() -> dict[str, Any]:
        groups = selectors.target_groups()
        form = DirectorySearchForm(
            request.GET, districts=selectors.directory_districts(), target_groups=groups
        )
        filters = form.cleaned_data if form.is_valid() else {}
        organisations = selectors.directory(
            q=(filters.get("q") or "").strip(),
            district=filters.get("district") or "",
            target_group=filters.get("target_group"),
        )
        page = paginate(request, organisations)
        return {"form": form, "page": page, "rows": selectors.directory_rows(list(page))}

    # read only when the list is drawn, not when it is kept (portal.public_cache)
    context = deferred(build, "form", "page", "rows")
    return render(
        request,
        "organisations/directory.html",
        {**context, "query": query_without_page(request)},
    )


@login_not_required
@require_safe
@public_page
def directory_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.directory_get(pk=pk)
    return render(request, "organisations/directory_detail.html", {"organisation": organisation})
