"""The page that says why an identity provider's answer was not used, and where to go back."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def refused(
    request: HttpRequest,
    message: str,
    *,
    back: str = "",
    back_label: str = "",
    nothing_signed: bool = False,
    status: int = 403,
) -> HttpResponse:
    """`back`: the page the person came from (a signing's page); without it, their overview or
    the login page. `nothing_signed`: the answer was for a signing, and the message does not
    say so itself."""
    return render(
        request,
        "portal/eid/refused.html",
        {
            "message": message,
            "back": back,
            "back_label": back_label or _("Back to where you were signing"),
            "nothing_signed": nothing_signed,
        },
        status=status,
    )
