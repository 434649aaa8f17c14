"""The forums and councils: the public list and each forum's page (its member organisations,
coming meetings with their agenda, published minutes and calendar feed), where an
organisation's representative answers an invitation and appoints its people, and the appointed
people propose agenda items; and the officers' pages, where members are invited and meetings
scheduled, changed, cancelled, followed by attendance and minutes."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dialogue import calendar, permissions, selectors, services
from dialogue.forms import (
    AppointForm,
    ApproveMinutesForm,
    CancelForm,
    DeclineItemForm,
    ForumForm,
    InviteForm,
    ItemForm,
    MeetingForm,
    MinutesForm,
    ProposeForm,
)
from dialogue.models import (
    AgendaItem,
    Attendance,
    Forum,
    ForumMember,
    Meeting,
    MeetingStatus,
    MemberStatus,
    MinutesStatus,
)
from organisations import selectors as organisation_selectors
from organisations.validators import normalise_organisation_number
from portal import transitions
from portal.confirm import confirmation
from portal.emails import site_url
from portal.formats import long_date
from portal.http import add_service_errors, error_messages, offered_form, request_user
from portal.pagination import paginate
from portal.public_cache import public_page


def _forum_url(pk: int, anchor: str = "") -> str:
    return reverse("dialogue:forum", args=[pk]) + (f"#{anchor}" if anchor else "")


def _officer_forum_url(pk: int, anchor: str = "") -> str:
    return reverse("dialogue:officer_forum", args=[pk]) + (f"#{anchor}" if anchor else "")


def _meeting_url(pk: int, anchor: str = "") -> str:
    return reverse("dialogue:officer_meeting", args=[pk]) + (f"#{anchor}" if anchor else "")


# --- the public side --------------------------------------------------------------------------


@login_not_required
@require_safe
@public_page
def forums(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.public_forums())
    return render(request, "dialogue/forums.html", {"page": page})


@login_not_required
@require_safe
def forum(request: HttpRequest, pk: int) -> HttpResponse:
    return forum_page(request, selectors.forum_public(pk=pk))


def forum_page(
    request: HttpRequest, forum: Forum, *, bound: dict[str, Any] | None = None
) -> HttpResponse:
    bound = bound or {}
    user = request.user
    members = selectors.members_of(forum)
    meetings = selectors.coming_meetings(forum)
    mine = selectors.my_forum_memberships(user=user, forum=forum)
    represents = permissions.signing_organisation_ids(user) if mine else set()
    answering = [m for m in mine if m.organisation_id in represents]
    people = selectors.organisation_people({m.organisation_id for m in answering})
    appointed = permissions.appointed_members(user, members)
    today = timezone.localdate()
    for meeting in meetings:
        closes = services.proposals_close(meeting)
        meeting.proposals_close = closes  # type: ignore[attr-defined]
        meeting.propose_form = offered_form(  # type: ignore[attr-defined]
            bound,
            f"propose_form_{meeting.pk}",
            bool(appointed) and meeting.status == MeetingStatus.PLANNED and today <= closes,
            partial(
                ProposeForm,
                organisations=[(m.organisation_id, m.organisation.name) for m in appointed],
                auto_id=f"id_propose_{meeting.pk}_%s",
            ),
        )
    return render(
        request,
        "dialogue/forum.html",
        {
            "forum": forum,
            "members": [m for m in members if m.status == MemberStatus.ACTIVE],
            "meetings": meetings,
            "minutes": paginate(request, selectors.published_minutes(forum), per_page=10),
            "answering": [
                (
                    m,
                    bound.get(f"appoint_form_{m.pk}")
                    or AppointForm(
                        people=people.get(m.organisation_id, []),
                        initial={"representative": m.representative_id, "deputy": m.deputy_id},
                        auto_id=f"id_appoint_{m.pk}_%s",
                    ),
                )
                for m in answering
            ],
            "appointed": appointed,
            "proposals": selectors.own_proposals(user=user, forum=forum)
            if user.is_authenticated and (mine or appointed)
            else [],
            "page_errors": bool(bound),
        },
        status=400 if bound else 200,
    )


@login_not_required
@require_safe
def forum_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    forum = selectors.forum_public(pk=pk)
    body = calendar.forum_calendar(
        forum,
        selectors.meetings_for_calendar(forum),
        site_url=site_url(),
        host=request.get_host().split(":")[0],
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="forum-{forum.pk}.ics"'
    return response


@require_POST
def member_appoint(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    """The organisation's representative accepts the invitation, or replaces its people."""
    user = request_user(request)
    found_forum = selectors.forum_public(pk=pk)
    found = selectors.membership_answered_by(user=user, forum=found_forum, pk=member)
    people = selectors.organisation_people({found.organisation_id}).get(found.organisation_id, [])
    form = AppointForm(request.POST, people=people, auto_id=f"id_appoint_{found.pk}_%s")
    if form.is_valid():
        chosen = selectors.people_of(
            organisation_id=found.organisation_id,
            pks=[form.cleaned_data["representative"], form.cleaned_data["deputy"]],
        )
        accepting = found.status == MemberStatus.INVITED
        representative = chosen.get(form.cleaned_data["representative"])
        try:
            if representative is None:  # no longer a person of the organisation
                raise ValidationError(
                    {
                        "representative": [
                            _("Choose people who are members of the organisation in the portal.")
                        ]
                    }
                )
            services.forum_member_appoint(
                actor=user,
                member=found,
                representative=representative,
                deputy=chosen.get(form.cleaned_data["deputy"] or 0),
            )
        except (PermissionDenied, ValidationError) as error:
            add_service_errors(form, error, refused=_("You may not answer for this organisation."))
        else:
            messages.success(
                request,
                _("%(organisation)s is a member of the forum.")
                % {"organisation": found.organisation}
                if accepting
                else _("The organisation's representative and deputy have been saved."),
            )
            return redirect(_forum_url(pk, "min-organisation"))
    return forum_page(request, found_forum, bound={f"appoint_form_{found.pk}": form})


@require_POST
def member_leave(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    user = request_user(request)
    found_forum = selectors.forum_public(pk=pk)
    found = selectors.membership_answered_by(user=user, forum=found_forum, pk=member)
    invited = found.status == MemberStatus.INVITED
    if (
        response := confirmation(
            request,
            title=_("Decline the invitation") if invited else _("Leave the forum"),
            question=(
                _("Decline the invitation of %(organisation)s to “%(forum)s”?")
                if invited
                else _("Should %(organisation)s leave “%(forum)s”?")
            )
            % {"organisation": found.organisation, "forum": found_forum},
            confirm_label=_("Yes, decline") if invited else _("Yes, leave the forum"),
            cancel_url=_forum_url(pk, "min-organisation"),
            consequences=[
                _("The organisation does not become a member and is given no notice of meetings.")
                if invited
                else _("The organisation's people are no longer given notice of the meetings."),
                _("An officer can invite the organisation again."),
            ],
        )
    ) is not None:
        return response
    try:
        services.forum_member_leave(actor=user, member=found)
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(
            request,
            _("%(organisation)s is no longer a member of the forum.")
            % {"organisation": found.organisation},
        )
    return redirect(_forum_url(pk))


@require_POST
def item_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """An appointed person proposes an agenda item for a coming meeting."""
    user = request_user(request)
    meeting = selectors.meeting_public(pk=pk)
    appointed = permissions.appointed_members(user, selectors.members_of(meeting.forum))
    form = ProposeForm(
        request.POST,
        organisations=[(m.organisation_id, m.organisation.name) for m in appointed],
        auto_id=f"id_propose_{meeting.pk}_%s",
    )
    if form.is_valid():
        organisation = next(
            m.organisation
            for m in appointed
            if m.organisation_id == form.cleaned_data["organisation"]
        )
        try:
            services.agenda_item_propose(
                actor=user,
                meeting=meeting,
                organisation=organisation,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
            )
        except (PermissionDenied, ValidationError) as error:
            add_service_errors(form, error, refused=_("You may not propose items for this forum."))
        else:
            messages.success(
                request,
                _(
                    "Your item has been sent. You are told by email whether it is put on the "
                    "agenda."
                ),
            )
            return redirect(_forum_url(meeting.forum_id, f"mote-{meeting.pk}"))
    return forum_page(request, meeting.forum, bound={f"propose_form_{meeting.pk}": form})


# --- the officers' side -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def officer_forums(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not permissions.can_manage_any(user):
        raise PermissionDenied
    form = ForumForm(request.POST or None, bodies=selectors.managed_bodies(user=user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        body = selectors.managed_body(user=user, pk=data["public_body"])
        try:
            created = services.forum_create(
                actor=user,
                public_body=body,
                title=data["title"],
                kind=data["kind"],
                description=data["description"],
                notice_days=data["notice_days"],
                proposal_days=data["proposal_days"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The forum has been created. Invite its members."))
            return redirect("dialogue:officer_forum", pk=created.pk)
    return render(
        request,
        "dialogue/officer_forums.html",
        {"page": paginate(request, selectors.managed_forums(user=user)), "form": form},
        status=400 if form.errors else 200,
    )


@require_safe
def officer_forum(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    return officer_forum_page(request, selectors.forum_for_manager(user=user, pk=pk))


def officer_forum_page(
    request: HttpRequest, forum: Forum, *, bound: dict[str, Any] | None = None
) -> HttpResponse:
    bound = bound or {}
    return render(
        request,
        "dialogue/officer_forum.html",
        {
            "forum": forum,
            "members": selectors.members_of(forum),
            "meetings": paginate(request, selectors.officer_meetings(forum), per_page=20),
            "invite_form": bound.get("invite_form") or InviteForm(),
            "meeting_form": bound.get("meeting_form") or MeetingForm(),
            "page_errors": bool(bound),
        },
        status=400 if bound else 200,
    )


@require_POST
def member_invite(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    forum_ = selectors.forum_for_manager(user=user, pk=pk)
    form = InviteForm(request.POST)
    if form.is_valid():
        organisation = organisation_selectors.organisation_find_by_number(
            number=normalise_organisation_number(form.cleaned_data["organisation_number"])
        )
        if organisation is None:
            form.add_error(
                "organisation_number", _("No organisation with that number is registered.")
            )
        else:
            try:
                services.forum_member_invite(actor=user, forum=forum_, organisation=organisation)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(organisation)s is invited. Its representatives are told by email.")
                    % {"organisation": organisation},
                )
                return redirect(_officer_forum_url(pk, "medlemmar"))
    return officer_forum_page(request, forum_, bound={"invite_form": form})


@require_POST
def officer_member_remove(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    user = request_user(request)
    forum_ = selectors.forum_for_manager(user=user, pk=pk)
    found = (
        ForumMember.objects.filter(pk=member, forum=forum_).select_related("organisation").first()
    )
    if found is None:
        raise Http404
    if (
        response := confirmation(
            request,
            title=_("End the membership"),
            question=_("End the membership of %(organisation)s in “%(forum)s”?")
            % {"organisation": found.organisation, "forum": forum_},
            confirm_label=_("Yes, end the membership"),
            cancel_url=_officer_forum_url(pk, "medlemmar"),
            consequences=[
                _("The organisation's people are no longer given notice of the meetings.")
            ],
        )
    ) is not None:
        return response
    try:
        services.forum_member_leave(actor=user, member=found)
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(
            request,
            _("%(organisation)s is no longer a member of the forum.")
            % {"organisation": found.organisation},
        )
    return redirect(_officer_forum_url(pk, "medlemmar"))


def _aware(value: Any) -> Any:
    """A time typed in the form, in Swedish time."""
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@require_POST
def meeting_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    forum_ = selectors.forum_for_manager(user=user, pk=pk)
    form = MeetingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_schedule(
                actor=user,
                forum=forum_,
                starts_at=_aware(data["starts_at"]),
                ends_at=_aware(data["ends_at"]),
                place=data["place"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "The meeting is scheduled. The members are given notice on %(date)s; add "
                    "the agenda before then."
                )
                % {"date": long_date(meeting.notice_on)},
            )
            return redirect("dialogue:officer_meeting", pk=meeting.pk)
    return officer_forum_page(request, forum_, bound={"meeting_form": form})


@require_safe
def officer_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    return officer_meeting_page(request, selectors.meeting_for_manager(user=user, pk=pk))


def officer_meeting_page(
    request: HttpRequest, meeting: Meeting, *, bound: dict[str, Any] | None = None
) -> HttpResponse:
    bound = bound or {}
    now = timezone.now()
    coming = meeting.status == MeetingStatus.PLANNED and meeting.starts_at > now
    held = services.held(meeting)
    # the organisations that were members when the meeting was held (invited before it)
    members = [
        m
        for m in selectors.members_of(meeting.forum)
        if m.status == MemberStatus.ACTIVE and m.invited_at <= meeting.starts_at
    ]
    attendance = {a.member_id: a.present for a in Attendance.objects.filter(meeting=meeting)}
    token = transitions.state_token(meeting)
    local_start = timezone.localtime(meeting.starts_at)
    local_end = timezone.localtime(meeting.ends_at)
    return render(
        request,
        "dialogue/officer_meeting.html",
        {
            "meeting": meeting,
            "forum": meeting.forum,
            "items": [
                (
                    item,
                    bound.get(f"decline_form_{item.pk}")
                    or DeclineItemForm(auto_id=f"id_decline_{item.pk}_%s"),
                )
                for item in selectors.items_of(meeting)
            ],
            "coming": coming,
            "begun": held,
            "noticed": services.noticed(meeting),
            "proposals_close": services.proposals_close(meeting),
            "change_form": offered_form(
                bound,
                "change_form",
                coming,
                lambda: MeetingForm(
                    initial={
                        "starts_at": local_start.replace(tzinfo=None),
                        "ends_at": local_end.replace(tzinfo=None),
                        "place": meeting.place,
                        "seen_state": token,
                    },
                    auto_id="id_change_%s",
                ),
            ),
            "cancel_form": CancelForm() if coming else None,
            "item_form": offered_form(bound, "item_form", coming, ItemForm),
            "members": [(m, attendance.get(m.pk, "")) for m in members] if held else [],
            "attendance_locked": services.minutes_locked(meeting),
            "presence": Attendance.Present.choices,
            "minutes_form": offered_form(
                bound,
                "minutes_form",
                held and not services.minutes_locked(meeting),
                lambda: MinutesForm(initial={"text": meeting.minutes, "seen_state": token}),
            ),
            "approve_form": offered_form(
                bound,
                "approve_form",
                meeting.minutes_status == MinutesStatus.DRAFT,
                lambda: ApproveMinutesForm(initial={"seen_state": token}),
            ),
            "page_errors": bool(bound),
        },
        status=400 if bound else 200,
    )


@require_POST
def meeting_change(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    meeting = selectors.meeting_for_manager(user=user, pk=pk)
    form = MeetingForm(request.POST, auto_id="id_change_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.meeting_change(
                actor=user,
                meeting=meeting,
                starts_at=_aware(data["starts_at"]),
                ends_at=_aware(data["ends_at"]),
                place=data["place"],
                seen_state=data["seen_state"] or "",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            meeting.refresh_from_db()
            messages.success(
                request,
                _("The meeting has been changed. The members have been told.")
                if services.noticed(meeting)
                else _("The meeting has been changed. The notice goes with the new time."),
            )
            return redirect(_meeting_url(pk))
    return officer_meeting_page(request, meeting, bound={"change_form": form})


@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    meeting = selectors.meeting_for_manager(user=user, pk=pk)
    form = CancelForm(request.POST)
    form.is_valid()
    if (
        response := confirmation(
            request,
            title=_("Cancel the meeting"),
            question=_("Cancel the meeting of %(date)s?")
            % {"date": long_date(timezone.localdate(meeting.starts_at))},
            confirm_label=_("Yes, cancel the meeting"),
            cancel_url=_meeting_url(pk),
            consequences=[
                _("Members already given notice are told at once, with your reason."),
                _("The meeting stays in the calendar, marked cancelled."),
            ],
        )
    ) is not None:
        return response
    try:
        services.meeting_cancel(
            actor=user, meeting=meeting, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(request, _("The meeting is cancelled."))
    return redirect(_meeting_url(pk))


@require_POST
def item_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    meeting = selectors.meeting_for_manager(user=user, pk=pk)
    form = ItemForm(request.POST)
    if form.is_valid():
        try:
            services.agenda_item_add(
                actor=user,
                meeting=meeting,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The item is on the agenda."))
            return redirect(_meeting_url(pk, "dagordning"))
    return officer_meeting_page(request, meeting, bound={"item_form": form})


@require_POST
def item_decide(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    user = request_user(request)
    meeting = selectors.meeting_for_manager(user=user, pk=pk)
    found = AgendaItem.objects.filter(pk=item, meeting=meeting).first()
    if found is None:
        raise Http404
    accept = request.POST.get("accept") == "1"
    form = DeclineItemForm(request.POST, auto_id=f"id_decline_{found.pk}_%s")
    if not accept and not form.is_valid():
        # the reason asked for beside this item's own form, kept open
        return officer_meeting_page(request, meeting, bound={f"decline_form_{found.pk}": form})
    try:
        services.agenda_item_decide(
            actor=user,
            item=found,
            accept=accept,
            reason="" if accept else form.cleaned_data["reason"],
        )
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(
            request,
            _("“%(title)s” is on the agenda; the organisation is told.") % {"title": found.title}
            if accept
            else _("“%(title)s” is not taken up; the organisation is told why.")
            % {"title": found.title},
        )
    return redirect(_meeting_url(pk, "dagordning"))


@require_POST
def attendance_save(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    meeting = selectors.meeting_for_manager(user=user, pk=pk)
    present = {
        int(name.removeprefix("present_")): str(request.POST.get(name, ""))
        for name in request.POST
        if name.startswith("present_") and name.removeprefix("present_").isdigit()
    }
    try:
        services.attendance_record(actor=user, meeting=meeting, present=present)
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(request, _("The attendance has been saved."))
    return redirect(_meeting_url(pk, "narvaro"))


@require_POST
def minutes_save(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    meeting = selectors.meeting_for_manager(user=user, pk=pk)
    form = MinutesForm(request.POST)
    if form.is_valid():
        try:
            services.minutes_save(
                actor=user,
                meeting=meeting,
                text=form.cleaned_data["text"],
                seen_state=form.cleaned_data["seen_state"] or "",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The minutes have been saved. Record their approval to publish them.")
            )
            return redirect(_meeting_url(pk, "protokoll"))
    return officer_meeting_page(request, meeting, bound={"minutes_form": form})


@require_POST
def minutes_approve(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    meeting = selectors.meeting_for_manager(user=user, pk=pk)
    form = ApproveMinutesForm(request.POST)
    if form.is_valid():
        if (
            response := confirmation(
                request,
                title=_("Record the approval"),
                question=_("Record that %(who)s approved the minutes on %(date)s?")
                % {
                    "who": form.cleaned_data["approved_by"],
                    "date": long_date(form.cleaned_data["approved_on"]),
                },
                confirm_label=_("Yes, record the approval"),
                cancel_url=_meeting_url(pk, "protokoll"),
                consequences=[
                    _("The minutes and the attendance are locked and no longer change."),
                    _("Then the minutes can be published."),
                ],
                danger=False,
            )
        ) is not None:
            return response
        try:
            services.minutes_approve(
                actor=user,
                meeting=meeting,
                approved_by=form.cleaned_data["approved_by"],
                approved_on=form.cleaned_data["approved_on"],
                seen_state=form.cleaned_data["seen_state"] or "",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The approval is recorded. The minutes can be published."))
            return redirect(_meeting_url(pk, "protokoll"))
    return officer_meeting_page(request, meeting, bound={"approve_form": form})


@require_POST
def minutes_publish(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    meeting = selectors.meeting_for_manager(user=user, pk=pk)
    if (
        response := confirmation(
            request,
            title=_("Publish the minutes"),
            question=_("Publish the minutes of %(date)s on the forum's public page?")
            % {"date": long_date(timezone.localdate(meeting.starts_at))},
            confirm_label=_("Publish"),
            cancel_url=_meeting_url(pk, "protokoll"),
            consequences=[
                _("Everyone can read them."),
                _("The members' people are told by email."),
            ],
            danger=False,
        )
    ) is not None:
        return response
    try:
        services.minutes_publish(actor=user, meeting=meeting)
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(request, _("The minutes are published."))
    return redirect(_meeting_url(pk, "protokoll"))
