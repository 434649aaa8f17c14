"""The e-archive in the Django admin: the "Export to e-archive" action of a domain app's admin
list (applications, agreements), and the pages of a delivery (`portal.admin`)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import registry
from portal.earchive.services import MAX_CHOSEN, batch_request, may_export
from portal.models import User


class ArchiveExportAdmin:
    """Put before the admin's other bases of a model registered as an archive source: its list
    offers "Export to e-archive" to those who may deliver (`portal.export_archive`), which starts
    a delivery of the chosen cases and opens its page."""

    actions: Any = ["export_to_earchive"]
    model: Any

    @admin.action(description=gettext_lazy("Export to e-archive"), permissions=["export_archive"])
    def export_to_earchive(
        self, request: HttpRequest, queryset: QuerySet[Any]
    ) -> HttpResponse | None:
        source = registry.archive_source_for(self.model)
        if source is None:
            return None
        chosen = list(queryset.values_list("pk", flat=True)[: MAX_CHOSEN + 1])
        try:
            batch = batch_request(
                actor=cast(User, request.user), source=source.name, object_ids=chosen
            )
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            cast("admin.ModelAdmin[Any]", self).message_user(request, text, messages.ERROR)
            return None
        cast("admin.ModelAdmin[Any]", self).message_user(
            request,
            _(
                "The delivery of %(count)d cases is being built. Cases that are not closed are "
                "left out, with the reason, on its page."
            )
            % {"count": len(chosen)},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(redirect("admin:portal_archivebatch_change", batch.pk).url)

    def has_export_archive_permission(self, request: HttpRequest) -> bool:
        return may_export(request.user)
