from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 25


def paginate(request: HttpRequest, items: QuerySet[Any], per_page: int = PAGE_SIZE) -> Page[Any]:
    """One page of a list; a page number out of range gives the nearest page, never an error."""
    return Paginator(items, per_page).get_page(request.GET.get("sida"))


def query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("sida", None)
    return params.urlencode()
