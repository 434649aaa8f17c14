"""The statistics of who gets the support: the officers' dashboard, the public page and each
table as CSV or XLSX. Each page reads the summaries the worker built (insights.store): a fixed
number of queries whatever the number of grants."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    QueryDict,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from insights import fragments, presenting, selectors, services
from insights.forms import FilterForm, ReportForm
from insights.models import Audience, Summary
from portal import kept_parts, public_cache
from portal.exports import export_response
from portal.http import stored_file_response
from portal.models import User
from portal.public_cache import public_page


@dataclass
class Shown:
    form: FilterForm | None
    summary: Summary | None
    roots: list[tuple[int, str]]
    root_name: str = ""
    scope_label: str = ""
    years: list[int] = field(default_factory=list)


def _shown(request: HttpRequest, *, user: User | None) -> Shown:
    """The view the query string asks for, of the roots the person may see (`user`) or of the
    public's (None). A choice that is not offered is named in the form's errors and the whole
    municipality's figures of every year are shown."""
    if user is None:
        roots = selectors.roots_with_figures(audience=Audience.PUBLIC)
    else:
        roots = selectors.dashboard_roots(user=user)
    if not roots:
        return Shown(form=None, summary=None, roots=roots)
    root = roots[0][0]
    asked = request.GET.get("kommun", "")
    if asked.isdigit() and len(asked) <= 18 and int(asked) in {pk for pk, _name in roots}:
        root = int(asked)
    choices = selectors.choices(root=root, roots=roots, scopes=user is not None)
    if choices is None:
        return Shown(form=None, summary=None, roots=roots)
    form = FilterForm(request.GET or None, choices=choices, initial={"kommun": root})
    scope, year = "all", None
    if form.is_bound and form.is_valid():
        scope = form.cleaned_data.get("del") or "all"
        year = form.cleaned_data.get("ar")
    summary = selectors.summary_for(user=user, root=root, scope=scope, year=year)
    labels = {value: label for value, label, _p in choices.scopes}
    return Shown(
        form=form,
        summary=summary,
        roots=roots,
        root_name=dict(roots)[root],
        scope_label=labels.get(scope, ""),
        years=choices.years,
    )


def _part(shown: Shown, *, public: bool) -> kept_parts.Part | None:
    """The page below its title as one kept part (portal.kept_parts): the same for everyone who
    reads the same view with the same municipalities to choose from, until a build or a yearly
    report changes it. A view with errors in its choices is drawn for its request."""
    form = shown.form
    if form is not None and form.errors:
        return None
    summary = shown.summary
    asked = tuple(form.data.get(name) for name in form.fields) if form is not None else ()
    return kept_parts.Part(
        name="insights-public" if public else "insights-dashboard",
        vary=(
            tuple(shown.roots),
            asked,
            summary.pk if summary is not None else None,
            summary.built_at.timestamp() if summary is not None else None,
        ),
        generations=(public_cache.LISTS,) if public else (public_cache.LISTS, selectors.REPORTS),
    )


def _page(request: HttpRequest, shown: Shown, *, public: bool) -> HttpResponse:
    summary = shown.summary
    reports: dict[str, Any] = {}
    if not public and shown.form is not None and summary is not None:
        root = summary.root_id
        years = shown.years

        def report_context() -> dict[str, Any]:
            return {
                "report_form": ReportForm(
                    prefix=ReportForm.PREFIX,
                    roots=shown.roots,
                    years=years,
                    initial={"kommun": root, "ar": summary.year or (years[-1] if years else None)},
                ),
                "reports": selectors.reports_of(root=root),
                "view_query": fragments.view_query(summary),
            }

        # made only when the part is drawn, not when it is kept
        reports = public_cache.deferred(report_context, "report_form", "reports", "view_query")
    return render(
        request,
        "insights/statistics.html",
        {
            "public": public,
            "form": shown.form,
            "summary": summary,  # its figures (`data`) are read only if they are drawn anew
            "part": _part(shown, public=public),
            "has_figures": summary is not None,
            "figures": public_cache.deferred(
                lambda: fragments.figures(
                    summary, public=public, root_name=shown.root_name, scope_label=shown.scope_label
                ),
                "head",
                "sections",
            )
            if summary is not None
            else None,
            **reports,
        },
    )


@login_not_required
@require_safe
@public_page
def public(request: HttpRequest) -> HttpResponse:
    return _page(request, _shown(request, user=None), public=True)


@require_safe
@never_cache
def dashboard(request: HttpRequest) -> HttpResponse:
    return _page(request, _shown(request, user=request.user), public=False)  # type: ignore[arg-type]


def _export(request: HttpRequest, slug: str, fmt: str, *, user: User | None) -> HttpResponseBase:
    shown = _shown(request, user=user)
    # a table of a view that is not offered is no file (the page names what is wrong)
    if shown.summary is None or (shown.form is not None and shown.form.errors):
        raise Http404
    section = presenting.find(presenting.sections(shown.summary.data), slug)
    if section is None:
        raise Http404
    header, rows = presenting.export_rows(section)
    summary = shown.summary
    kind, _sep, number = summary.scope.partition(":")
    name = [
        # the officers' files hold small groups too: named so that nobody publishes one by mistake
        *(["internt"] if user is not None else []),
        slug,
        str(summary.year) if summary.year is not None else _("every-year"),
        *([{"body": "namnd", "programme": "bidrag"}[kind], number] if number else []),
    ]
    response = export_response(rows=rows, header=header, filename="-".join(name), fmt=fmt)
    if user is not None:  # every figure, small groups too: no shared cache keeps it
        response["Cache-Control"] = "private, no-store"
    return response


@login_not_required
@require_safe
def public_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponseBase:
    return _export(request, slug, fmt, user=None)


@require_safe
def dashboard_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponseBase:
    return _export(request, slug, fmt, user=request.user)  # type: ignore[arg-type]


@require_POST
def report_request(request: HttpRequest) -> HttpResponse:
    """Ask the worker for the yearly report of a municipality and year."""
    form = ReportForm(
        request.POST,
        prefix=ReportForm.PREFIX,
        roots=selectors.dashboard_roots(user=request.user),
    )
    if form.is_valid():
        services.yearly_report_request(
            actor=request.user,  # type: ignore[arg-type]
            root_id=form.cleaned_data["kommun"],
            year=form.cleaned_data["ar"],
        )
        messages.success(
            request,
            _(
                "The report is being prepared. It is listed here when it is ready, usually "
                "within a minute."
            ),
        )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    # back to the view the person was reading, by the view's own choices only
    back = QueryDict(request.POST.get("tillbaka", "")[:200])
    query = urlencode({name: back[name][:40] for name in ("kommun", "ar", "del") if back.get(name)})
    return redirect(f"{reverse('insights:dashboard')}{'?' + query if query else ''}#arsrapport")


@require_safe
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    report = selectors.report_for(user=request.user, pk=pk)
    return stored_file_response(
        report.file,
        filename=f"internt-fordelning-av-foreningsstod-{report.year}.pdf",
        content_type="application/pdf",
    )
