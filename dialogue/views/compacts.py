"""The local compacts' pages: the public list and each compact's page (its text, the
organisations signed on, the action plans and the published follow-ups), where representatives
sign on, confirm a new version or withdraw, and members comment on a version open for comments;
and the officers' pages, where the compact is written, opened for comments, adopted and
followed up."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial, wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dialogue import permissions, selectors, services
from dialogue.forms import (
    AdoptForm,
    CommentForm,
    CommitmentForm,
    CompactForm,
    FollowUpForm,
    NewSectionForm,
    OpenForm,
    PlanForm,
    SectionForm,
    SignOnForm,
    WithdrawForm,
)
from dialogue.models import ActionPlan, Compact, CompactVersion, FollowUp, VersionStatus
from organisations.models import OrganisationRole
from portal import transitions
from portal.confirm import confirmation
from portal.diff import sections_diff
from portal.eid import signing as eid_signing
from portal.formats import long_date
from portal.http import add_service_errors, error_messages, offered_form, request_user
from portal.pagination import paginate
from portal.public_cache import public_page
from portal.versions import check_seen

# --- the public side --------------------------------------------------------------------------


@login_not_required
@require_safe
@public_page
def compacts(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.public_compacts())
    return render(request, "dialogue/compacts.html", {"page": page})


def _current_and_open(compact: Compact) -> tuple[CompactVersion | None, CompactVersion | None]:
    versions = selectors.versions_of(compact)
    current = next((v for v in versions if v.status == VersionStatus.ADOPTED), None)
    open_ = next((v for v in versions if v.status == VersionStatus.CONSULTATION), None)
    return current, open_


@login_not_required
@require_safe
def compact(request: HttpRequest, pk: int) -> HttpResponse:
    return compact_page(request, selectors.compact_public(pk=pk))


def compact_page(
    request: HttpRequest, compact: Compact, *, bound: dict[str, Any] | None = None
) -> HttpResponse:
    """The compact as the public reads it, with what the person may do: sign on, confirm,
    withdraw, comment. `bound` holds a form sent with errors, by its name."""
    bound = bound or {}
    user = request.user
    current, open_ = _current_and_open(compact)
    mine = selectors.my_organisations(user=user, compact=compact) if user.is_authenticated else []
    for entry in mine:
        entry.may_sign = (
            current is not None and entry.verified and entry.signed_version != current.number
        )
    signable = [(m.organisation.pk, m.organisation.name) for m in mine if m.may_sign]
    sign_with_eid = bool(signable) and bool(eid_signing.linked_providers(user))
    signed = [(m.organisation.pk, m.organisation.name) for m in mine if m.signed_version]
    commenting = (
        selectors.commenting_organisations(user=user)
        if open_ is not None and user.is_authenticated and services.comments_open(open_)
        else []
    )
    status = 400 if bound else 200
    changes = _changes(current, open_)
    own = (
        selectors.own_comments(user=user, version=open_)
        if open_ is not None and user.is_authenticated
        else []
    )
    return render(
        request,
        "dialogue/compact.html",
        {
            "compact": compact,
            "current": current,
            "open_version": open_,
            "comments_open": open_ is not None and services.comments_open(open_),
            # the version open for comments, each section with what changed from the text in
            # force (a revision)
            "open_sections": [
                {**section, "own": [c for c in own if c.section == section["key"]]}
                for section in (changes.sections(open_) if open_ is not None else [])
            ],
            "removed_sections": changes.removed,
            "changes": bool(changes),
            "signatories": selectors.signatories(compact),
            "plans": selectors.plans_of(compact, published_only=True),
            "mine": mine,
            "sign_on_form": offered_form(
                bound,
                "sign_on_form",
                bool(signable) and current is not None,
                partial(
                    SignOnForm,
                    organisations=signable,
                    with_eid=sign_with_eid,
                    initial={"seen_version": services.sign_on_version(current) if current else ""},
                ),
            ),
            "sign_with_eid": sign_with_eid,
            "withdraw_form": WithdrawForm(organisations=signed) if signed else None,
            "comment_form": bound.get("comment_form"),
            "commenting": commenting,
            "page_errors": bool(bound),
        },
        status=status,
    )


@dataclass
class Revision:
    """What a revision changes: by section key, the text's difference and the heading it had
    (when it changed); and the sections it removes, with their text."""

    changes: dict[str, Any] = field(default_factory=dict)
    titles_before: dict[str, str] = field(default_factory=dict)
    removed: list[dict[str, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changes)

    def sections(self, revised: CompactVersion) -> list[dict[str, Any]]:
        """The revised version's sections, each with its change and former heading."""
        return [
            {
                **s,
                "change": self.changes.get(s["key"]),
                "title_before": self.titles_before.get(s["key"], ""),
            }
            for s in revised.sections
        ]


def _changes(current: CompactVersion | None, revised: CompactVersion | None) -> Revision:
    """What a revision changes from the version in force (nothing for a first version)."""
    if current is None or revised is None:
        return Revision()
    before = {s["key"]: s for s in current.sections}
    kept = {s["key"] for s in revised.sections}
    return Revision(
        changes={
            change.key: change
            for change in sections_diff(
                sections=[(s["key"], s["title"]) for s in revised.sections],
                old={key: s["text"] for key, s in before.items()},
                new={s["key"]: s["text"] for s in revised.sections},
            )
        },
        titles_before={
            s["key"]: before[s["key"]]["title"]
            for s in revised.sections
            if s["key"] in before and before[s["key"]]["title"] != s["title"]
        },
        removed=[s for s in current.sections if s["key"] not in kept],
    )


def _compact_url(pk: int, anchor: str = "") -> str:
    return reverse("dialogue:compact", args=[pk]) + (f"#{anchor}" if anchor else "")


SIGNING = [OrganisationRole.REPRESENTATIVE]
WRITING = [OrganisationRole.REPRESENTATIVE, OrganisationRole.EDITOR]


SIGN_ON_WITH_EID = "compact_sign_on"  # the kind of signing portal.eid.signing completes


@require_POST
def sign_on(request: HttpRequest, pk: int) -> HttpResponse:
    """A representative signs the organisation on to the version in force, or confirms it: with
    a code from the app at once, or after a fresh e-legitimation (`sign_on_with_eid`)."""
    return _sign_on(request, pk, request.POST.copy(), with_eid=request.POST.get("with") == "eid")


def sign_on_with_eid(request: HttpRequest, values: dict[str, Any], proof: Any) -> HttpResponse:
    """The identity provider's answer to "Sign with e-legitimation" (`portal.eid.signing`)."""
    data = QueryDict(mutable=True)
    data.update({k: str(v) for k, v in values.items() if k != "compact"})
    return _sign_on(request, int(values["compact"]), data, proof=proof)


def _sign_on(
    request: HttpRequest, pk: int, data: QueryDict, *, with_eid: bool = False, proof: Any = None
) -> HttpResponse:
    user = request_user(request)
    compact = selectors.compact_public(pk=pk)
    current, _open = _current_and_open(compact)
    mine = [
        (m.organisation.pk, m.organisation.name)
        for m in selectors.my_organisations(user=user, compact=compact)
    ]
    form = SignOnForm(data, organisations=mine, with_eid=with_eid or proof is not None)
    if current is None:
        messages.error(request, _("The compact has not been adopted yet."))
        return redirect(_compact_url(pk))
    if form.is_valid():
        try:
            organisation = selectors.own_organisation(
                user=user, pk=form.cleaned_data["organisation"], roles=SIGNING
            )
            if with_eid:
                # what can be checked before leaving for the identity provider is checked now
                check_seen(
                    seen=form.cleaned_data["seen_version"],
                    current=services.sign_on_version(current),
                )
                return eid_signing.begin(
                    request,
                    kind=SIGN_ON_WITH_EID,
                    values={
                        "compact": pk,
                        "organisation": organisation.pk,
                        "seen_version": form.cleaned_data["seen_version"],
                    },
                    back=_compact_url(pk, "anslutna"),
                )
            sign_on = services.compact_sign_on(
                actor=user,
                compact=compact,
                organisation=organisation,
                code=form.cleaned_data.get("code", ""),
                proof=proof,
                seen_version=form.cleaned_data["seen_version"],
            )
        except (PermissionDenied, ValidationError) as error:
            add_service_errors(form, error, refused=_("You may not sign for this organisation."))
        else:
            messages.success(
                request,
                _("%(organisation)s is signed on to version %(number)d of the compact.")
                % {"organisation": sign_on.organisation, "number": sign_on.version.number},
            )
            return redirect(_compact_url(pk, "anslutna"))
    # the page again with the refusal beside the form; the code is asked for anew (it was used
    # or wrong), and the text the page now shows is the one the next try signs
    data["code"] = ""
    data["seen_version"] = services.sign_on_version(current)
    return compact_page(request, compact, bound={"sign_on_form": form})


@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    compact = selectors.compact_public(pk=pk)
    mine = [
        (m.organisation.pk, m.organisation.name)
        for m in selectors.my_organisations(user=user, compact=compact)
        if m.signed_version
    ]
    form = WithdrawForm(request.POST, organisations=mine)
    if not form.is_valid():
        messages.error(request, _("Choose the organisation that withdraws."))
        return redirect(_compact_url(pk, "min-organisation"))
    organisation = selectors.own_organisation(
        user=user, pk=form.cleaned_data["organisation"], roles=SIGNING
    )
    if (
        response := confirmation(
            request,
            title=_("Withdraw from the compact"),
            question=_("Withdraw %(organisation)s from “%(compact)s”?")
            % {"organisation": organisation, "compact": compact},
            confirm_label=_("Yes, withdraw"),
            cancel_url=_compact_url(pk, "min-organisation"),
            consequences=[
                _("The organisation is no longer listed among those signed on."),
                _("Its sign-ons stay on record. It can sign on again later."),
            ],
        )
    ) is not None:
        return response
    try:
        services.compact_withdraw(
            actor=user,
            compact=compact,
            organisation=organisation,
            reason=form.cleaned_data["reason"],
        )
    except PermissionDenied as refused:
        messages.error(request, str(refused) or _("You may not act for this organisation."))
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(
            request,
            _("%(organisation)s has withdrawn from the compact.") % {"organisation": organisation},
        )
    return redirect(_compact_url(pk, "min-organisation"))


@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    """A member comments, for their organisation, on a section of the version open for
    comments."""
    user = request_user(request)
    compact = selectors.compact_public(pk=pk)
    _current, open_ = _current_and_open(compact)
    if open_ is None:
        messages.error(request, _("The compact is not open for comments."))
        return redirect(_compact_url(pk))
    section = request.POST.get("section", "")
    form = CommentForm(
        request.POST,
        organisations=selectors.commenting_organisations(user=user),
        # the ids the section's own comment box has (compact.html)
        auto_id="id_%s_" + "".join(c for c in section if c.isascii() and c.isalnum())[:10],
    )
    if form.is_valid():
        try:
            services.version_comment_add(
                actor=user,
                version=open_,
                organisation=selectors.own_organisation(
                    user=user, pk=form.cleaned_data["organisation"], roles=WRITING
                ),
                section=form.cleaned_data["section"],
                text=form.cleaned_data["text"],
            )
        except (PermissionDenied, ValidationError) as error:
            add_service_errors(form, error, refused=_("You may not comment for this organisation."))
        else:
            messages.success(
                request,
                _("Your comment has been sent to the municipality. Thank you."),
            )
            return redirect(_compact_url(pk, f"avsnitt-{section}"))
    return compact_page(request, compact, bound={"comment_form": form})


# --- the officers' side -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def officer_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not permissions.can_manage_any(user):
        raise PermissionDenied
    bodies = selectors.managed_bodies(user=user)
    form = CompactForm(request.POST or None, bodies=bodies)
    if request.method == "POST" and form.is_valid():
        body = selectors.managed_body(user=user, pk=form.cleaned_data["public_body"])
        try:
            created = services.compact_create(
                actor=user,
                public_body=body,
                title=form.cleaned_data["title"],
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The compact has been created. Write its first version section by section."),
            )
            return redirect("dialogue:officer_compact", pk=created.pk)
    page = paginate(request, selectors.managed_compacts(user=user))
    return render(
        request,
        "dialogue/officer_list.html",
        {"page": page, "form": form},
        status=400 if form.errors else 200,
    )


def _officer_url(pk: int, anchor: str = "") -> str:
    return reverse("dialogue:officer_compact", args=[pk]) + (f"#{anchor}" if anchor else "")


@require_safe
def officer_compact(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    return officer_page(request, selectors.compact_for_manager(user=user, pk=pk))


def officer_page(
    request: HttpRequest, compact: Compact, *, bound: dict[str, Any] | None = None
) -> HttpResponse:
    bound = bound or {}
    versions = selectors.versions_of(compact)
    working = next((v for v in versions if v.status != VersionStatus.ADOPTED), None)
    current = next((v for v in versions if v.status == VersionStatus.ADOPTED), None)
    comments = selectors.comments_of(working) if working is not None else []
    changes = _changes(current, working)
    sections = [
        {**s, "comments": [c for c in comments if c.section == s["key"]]}
        for s in (changes.sections(working) if working else [])
    ]
    plans = selectors.plans_of(compact, published_only=False)
    return render(
        request,
        "dialogue/officer_compact.html",
        {
            "compact": compact,
            "versions": versions,
            "working": working,
            "current": current,
            "sections": sections,
            "seen_state": transitions.state_token(working) if working else "",
            "changes": bool(changes),
            "removed_sections": changes.removed,
            "new_section_form": bound.get("new_section_form") or NewSectionForm(),
            "open_form": offered_form(
                bound,
                "open_form",
                working is not None and working.status == VersionStatus.DRAFT,
                OpenForm,
            ),
            "adopt_form": offered_form(bound, "adopt_form", working is not None, AdoptForm),
            "signatories": selectors.signatories(compact),
            "plan_form": bound.get("plan_form") or PlanForm(),
            # each plan with its own form for a new commitment (ids of its own)
            "plans": [
                (
                    plan,
                    bound.get(f"commitment_form_{plan.pk}")
                    or CommitmentForm(
                        initial={"plan": plan.pk}, auto_id=f"id_commitment_{plan.pk}_%s"
                    ),
                )
                for plan in plans
            ],
            "this_year": timezone.localdate().year,
            "page_errors": bool(bound),
        },
        status=400 if bound else 200,
    )


class NoWorkingVersion(Exception):
    """No version is being written (adopted meanwhile, by a colleague or a second click)."""


def _while_written(view: Any) -> Any:
    """A page of the version being written: when none is (it was adopted meanwhile, or the form
    was sent twice), the officer is told so on the compact's page instead of a page not found."""

    @wraps(view)
    def wrapper(request: HttpRequest, pk: int, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response: HttpResponse = view(request, pk, *args, **kwargs)
        except NoWorkingVersion:
            messages.info(
                request,
                _(
                    "No version is being written now: the latest one is adopted. Start a new version to revise it."
                ),
            )
            return redirect(_officer_url(pk, "text"))
        return response

    return wrapper


def _working(compact: Compact) -> CompactVersion:
    version = compact.versions.exclude(status=VersionStatus.ADOPTED).first()
    if version is None:
        raise NoWorkingVersion
    return version


@require_POST
@_while_written
def section_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    compact = selectors.compact_for_manager(user=user, pk=pk)
    form = NewSectionForm(request.POST)
    if not form.is_valid():
        return officer_page(request, compact, bound={"new_section_form": form})
    try:
        version = services.version_section_add(
            actor=user, version=_working(compact), title=form.cleaned_data["title"]
        )
    except ValidationError as error:
        error_messages(request, error)
        return redirect(_officer_url(pk, "text"))
    key = version.sections[-1]["key"]
    return redirect("dialogue:section_edit", pk=pk, key=key)


@require_http_methods(["GET", "POST"])
@_while_written
def section_edit(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """One section of the version being written, in the full-width editor."""
    user = request_user(request)
    compact = selectors.compact_for_manager(user=user, pk=pk)
    version = _working(compact)
    section = version.section(key)
    if section is None:
        raise Http404
    back = _officer_url(pk, f"avsnitt-{key}")
    data = request.POST.copy() if request.method == "POST" else None
    form = SectionForm(
        data,
        initial={
            "title": section["title"],
            "text": section["text"],
            transitions.SEEN_STATE: transitions.state_token(version),
        },
    )
    stale = False
    if data is not None and form.is_valid():
        try:
            services.version_section_save(
                actor=user,
                version=version,
                key=key,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                seen_state=transitions.posted_state(data),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            # what was typed stays beside the text saved now, which the next save takes as seen
            stale = True
            version.refresh_from_db()
            data[transitions.SEEN_STATE] = transitions.state_token(version)
        else:
            messages.success(
                request, _("“%(title)s” has been saved.") % {"title": form.cleaned_data["title"]}
            )
            return redirect(back)
    comments = [c for c in selectors.comments_of(version) if c.section == key]
    return render(
        request,
        "dialogue/section_edit.html",
        {
            "compact": compact,
            "version": version,
            "section": section,
            "editor_title": section["title"],
            "document_title": compact.title,
            "stale": stale,
            "saved_text": (version.section(key) or {}).get("text", "") if stale else None,
            "saved_heading": (version.section(key) or {}).get("title", "") if stale else "",
            "form": form,
            "back": back,
            "comments": comments,
            "remove_state": transitions.state_token(version),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@_while_written
def section_remove(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    user = request_user(request)
    compact = selectors.compact_for_manager(user=user, pk=pk)
    version = _working(compact)
    section = version.section(key)
    if section is None:
        raise Http404
    if (
        response := confirmation(
            request,
            title=_("Remove the section"),
            question=_("Remove “%(title)s” from the draft?") % {"title": section["title"]},
            confirm_label=_("Yes, remove it"),
            cancel_url=reverse("dialogue:section_edit", args=[pk, key]),
            consequences=[_("Its text is no longer part of the version being written.")],
        )
    ) is not None:
        return response
    try:
        services.version_section_remove(
            actor=user,
            version=version,
            key=key,
            seen_state=transitions.posted_state(request.POST),
        )
    except ValidationError as error:
        error_messages(request, error)
        return redirect("dialogue:section_edit", pk=pk, key=key)
    messages.success(request, _("“%(title)s” has been removed.") % {"title": section["title"]})
    return redirect(_officer_url(pk, "text"))


@require_POST
@_while_written
def open_for_comments(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    compact = selectors.compact_for_manager(user=user, pk=pk)
    form = OpenForm(request.POST)
    if not form.is_valid():
        return officer_page(request, compact, bound={"open_form": form})
    closes = form.cleaned_data["closes"]
    if (
        response := confirmation(
            request,
            title=_("Open the draft for comments"),
            question=_("Open the draft for the organisations' comments until %(date)s?")
            % {"date": long_date(closes)},
            confirm_label=_("Open the draft for comments"),
            cancel_url=_officer_url(pk, "text"),
            consequences=[
                _("Everyone can read the draft on the compact's public page."),
                _(
                    "Representatives and editors of verified organisations can comment on "
                    "each section; the organisations signed on are told by email."
                ),
            ],
            danger=False,
        )
    ) is not None:
        return response
    try:
        services.version_open_for_comments(
            actor=user,
            version=_working(compact),
            closes=closes,
            seen_state=transitions.posted_state(request.POST),
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return officer_page(request, compact, bound={"open_form": form})
    messages.success(
        request, _("The draft is open for comments until %(date)s.") % {"date": long_date(closes)}
    )
    return redirect(_officer_url(pk, "text"))


@require_POST
@_while_written
def adopt(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    compact = selectors.compact_for_manager(user=user, pk=pk)
    version = _working(compact)
    form = AdoptForm(request.POST)
    if not form.is_valid():
        return officer_page(request, compact, bound={"adopt_form": form})
    data = form.cleaned_data
    consequences = [
        _("Version %(number)d becomes the compact in force; its text is never changed again.")
        % {"number": version.number},
    ]
    if version.number > 1:
        consequences.append(_("The organisations signed on are asked to confirm the new version."))
    warnings = []
    if services.comments_open(version):
        count = version.comments.count()
        warnings.append(
            ngettext(
                "Comments are open until %(date)s; %(count)d comment has come in so far.",
                "Comments are open until %(date)s; %(count)d comments have come in so far.",
                count,
            )
            % {"date": long_date(version.comments_close), "count": count}
        )
    if (
        response := confirmation(
            request,
            title=_("Record the adoption"),
            question=_(
                "Record that %(body)s adopted version %(number)d on %(date)s, %(paragraph)s?"
            )
            % {
                "body": data["adopted_by"],
                "number": version.number,
                "date": long_date(data["adopted_on"]),
                "paragraph": data["paragraph"],
            },
            confirm_label=_("Yes, record the adoption"),
            cancel_url=_officer_url(pk, "text"),
            consequences=consequences,
            warnings=warnings,
        )
    ) is not None:
        return response
    try:
        services.version_adopt(
            actor=user,
            version=version,
            adopted_on=data["adopted_on"],
            adopted_by=data["adopted_by"],
            paragraph=data["paragraph"],
            seen_state=transitions.posted_state(request.POST),
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return officer_page(request, compact, bound={"adopt_form": form})
    messages.success(
        request,
        _("Version %(number)d is adopted and published on the compact's public page.")
        % {"number": version.number},
    )
    return redirect(_officer_url(pk))


@require_POST
def version_start(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    compact = selectors.compact_for_manager(user=user, pk=pk)
    try:
        version = services.version_start(actor=user, compact=compact)
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(
            request,
            _("Version %(number)d has been started from the text in force.")
            % {"number": version.number},
        )
    return redirect(_officer_url(pk, "text"))


@require_POST
def plan_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    compact = selectors.compact_for_manager(user=user, pk=pk)
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            services.plan_add(actor=user, compact=compact, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The action plan has been added. Add its commitments."))
            return redirect(_officer_url(pk, "handlingsplaner"))
    return officer_page(request, compact, bound={"plan_form": form})


def _plan(compact: Compact, pk: Any) -> ActionPlan:
    plan = ActionPlan.objects.filter(compact=compact, pk=pk).first() if str(pk).isdigit() else None
    if plan is None:
        raise Http404
    return plan


@require_POST
def commitment_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    compact = selectors.compact_for_manager(user=user, pk=pk)
    plan = _plan(compact, request.POST.get("plan", ""))
    form = CommitmentForm(request.POST, auto_id=f"id_commitment_{plan.pk}_%s")
    if form.is_valid():
        try:
            services.commitment_add(
                actor=user,
                plan=plan,
                text=form.cleaned_data["text"],
                owner=form.cleaned_data["owner"],
                responsible=form.cleaned_data["responsible"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The commitment has been added."))
            return redirect(_officer_url(pk, f"plan-{plan.pk}"))
    return officer_page(request, compact, bound={f"commitment_form_{plan.pk}": form})


@require_http_methods(["GET", "POST"])
def follow_up_edit(request: HttpRequest, pk: int, plan: int, year: int) -> HttpResponse:
    """The year's follow-up of an action plan: a status, what shows it and a comment for each
    commitment."""
    user = request_user(request)
    compact = selectors.compact_for_manager(user=user, pk=pk)
    action_plan = _plan(compact, plan)
    commitments = list(action_plan.commitments.order_by("position", "id"))
    existing = (
        FollowUp.objects.filter(plan=action_plan, year=year).prefetch_related("entries").first()
    )
    if existing is not None and existing.published_at is not None:
        messages.info(request, _("The follow-up of %(year)d is published.") % {"year": year})
        return redirect(_officer_url(pk, f"plan-{action_plan.pk}"))
    initial: dict[str, Any] = {"summary": existing.summary if existing else ""}
    for entry in existing.entries.all() if existing else []:
        initial[f"status_{entry.commitment_id}"] = entry.status
        initial[f"evidence_{entry.commitment_id}"] = entry.evidence
        initial[f"comment_{entry.commitment_id}"] = entry.comment
    form = FollowUpForm(request.POST or None, commitments=commitments, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.follow_up_save(
                actor=user,
                plan=action_plan,
                year=year,
                summary=data["summary"],
                entries={
                    c.pk: services.EntryInput(
                        status=data[f"status_{c.pk}"],
                        evidence=data[f"evidence_{c.pk}"],
                        comment=data[f"comment_{c.pk}"],
                    )
                    for c in commitments
                },
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The follow-up of %(year)d has been saved. It is public once you publish it.")
                % {"year": year},
            )
            return redirect(_officer_url(pk, f"plan-{action_plan.pk}"))
    return render(
        request,
        "dialogue/follow_up_edit.html",
        {
            "compact": compact,
            "plan": action_plan,
            "year": year,
            "form": form,
            "back": _officer_url(pk, f"plan-{action_plan.pk}"),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def follow_up_publish(request: HttpRequest, pk: int, follow_up: int) -> HttpResponse:
    """Publishing asks first: a published follow-up is public and no longer changes."""
    user = request_user(request)
    compact = selectors.compact_for_manager(user=user, pk=pk)
    found = FollowUp.objects.filter(pk=follow_up, plan__compact=compact).first()
    if found is None:
        raise Http404
    back = _officer_url(pk, f"plan-{found.plan_id}")
    if (
        response := confirmation(
            request,
            title=_("Publish the follow-up"),
            question=_("Publish the follow-up of %(year)d?") % {"year": found.year},
            confirm_label=_("Publish"),
            cancel_url=back,
            consequences=[
                _("Everyone can read it on the compact's public page."),
                _("It is no longer changed."),
                _("The organisations signed on are told by email."),
            ],
            danger=False,
        )
    ) is not None:
        return response
    try:
        services.follow_up_publish(actor=user, follow_up=found)
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(
            request, _("The follow-up of %(year)d is published.") % {"year": found.year}
        )
    return redirect(back)
