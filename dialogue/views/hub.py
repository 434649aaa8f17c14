"""Dialogue in one place (`/dialog/`): what the municipality asks now, its local compacts and
its forums and councils, for everyone."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from dialogue import selectors
from portal.public_cache import public_page

HUB_SHOWN = 5


@login_not_required
@require_safe
@public_page
def hub(request: HttpRequest) -> HttpResponse:
    """Dialogue in one place: the consultations open for responses, the local compacts and the
    forums and councils with their next meetings."""
    open_consultations = list(
        selectors.public_consultations().filter(deadline__gte=timezone.localdate())[:HUB_SHOWN]
    )
    return render(
        request,
        "dialogue/hub.html",
        {
            "consultations": open_consultations,
            "compacts": list(selectors.public_compacts()[:HUB_SHOWN]),
            "forums": selectors.forums_with_next_meeting(limit=HUB_SHOWN),
        },
    )
