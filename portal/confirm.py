"""The confirmation step before anything that cannot be undone (GOV.UK's pattern, made to
work without JavaScript): the action's form posts as usual; the view asks
`confirmation(request, ...)` first, which, unless the post says `confirmed=1`, answers with a
page that names what will happen and posts the same fields again with `confirmed=1`. One
click never withdraws, ends, rejects or decides anything.

    if (response := confirmation(request, title=..., question=..., confirm_label=...,
                                 cancel_url=...)) is not None:
        return response

The re-posted fields include the `seen_state`/version tokens of the page the person acted on,
so an action confirmed after someone else changed the record is still refused as stale."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRMED = "confirmed"


def is_confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRMED) == "1"


def confirmation(
    request: HttpRequest,
    *,
    title: str,
    question: str,
    confirm_label: str,
    cancel_url: str,
    consequences: Iterable[str] = (),
    warnings: Iterable[str] = (),
    danger: bool = True,
) -> HttpResponse | None:
    """None when the person has confirmed; otherwise the page that asks them to. `warnings`
    are what the person may want to see to first (shown above the question); they do not
    stop the action."""
    if is_confirmed(request):
        return None
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in {"csrfmiddlewaretoken", CONFIRMED}
        for value in values
    ]
    return render(
        request,
        "portal/confirm.html",
        {
            "title": title,
            "question": question,
            "consequences": list(consequences),
            "warnings": list(warnings),
            "confirm_label": confirm_label,
            "cancel_url": cancel_url,
            "danger": danger,
            "fields": fields,
            "action": request.get_full_path(),
        },
    )
