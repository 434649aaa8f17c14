"""Every read the statistics pages make: one summary row, scoped to what the person may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from insights import permissions, store
from insights.models import Audience, ReportStatus, Summary, YearlyReport
from portal import person_cache, public_cache
from portal.models import User


@dataclass(frozen=True)
class Choices:
    """What a view may be narrowed to: its municipalities or regions, years, public bodies and
    programmes, as the last build found them."""

    roots: list[tuple[int, str]]
    years: list[int]
    scopes: list[tuple[str, str, bool]]  # (value, label, is a programme)


def roots_with_figures(*, audience: str, only: set[int] | None = None) -> list[tuple[int, str]]:
    """The municipalities and regions with built figures, by name; kept until the next build
    (portal.person_cache, generation LISTS)."""

    def read() -> list[tuple[int, str]]:
        return list(
            Summary.objects.filter(audience=audience, scope=store.ALL, year=None)
            .order_by("root__name", "root_id")
            .values_list("root_id", "root__name")
        )

    roots = person_cache.kept(f"insights-roots-{audience}", read, generation=public_cache.LISTS)
    return [root for root in roots if only is None or root[0] in only]


def dashboard_roots(*, user: User | AnonymousUser) -> list[tuple[int, str]]:
    """The municipalities and regions whose full figures the person may see (none: refused)."""
    allowed = permissions.roots_of(user)
    if not allowed:
        raise PermissionDenied
    return roots_with_figures(audience=Audience.OFFICER, only=allowed)


def summary_for(
    *, user: User | AnonymousUser | None, root: int, scope: str, year: int | None
) -> Summary | None:
    """One view's figures: the full ones for a person who may see them (`user`), the public's
    with `user=None`. A root the person may not see is refused."""
    if user is not None and not permissions.can_view_dashboard(user, root):
        raise PermissionDenied
    audience = Audience.PUBLIC if user is None else Audience.OFFICER

    # which row holds the view's figures (without them: `Summary.data` is read when first asked
    # for), kept until the next build replaces the rows (it raises LISTS)
    def read() -> Summary | None:
        return store.read(root=root, scope=scope, year=year, audience=audience)

    return person_cache.kept(
        f"insights-summary-{audience}-{root}-{scope}-{year}", read, generation=public_cache.LISTS
    )


def choices(*, root: int, roots: list[tuple[int, str]], scopes: bool) -> Choices | None:
    """What a root's views may be narrowed to (its years and, with `scopes`, public bodies and
    programmes: the officers' dashboard), as the last build found them; kept until the next
    build. None before the first build. The public page shows the whole municipality only
    (insights.store.hidden_cells)."""

    def read() -> tuple[list[int], list[tuple[str, str, bool]]] | None:
        overview = store.read(root=root, scope=store.ALL, year=None, audience=Audience.PUBLIC)
        if overview is None:
            return None
        data = overview.data
        labels = {row["key"]: row["label"] for row in data["rows"].get("programme", [])}
        scopes: list[tuple[str, str, bool]] = []
        for body in data["rows"].get("body", []):
            scopes.append((f"body:{body['key']}", body["label"], False))
            for key in data.get("programmes_of", {}).get(body["key"], []):
                scopes.append((f"programme:{key}", labels.get(key, ""), True))
        return list(data["years"]), scopes

    found = person_cache.kept(f"insights-choices-{root}", read, generation=public_cache.LISTS)
    if found is None:
        return None
    years, offered = found
    return Choices(roots=roots, years=years, scopes=offered if scopes else [])


REPORTS_SHOWN = 10
# the yearly reports and who asked for them: the dashboard's kept view (insights.views) is drawn
# anew when either changes (insights.apps watches both tables)
REPORTS = "insights-reports"


def reports_of(*, root: int) -> list[YearlyReport]:
    """The latest yearly reports of a municipality or region (the dashboard has checked that the
    person may see it), without the figures they were built from."""
    return list(
        YearlyReport.objects.filter(root_id=root)
        .select_related("requested_by")
        .only(
            "root_id", "year", "status", "requested_at", "requested_by__name", "requested_by__email"
        )
        .order_by("-requested_at", "-id")[:REPORTS_SHOWN]
    )


def report_for(*, user: User | AnonymousUser, pk: int) -> YearlyReport:
    """A built yearly report of a municipality or region the person may see; 404 otherwise."""
    report = YearlyReport.objects.filter(pk=pk, status=ReportStatus.READY).first()
    if report is None or not permissions.can_view_dashboard(user, report.root_id):
        raise Http404
    return report
